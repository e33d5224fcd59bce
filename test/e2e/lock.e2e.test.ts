import { Harness } from './harness';
import { fullyConfiguredInstance } from '../sim/fixtures';

const h = new Harness();
beforeEach(() => h.fresh());
afterEach(() => h.done());

const input = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:Restore:nightly-reset-1';
const table = () => [...h.definition.functions.values()].find((f) => f.env.LOCK_TABLE)!.env.LOCK_TABLE;
const lockItem = () => h.aws.items.get(`${table()}/db:orders-db`);

function holdLock(execution: string, status: string) {
  h.aws.items.set(`${table()}/db:orders-db`, {
    lockKey: { S: 'db:orders-db' }, execution: { S: execution }, expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3600) },
  });
  h.aws.executions.set(execution, status);
}

describe('one restore per database at a time', () => {
  test('a second execution while another is running fails fast with RestoreAlreadyRunning, changing nothing', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    holdLock(OTHER, 'RUNNING');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RestoreAlreadyRunning');
    expect(result.cause).toMatch(/Execution nightly-reset-1 is already restoring orders-db.*orders-db was not changed\./);
    expect(h.sim.calls).toEqual([]);
    expect(lockItem()?.execution.S).toBe(OTHER); // the other execution keeps its lock
  });

  test.each(['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT'])('a lock left by an execution that ended (%s) is taken over', async (status) => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    holdLock(OTHER, status);
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    expect(lockItem()).toBeUndefined(); // and released at the end
  });

  test('the lock is held during the run and released when it ends, succeeded or failed', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    let heldDuringRestore: string | undefined;
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'never', when: () => { heldDuringRestore = lockItem()?.execution.S; return false; } });
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    expect(heldDuringRestore).toMatch(/:execution:Restore:sim$/);
    expect(lockItem()).toBeUndefined();

    h.fresh();
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault' });
    const failed = await h.run(input);
    expect(failed.status).toBe('FAILED');
    expect(failed.path).toContain('Release the restore lock');
    expect(lockItem()).toBeUndefined();
  });

  test('instances and clusters of the same name are locked separately', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    h.aws.items.set(`${table()}/cluster:orders-db`, { lockKey: { S: 'cluster:orders-db' }, execution: { S: OTHER }, expiresAt: { N: '9999999999' } });
    h.aws.executions.set(OTHER, 'RUNNING');
    expect((await h.run(input)).status).toBe('SUCCEEDED');
  });
});
