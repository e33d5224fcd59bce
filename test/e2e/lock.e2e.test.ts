import { Harness } from './harness';
import { fullyConfiguredInstance } from '../sim/fixtures';

/** The restore lock through the real state machine, on DynamoDB as dynalite implements it. */
const h = new Harness();
beforeEach(() => h.fresh());
afterEach(() => h.done());

const input = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:Restore:nightly-reset-1';
const table = () => [...h.definition.functions.values()].find((f) => f.env.LOCK_TABLE)!.env.LOCK_TABLE;
const lockItem = (key = 'db:orders-db') => h.dynamo.item(table(), { lockKey: { S: key } });
const inAnHour = () => String(Math.floor(Date.now() / 1000) + 3600);

async function holdLock(execution: string, status: string, key = 'db:orders-db') {
  await h.dynamo.put(table(), { lockKey: { S: key }, execution: { S: execution }, expiresAt: { N: inAnHour() } });
  h.aws.executions.set(execution, status);
}

describe('one restore per database at a time', () => {
  test('the lock table is the construct\'s: named by the function\'s LOCK_TABLE, keyed by lockKey', () => {
    expect(h.tables).toEqual([expect.objectContaining({
      TableName: table(),
      KeySchema: [{ AttributeName: 'lockKey', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'lockKey', AttributeType: 'S' }],
    })]);
  });

  test('a second execution while another is running fails fast with RestoreAlreadyRunning, changing nothing', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    await holdLock(OTHER, 'RUNNING');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RestoreAlreadyRunning');
    expect(result.cause).toMatch(/Execution nightly-reset-1 is already restoring orders-db.*orders-db was not changed\./);
    expect(h.sim.calls).toEqual([]);
    expect((await lockItem())?.execution.S).toBe(OTHER); // the other execution keeps its lock
  });

  test.each(['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'])('a lock left by an execution that ended (%s) is taken over', async (status) => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    await holdLock(OTHER, status);
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    expect(await lockItem()).toBeUndefined(); // and released at the end
  });

  test('an expired lock that DynamoDB has not deleted yet is taken over', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    await h.dynamo.put(table(), { lockKey: { S: 'db:orders-db' }, execution: { S: OTHER }, expiresAt: { N: String(Math.floor(Date.now() / 1000) - 60) } });
    h.aws.executions.set(OTHER, 'RUNNING');
    expect((await h.run(input)).status).toBe('SUCCEEDED');
  });

  test('the lock is held during the run and released when it ends, succeeded or failed', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    let heldDuringRestore: Promise<any> | undefined;
    // The read is queued before any later DynamoDB call: it sees the table as it is during the restore.
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'never', when: () => { heldDuringRestore = lockItem(); return false; } });
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    const held = await heldDuringRestore;
    expect(held?.execution.S).toMatch(/:execution:Restore:sim$/);
    // it lives as long as the execution may: the state machine's timeout
    const lockSeconds = Number([...h.definition.functions.values()].find((f) => f.env.LOCK_SECONDS)!.env.LOCK_SECONDS);
    expect(h.definition.asl.TimeoutSeconds).toBe(lockSeconds);
    expect(Number(held?.expiresAt.N) - Date.now() / 1000).toBeGreaterThan(lockSeconds - 60);
    expect(Number(held?.expiresAt.N) - Date.now() / 1000).toBeLessThanOrEqual(lockSeconds);
    expect(await lockItem()).toBeUndefined();

    h.fresh();
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault' });
    const failed = await h.run(input);
    expect(failed.status).toBe('FAILED');
    expect(failed.path).toContain('Release the restore lock');
    expect(await lockItem()).toBeUndefined();
  });

  test('instances and clusters of the same name are locked separately', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    await holdLock(OTHER, 'RUNNING', 'cluster:orders-db');
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    expect((await lockItem('cluster:orders-db'))?.execution.S).toBe(OTHER);
  });
});
