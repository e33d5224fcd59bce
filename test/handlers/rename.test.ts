import { tempIdentifier } from '../../lambda-src/rds/naming';
import { handler } from '../../lambda-src/rename.lambda';
import { DEFAULT_DURATIONS, RdsSimulator } from '../sim/rds-sim';

const TEMP = 'orders-db-trapheus-old';

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => sim.uninstall());

const modifies = () => sim.calls.filter((c) => c.command === 'ModifyDBInstance').map((c) => ({ input: c.input, error: c.error }));
const forward = (identifier: string, resourceId: string) => handler({ op: 'forward', identifier, resourceId });
const back = (identifier: string, resourceId: string) => handler({ op: 'back', identifier, resourceId });
/** Seconds until a rename requested now has fully taken effect. */
const renameDone = () => sim.durations.renamePending + sim.durations.rename;

describe('rename forward', () => {
  test('renames the original to <identifier>-trapheus-old, applied immediately', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(forward('orders-db', original.DbiResourceId!)).resolves.toEqual({ identifier: TEMP });
    expect(sim.mutatingCalls().map((c) => ({ command: c.command, input: c.input }))).toEqual([{
      command: 'ModifyDBInstance',
      input: { DBInstanceIdentifier: 'orders-db', NewDBInstanceIdentifier: TEMP, ApplyImmediately: true },
    }]);
    // It looks the original up by resource id, not by name.
    expect(sim.calls[0]).toMatchObject({
      command: 'DescribeDBInstances',
      input: { Filters: [{ Name: 'dbi-resource-id', Values: [original.DbiResourceId] }] },
    });
    expect(sim.instance('orders-db')?.PendingModifiedValues?.DBInstanceIdentifier).toBe(TEMP);
    sim.clock.advance(renameDone());
    expect(sim.instance(TEMP)).toMatchObject({ DbiResourceId: original.DbiResourceId, DBInstanceStatus: 'available' });
  });

  test('a long identifier goes to its shortened, hashed temporary identifier', async () => {
    const long = `orders-${'x'.repeat(55)}`;
    const original = sim.addInstance({ DBInstanceIdentifier: long, Engine: 'postgres' });
    await expect(forward(long, original.DbiResourceId!)).resolves.toEqual({ identifier: tempIdentifier(long) });
    expect(modifies()[0].input.NewDBInstanceIdentifier).toBe(tempIdentifier(long));
  });

  test('idempotent while the rename is accepted but not applied', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await forward('orders-db', original.DbiResourceId!);
    sim.clock.advance(5);
    await expect(forward('orders-db', original.DbiResourceId!)).resolves.toEqual({ identifier: TEMP });
    expect(modifies()).toHaveLength(1);
  });

  test.each([
    ['renaming', DEFAULT_DURATIONS.renamePending + 1],
    ['available', DEFAULT_DURATIONS.renamePending + DEFAULT_DURATIONS.rename],
  ])('idempotent once the original is under the temporary identifier (%s)', async (status, seconds) => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await forward('orders-db', original.DbiResourceId!);
    sim.clock.advance(seconds);
    expect(sim.instance(TEMP)?.DBInstanceStatus).toBe(status);
    await expect(forward('orders-db', original.DbiResourceId!)).resolves.toEqual({ identifier: TEMP });
    expect(modifies()).toHaveLength(1);
  });

  test('refuses when no DB instance has the original resource id, leaving the DB under the identifier alone', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(forward('orders-db', 'db-NOTTHEORIGINAL0000000000')).rejects.toMatchObject({
      name: 'DBInstanceNotFoundFault',
      message: 'The original DB instance orders-db (db-NOTTHEORIGINAL0000000000) is gone.',
    });
    expect(sim.mutatingCalls()).toEqual([]);
    expect(sim.instance('orders-db')?.PendingModifiedValues).toEqual({});
  });

  test('refuses when the original is now under another name (someone renamed it)', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db-renamed', Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(forward('orders-db', original.DbiResourceId!)).rejects.toMatchObject({
      name: 'UnexpectedIdentifier',
      message: 'The original DB instance is now called orders-db-renamed, not orders-db; someone else renamed it.',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('an RDS refusal keeps its fault name, with context', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'modifying' });
    await expect(forward('orders-db', original.DbiResourceId!)).rejects.toMatchObject({
      name: 'InvalidDBInstanceStateFault',
      message: `Renaming DB instance orders-db to ${TEMP}: Database instance is not in available state.`,
    });
  });

  test('the temporary identifier taken meanwhile: DBInstanceAlreadyExistsFault from RDS, with context', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    await expect(forward('orders-db', original.DbiResourceId!)).rejects.toMatchObject({
      name: 'DBInstanceAlreadyExistsFault',
      message: `Renaming DB instance orders-db to ${TEMP}: DB instance already exists`,
    });
    expect(sim.instance('orders-db')?.PendingModifiedValues).toEqual({});
  });

  test('throttling is classified for the state machine\'s retry', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    sim.failOn({ command: 'ModifyDBInstance', error: 'Throttling', times: 1 });
    await expect(forward('orders-db', original.DbiResourceId!)).rejects.toMatchObject({
      name: 'RdsThrottled',
      message: `Renaming DB instance orders-db to ${TEMP}: Throttling: Rate exceeded`,
    });
    await expect(forward('orders-db', original.DbiResourceId!)).resolves.toEqual({ identifier: TEMP });
  });
});

