import { hook, hookFunction } from './fixtures/after-restore-hook.fixture';
import { Harness, identity } from './harness';
import { AfterRestore, Cutover } from '../../src';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';

// The hook is a user's function: the runner loads the fixture module its Description names.
const renameFirst = new Harness((stack) => ({ afterRestore: AfterRestore.lambda(hookFunction(stack)) }));
const swap = new Harness((stack) => ({ afterRestore: AfterRestore.lambda(hookFunction(stack)), cutover: Cutover.RESTORE_THEN_SWAP }));
let h = renameFirst;
afterEach(() => {
  hook.events.splice(0);
  hook.run = undefined;
  h.done();
});

const instanceInput = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const clusterInput = { identifier: 'orders-aurora', task: 'create_snapshot', isCluster: true };
const EXECUTION = /^arn:aws:states:us-east-1:123456789012:execution:Restore:sim$/;

/** A hook that fails as a user's function does: it throws, with its own error name. */
function failingHook(message: string) {
  return () => {
    const err = new Error(message);
    err.name = 'SmokeTestFailed';
    throw err;
  };
}

describe('afterRestore: a DB instance (cutover RENAME_FIRST)', () => {
  beforeEach(() => {
    h = renameFirst;
    h.fresh();
  });

  test('runs on the verified restored instance, before the old one is deleted, with its endpoint and source', async () => {
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const seen: any[] = [];
    hook.run = () => {
      seen.push({
        serving: h.sim.instance('orders-db')?.DbiResourceId,
        status: h.sim.instance('orders-db')?.DBInstanceStatus,
        old: h.sim.instance('orders-db-trapheus-old')?.DbiResourceId,
        deletes: h.sim.calls.filter((c) => c.command === 'DeleteDBInstance').length,
      });
      return { rowsSanitized: 42 };
    };
    const result = await h.run(instanceInput);
    expect(result.status).toBe('SUCCEEDED');
    expect(hook.events).toHaveLength(1);
    const snapshot = h.sim.calls.find((c) => c.command === 'CreateDBSnapshot')!.input.DBSnapshotIdentifier;
    const after = h.sim.instance('orders-db')!;
    expect(hook.events[0]).toEqual({
      identifier: 'orders-db',
      isCluster: false,
      endpoint: { address: after.Endpoint!.Address, port: after.Endpoint!.Port },
      source: expect.objectContaining({ id: snapshot, created: true }),
      execution: expect.stringMatching(EXECUTION),
    });
    // the restored instance (not the original) serves, the original still exists, nothing deleted yet
    expect(seen).toEqual([{ serving: after.DbiResourceId, status: 'available', old: before.DbiResourceId, deletes: 0 }]);
    expect(after.DbiResourceId).not.toBe(before.DbiResourceId);
    expect(result.path.indexOf('Run the after-restore hook on the instance')).toBeGreaterThan(result.path.indexOf('Verify the restored configuration'));
    expect(result.path.indexOf('Run the after-restore hook on the instance')).toBeLessThan(result.path.indexOf('Delete the old instance'));
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
  });

  test('a failing hook rolls back: the original serves under its identifier, the cause names the hook\'s error', async () => {
    const before = identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')));
    hook.run = failingHook('the orders table is empty after the restore');
    const result = await h.run(instanceInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SmokeTestFailed');
    expect(result.cause).toMatch(/^the orders table is empty after the restore\. Rolled back: orders-db is the original DB instance again/);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
    expect(hook.events).toHaveLength(1); // the hook's own error is not retried
  });

  test('db_restore from a point in time: the hook\'s source says so', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run({ identifier: 'orders-db', task: 'db_restore', isCluster: false, source: 'point-in-time', useLatestRestorableTime: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(hook.events.map((e) => e.source)).toEqual([expect.objectContaining({ pointInTime: expect.any(String) })]);
  });
});

describe('afterRestore with cutover RESTORE_THEN_SWAP: on the staged instance, before the original is touched', () => {
  beforeEach(() => {
    h = swap;
    h.fresh();
  });

  test('the hook gets the staged instance and its endpoint; the original still serves unrenamed', async () => {
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const seen: any[] = [];
    hook.run = () => {
      seen.push({ original: h.sim.instance('orders-db')?.DbiResourceId, renames: h.sim.calls.filter((c) => c.input.NewDBInstanceIdentifier).length });
      return {};
    };
    const result = await h.run(instanceInput);
    expect(result.status).toBe('SUCCEEDED');
    expect(hook.events).toHaveLength(1);
    expect(hook.events[0].identifier).toBe('orders-db-trapheus-new');
    expect(hook.events[0].endpoint.address).toMatch(/^orders-db-trapheus-new\./);
    expect(seen).toEqual([{ original: before.DbiResourceId, renames: 0 }]);
  });

  test('a failing hook: the staged instance is deleted, the original was never renamed nor down', async () => {
    const before = identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')));
    hook.run = failingHook('smoke test: login refused');
    const result = await h.run(instanceInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SmokeTestFailed');
    expect(result.cause).toMatch(/smoke test: login refused/);
    expect(h.sim.calls.filter((c) => c.input.NewDBInstanceIdentifier)).toEqual([]);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(h.sim.endpointDowntime('orders-db')).toEqual([]);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
  });
});

describe('afterRestore: an Aurora cluster', () => {
  beforeEach(() => {
    h = renameFirst;
    h.fresh();
  });

  test('runs on the verified restored cluster (its writer endpoint), before the old cluster is deleted', async () => {
    const { cluster: before } = seedCluster(h.sim);
    const seen: any[] = [];
    hook.run = () => {
      seen.push({
        serving: h.sim.cluster('orders-aurora')?.DbClusterResourceId,
        clusters: h.sim.clusters().length,
        deletes: h.sim.calls.filter((c) => c.command === 'DeleteDBCluster' || c.command === 'DeleteDBInstance').length,
      });
      return {};
    };
    const result = await h.run(clusterInput);
    expect(result.status).toBe('SUCCEEDED');
    const after = h.sim.cluster('orders-aurora')!;
    expect(hook.events).toEqual([{
      identifier: 'orders-aurora',
      isCluster: true,
      endpoint: { address: after.Endpoint, port: after.Port },
      source: expect.objectContaining({ created: true }),
      execution: expect.stringMatching(EXECUTION),
    }]);
    expect(seen).toEqual([{ serving: after.DbClusterResourceId, clusters: 2, deletes: 0 }]);
    expect(after.DbClusterResourceId).not.toBe(before.DbClusterResourceId);
  });

  test('a failing hook rolls back: the original cluster and its members are back, the cause names the hook\'s error', async () => {
    const { cluster: before, members } = seedCluster(h.sim);
    hook.run = failingHook('sanitize: UPDATE users failed');
    const result = await h.run(clusterInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SmokeTestFailed');
    expect(result.cause).toMatch(/sanitize: UPDATE users failed.*Rolled back: orders-aurora is the original DB cluster again/);
    const now = h.sim.cluster('orders-aurora')!;
    expect([now.DbClusterResourceId, now.Status, now.Endpoint]).toEqual([before.DbClusterResourceId, 'available', before.Endpoint]);
    expect(members.map((m) => h.sim.instance(m.DBInstanceIdentifier!)?.DbiResourceId)).toEqual(members.map((m) => m.DbiResourceId));
    expect(h.sim.clusters().map((c) => c.DBClusterIdentifier)).toEqual(['orders-aurora']);
  });
});
