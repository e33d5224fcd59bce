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
  // the restore sources (issue 9)
  ['source unknown', { ...valid, source: 'backup' }, 'InvalidSource', /"source" is the string "backup"; it must be one of "snapshot", "latest-automated", "point-in-time"/],
  ['source with an underscore', { ...valid, source: 'point_in_time', useLatestRestorableTime: true }, 'InvalidSource', /did you mean "point-in-time"/],
  ['source for a create task', { ...valid, task: 'create_snapshot', source: 'latest-automated' }, 'InvalidSource', /applies only to the task "db_restore", not "create_snapshot"/],
  ['point-in-time without a time', { ...valid, source: 'point-in-time' }, 'InvalidRestoreTime', /needs "restoreTime" .* or "useLatestRestorableTime": true/],
  ['point-in-time with both times', { ...valid, source: 'point-in-time', restoreTime: '2026-01-09T07:00:00Z', useLatestRestorableTime: true }, 'InvalidRestoreTime', /either "restoreTime" or "useLatestRestorableTime": true, not both/],
  ['restoreTime without its time zone', { ...valid, source: 'point-in-time', restoreTime: '2026-01-09T07:00:00' }, 'InvalidRestoreTime', /ISO 8601 time in UTC.*with the Z/],
  ['restoreTime not a real date', { ...valid, source: 'point-in-time', restoreTime: '2026-02-30T07:00:00Z' }, 'InvalidRestoreTime', /not a real date and time/],
  ['restoreTime a number', { ...valid, source: 'point-in-time', restoreTime: 1767942000 }, 'InvalidRestoreTime', /must be a string, not number/],
  ['restoreTime without point-in-time', { ...valid, restoreTime: '2026-01-09T07:00:00Z' }, 'InvalidRestoreTime', /applies only to "source": "point-in-time"/],
  ['useLatestRestorableTime false', { ...valid, source: 'point-in-time', useLatestRestorableTime: false }, 'InvalidRestoreTime', /must be true .* not boolean false/],
  ['an automated snapshot by name', { ...valid, snapshotIdentifier: 'rds:orders-db-2026-01-08-03-00' }, 'InvalidSnapshotIdentifier', /automated snapshot \(rds:…\): use "source": "latest-automated"/],
  ['snapshotIdentifier with latest-automated', { ...valid, source: 'latest-automated', snapshotIdentifier: 'golden' }, 'InvalidSnapshotIdentifier', /applies to "source": "snapshot" only/],
  ['snapshotIdentifier with an underscore', { ...valid, snapshotIdentifier: 'golden_2026' }, 'InvalidSnapshotIdentifier', /contains "_"/],
  ['snapshotIdentifier a malformed ARN', { ...valid, snapshotIdentifier: 'arn:aws:rds:us-east-1:12345:snapshot:golden' }, 'InvalidSnapshotIdentifier', /not a DB snapshot or DB cluster snapshot ARN/],
  ['a cluster snapshot ARN for an instance', { ...valid, snapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:golden' }, 'InvalidSnapshotIdentifier', /a DB instance restores from a DB snapshot/],
  ['a new snapshot named like the pipeline\'s own', { ...valid, task: 'create_snapshot_only', snapshotIdentifier: 'orders-db-trapheus-20260101-000000' }, 'InvalidSnapshotIdentifier', /the pipeline makes and prunes; choose another name/],
  ['a new snapshot given an ARN', { ...valid, task: 'create_snapshot', snapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:x' }, 'InvalidSnapshotIdentifier', /takes a name, not an ARN/],
  ['a snapshot shared from an account not in sourceAccounts', { ...valid, snapshotIdentifier: 'arn:aws:rds:us-east-1:210987654321:snapshot:golden' }, 'SharedSnapshotNotAllowed',
    /account 210987654321, which this pipeline's sourceAccounts does not list \(it is empty: shared snapshots are refused\): add the account to sourceAccounts/],
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
