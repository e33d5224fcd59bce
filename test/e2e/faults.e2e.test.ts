import { Duration } from 'aws-cdk-lib';
import { Harness, identity } from './harness';
import { fullyConfiguredInstance, seedPipelineSnapshot } from '../sim/fixtures';

const h = new Harness({ maxWait: Duration.hours(2) });
beforeEach(() => h.fresh());
afterEach(() => h.done());

const restoreInput = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };

function seed() {
  const before = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  return identity(before)!;
}

/** After a rollback: the original is back under its identifier, available and unchanged; nothing else is left. */
function expectRolledBack(before: ReturnType<typeof seed>) {
  expect(identity(h.sim.instance('orders-db'))).toEqual(before);
  expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
}

describe('failure at the restore', () => {
  test('the original comes back under its identifier, available and unchanged; the execution ends FAILED', async () => {
    const before = seed();
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault', message: 'Cannot create a db.r6g.large instance in us-east-1' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InsufficientDBInstanceCapacityFault');
    expect(result.cause).toMatch(/^Restoring snapshot orders-db-trapheus-20260109-080000 as orders-db: Cannot create a db\.r6g\.large instance/);
    expect(result.cause).toMatch(/Rolled back: orders-db is the original DB instance again, available at orders-db\.c1abcdefghij/);
    expect(result.cause).not.toMatch(/errorType|trace|\n/);
    expectRolledBack(before);
    expect(result.path).toContain('Rename the original back');
    // the snapshot made by this run is kept
    expect(h.sim.snapshot('orders-db-trapheus-20260109-080000')?.Status).toBe('available');
  });

  test('a restored instance that fails after creation is deleted, and only it', async () => {
    const before = seed();
    h.sim.stickNext('orders-db', 'incompatible-restore');
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DBInstanceFailed');
    expect(result.cause).toMatch(/restored instance orders-db entered status incompatible-restore.*Rolled back/);
    expectRolledBack(before);
    const deleted = h.sim.calls.filter((c) => c.command === 'DeleteDBInstance' && !c.error);
    expect(deleted).toHaveLength(1);
    expect(deleted[0].input.DBInstanceIdentifier).toBe('orders-db');
  });

  test('a restore stuck past maxWait times out into the rollback', async () => {
    seed();
    h.sim.stickNext('orders-db');
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('WaitTimedOut');
    expect(result.cause).toMatch(/Waited 2\.0 h for the restored instance orders-db to be available for changes; it is still creating/);
    // the stuck instance can never be deleted, so the rollback cannot finish: it says so, where the original is, and what to do
    expect(result.cause).toMatch(/ROLLBACK FAILED \(Waited 2\.0 h for the partly restored instance orders-db to be settled; it is still creating\.\): needs attention\./);
    expect(result.cause).toMatch(/The original DB instance is orders-db-trapheus-old\. To recover, once orders-db is free, rename orders-db-trapheus-old back to orders-db\./);
    // and nothing was deleted: the original still exists, available, under its temporary name
    expect(h.sim.instance('orders-db-trapheus-old')?.DBInstanceStatus).toBe('available');
    expect(h.sim.calls.filter((c) => c.command === 'DeleteDBInstance' && !c.error)).toEqual([]);
  });
});