describe('rename back', () => {
  test('renames the original, found by resource id, back to its identifier', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    await expect(back('orders-db', original.DbiResourceId!)).resolves.toEqual({ renamed: true, from: TEMP });
    expect(sim.calls.map((c) => ({ command: c.command, input: c.input }))).toEqual([
      { command: 'DescribeDBInstances', input: { Filters: [{ Name: 'dbi-resource-id', Values: [original.DbiResourceId] }] } },
      { command: 'DescribeDBInstances', input: { DBInstanceIdentifier: 'orders-db' } },
      { command: 'ModifyDBInstance', input: { DBInstanceIdentifier: TEMP, NewDBInstanceIdentifier: 'orders-db', ApplyImmediately: true } },
    ]);
    sim.clock.advance(renameDone());
    expect(sim.instance('orders-db')?.DbiResourceId).toBe(original.DbiResourceId);
  });

  test('a no-op when the original already holds its identifier', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(back('orders-db', original.DbiResourceId!)).resolves.toEqual({ renamed: false });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('idempotent while the rename back is pending', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    await back('orders-db', original.DbiResourceId!);
    await expect(back('orders-db', original.DbiResourceId!)).resolves.toEqual({ renamed: true, from: TEMP });
    expect(modifies()).toHaveLength(1);
  });

  test('refuses when another DB instance holds the identifier', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    const other = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(back('orders-db', original.DbiResourceId!)).rejects.toMatchObject({
      name: 'DBInstanceAlreadyExistsFault',
      message: `Cannot rename ${TEMP} back to orders-db: another DB instance (${other.DbiResourceId}) holds that identifier.`,
    });
    expect(sim.mutatingCalls()).toEqual([]);
    expect(sim.instance('orders-db')?.DbiResourceId).toBe(other.DbiResourceId);
  });

  test('refuses while the DB holding the identifier is still being deleted', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'deleting' });
    await expect(back('orders-db', original.DbiResourceId!)).rejects.toMatchObject({ name: 'DBInstanceAlreadyExistsFault' });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('the original cannot be found: DBInstanceNotFoundFault', async () => {
    sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    await expect(back('orders-db', 'db-GONE000000000000000000000')).rejects.toMatchObject({
      name: 'DBInstanceNotFoundFault',
      message: 'The original DB instance (db-GONE000000000000000000000) cannot be found to rename it back to orders-db.',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('an original still renaming is refused by RDS: the fault is kept, with context', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await forward('orders-db', original.DbiResourceId!);
    sim.clock.advance(sim.durations.renamePending + 1);
    expect(sim.instance(TEMP)?.DBInstanceStatus).toBe('renaming');
    await expect(back('orders-db', original.DbiResourceId!)).rejects.toMatchObject({
      name: 'InvalidDBInstanceStateFault',
      message: `Renaming DB instance ${TEMP} to orders-db: Database instance is not in available state.`,
    });
  });

  test('forward then back round-trips the original under its identifier', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await forward('orders-db', original.DbiResourceId!);
    sim.clock.advance(renameDone());
    await expect(back('orders-db', original.DbiResourceId!)).resolves.toEqual({ renamed: true, from: TEMP });
    sim.clock.advance(renameDone());
    expect(sim.instance('orders-db')).toMatchObject({ DbiResourceId: original.DbiResourceId, DBInstanceStatus: 'available' });
    expect(sim.instance(TEMP)).toBeUndefined();
  });
});
