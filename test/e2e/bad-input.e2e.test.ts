import { Harness } from './harness';

const h = new Harness();
beforeEach(() => h.fresh());
afterEach(() => h.done());

const valid = { identifier: 'orders-db', task: 'db_restore', isCluster: false };
const long = `a${'b'.repeat(63)}`;

const cases: [string, unknown, string, RegExp][] = [
  ['null', null, 'InvalidInput', /must be a JSON object.*not null/],
  ['an array', [valid], 'InvalidInput', /must be a JSON object.*not an array/],
  ['a string', 'orders-db', 'InvalidInput', /must be a JSON object.*not the string "orders-db"/],
  ['a number', 7, 'InvalidInput', /must be a JSON object.*not number 7/],
  ['an empty object', {}, 'InvalidIdentifier', /"identifier" is missing/],
  ['an unknown field', { ...valid, force: true }, 'InvalidInput', /Unknown field "force"/],
  ['a misspelt field', { identifier: 'orders-db', task: 'db_restore', iscluster: false }, 'InvalidInput', /Unknown field "iscluster"/],
  ['identifier missing', { task: 'db_restore', isCluster: false }, 'InvalidIdentifier', /"identifier" is missing/],
  ['identifier a number', { ...valid, identifier: 42 }, 'InvalidIdentifier', /"identifier" must be a string, not number 42/],
  ['identifier empty', { ...valid, identifier: '' }, 'InvalidIdentifier', /"identifier" "" .*empty/],
  ['identifier too long', { ...valid, identifier: long }, 'InvalidIdentifier', /64 characters; RDS identifiers have at most 63/],
  ['identifier uppercase', { ...valid, identifier: 'Orders-DB' }, 'InvalidIdentifier', /use "orders-db"/],
  ['identifier starting with a digit', { ...valid, identifier: '1orders' }, 'InvalidIdentifier', /start with a letter/],
  ['identifier with an underscore', { ...valid, identifier: 'orders_db' }, 'InvalidIdentifier', /contains "_"/],
  ['identifier with a double hyphen', { ...valid, identifier: 'orders--db' }, 'InvalidIdentifier', /two consecutive hyphens/],
  ['identifier ending with a hyphen', { ...valid, identifier: 'orders-' }, 'InvalidIdentifier', /end with a hyphen/],
  ['identifier with a wildcard', { ...valid, identifier: 'orders-*' }, 'InvalidIdentifier', /contains "\*"/],
  ['task missing', { identifier: 'orders-db', isCluster: false }, 'InvalidTask', /"task" is missing/],
  ['task unknown', { ...valid, task: 'restore' }, 'InvalidTask', /the string "restore"; it must be one of "create_snapshot", "db_restore", "create_snapshot_only"/],
  ['task with the wrong case', { ...valid, task: 'DB_RESTORE' }, 'InvalidTask', /did you mean "db_restore"/],
  ['task with a hyphen', { ...valid, task: 'create-snapshot' }, 'InvalidTask', /did you mean "create_snapshot"/],
  ['task empty', { ...valid, task: '' }, 'InvalidTask', /it must be one of/],
  ['task an array', { ...valid, task: ['db_restore'] }, 'InvalidTask', /an array/],
  ['isCluster missing', { identifier: 'orders-db', task: 'db_restore' }, 'InvalidIsCluster', /"isCluster" is missing/],
  ['isCluster the string "true"', { ...valid, isCluster: 'true' }, 'InvalidIsCluster', /JSON boolean.*not the string "true"/],
  ['isCluster 0', { ...valid, isCluster: 0 }, 'InvalidIsCluster', /not number 0/],
  ['isCluster null', { ...valid, isCluster: null }, 'InvalidIsCluster', /not null/],
];

describe('bad input is refused before any RDS call', () => {
  test.each(cases)('%s', async (_, input, error, cause) => {
    h.sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(result.cause).toMatch(cause);
    expect(result.cause).toMatch(/nothing was changed/);
    expect(result.cause).not.toMatch(/\n\s+at |errorType|trace/); // no stack trace, no raw JSON
    expect(h.sim.calls).toEqual([]);
    expect(result.path).toEqual(['Validate the input', 'Keep the refusal', 'Report the refused input', 'Send the failure alert', 'Restore failed']);
    // the alert went out (to the SNS topic: no other channel is configured here)
    expect(h.aws.alerts()).toEqual([expect.objectContaining({ kind: 'failure', phase: 'refused', error })]);
  });

  test(`covers ${cases.length} bad inputs`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
});