describe('failures before the rename change nothing', () => {
  test('a failed snapshot leaves the database untouched', async () => {
    const before = seed();
    h.sim.failOn({ command: 'CreateDBSnapshot', error: 'SnapshotQuotaExceeded', message: 'Cannot create more than 100 manual snapshots' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SnapshotQuotaExceeded');
    expect(result.cause).toMatch(/orders-db was not changed\.$/);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(h.sim.mutatingCalls().filter((c) => !c.error)).toEqual([]);
  });

  test('db_restore without any snapshot is refused before any change', async () => {
    seed();
    const result = await h.run({ ...restoreInput, task: 'db_restore' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DBSnapshotNotFoundFault');
    expect(result.cause).toMatch(/Run the task "create_snapshot".*orders-db was not changed/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('a DB that is not available is refused before any change', async () => {
    seed();
    h.sim.stick('orders-db', 'storage-optimization');
    const result = await h.run(restoreInput);
    expect(result.error).toBe('DBInstanceNotAvailable');
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('a missing DB is named', async () => {
    const result = await h.run({ ...restoreInput, identifier: 'nope' });
    expect(result.error).toBe('DBInstanceNotFoundFault');
    expect(result.cause).toMatch(/no DB instance "nope"/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('a snapshot that never becomes available keeps the older snapshots and the database', async () => {
    const before = seed();
    const older = seedPipelineSnapshot(h.sim, 'orders-db', h.pipelineId, '2026-01-02T08:00:00Z');
    h.sim.stick('orders-db-trapheus-20260109-080000', 'creating');
    const result = await h.run(restoreInput);
    expect(result.error).toBe('WaitTimedOut');
    expect(h.sim.snapshot(older.DBSnapshotIdentifier!)?.Status).toBe('available');
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
  });
});

describe('throttling', () => {
  test('throttling that clears after two tries is retried with back-off and the restore succeeds', async () => {
    seed();
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'Throttling', times: 2 });
    h.sim.failOn({ command: 'DescribeDBInstances', error: 'Throttling', times: 2 });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('SUCCEEDED');
    const retries = result.timeline.filter((e) => e.type === 'Retry');
    expect(retries.map((r) => r.seconds)).toEqual([2, 4, 2, 4]);
    expect(h.sim.calls.filter((c) => c.error === 'Throttling')).toHaveLength(4);
  });
});

describe('failures after the restored instance is available: no rollback', () => {
  test('a failed deletion of the old instance leaves the restored one serving and the old one kept', async () => {
    const before = seed();
    h.sim.failOn({ command: 'DeleteDBInstance', error: 'InvalidDBInstanceStateFault', message: 'Instance is being backed up' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidDBInstanceStateFault');
    expect(result.cause).toMatch(/No rollback: the restored DB instance serves as orders-db \(orders-db is available\)\. The original is kept as orders-db-trapheus-old/);
    expect(h.sim.instance('orders-db')?.DbiResourceId).not.toBe(before.resourceId);
    expect(h.sim.instance('orders-db-trapheus-old')?.DbiResourceId).toBe(before.resourceId);
    expect(result.path).not.toContain('Rename the original back');
  });

  test('a setting that RDS will not apply keeps the old instance (configuration is verified before deletion)', async () => {
    const before = seed();
    h.sim.failOn({ command: 'ModifyDBInstance', when: (i) => i.DBInstanceIdentifier === 'orders-db' && i.MonitoringInterval !== undefined, error: 'InvalidParameterCombination', message: 'Monitoring role is not valid' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidParameterCombination');
    expect(h.sim.mutatingCalls().map((c) => c.command)).not.toContain('DeleteDBInstance');
    expect(h.sim.instance('orders-db-trapheus-old')?.DbiResourceId).toBe(before.resourceId);
  });
});

describe('a rollback that fails says so, and what to do', () => {
  test('rename back refused: the cause names where the original is and how to recover', async () => {
    seed();
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'StorageQuotaExceeded' });
    h.sim.failOn({ command: 'ModifyDBInstance', when: (i) => i.NewDBInstanceIdentifier === 'orders-db', error: 'InvalidParameterValue', message: 'simulated refusal' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('StorageQuotaExceeded');
    expect(result.cause).toMatch(/ROLLBACK FAILED \(Renaming DB instance orders-db-trapheus-old to orders-db: simulated refusal\): needs attention/);
    expect(result.cause).toMatch(/The original DB instance is orders-db-trapheus-old\. To recover, once orders-db is free, rename orders-db-trapheus-old back to orders-db\./);
    expect(h.sim.instance('orders-db-trapheus-old')?.DBInstanceStatus).toBe('available');
  });
});
