import { Harness } from './harness';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { fullyConfiguredInstance, seedCluster, seedPipelineSnapshot } from '../sim/fixtures';

/**
 * db_restore from each source (issue 9): a named manual snapshot, the newest
 * automated snapshot, a point in time; create tasks with a named snapshot;
 * for DB instances and Aurora clusters, through the real state machine.
 */
const h = new Harness();
beforeEach(() => h.fresh());
afterEach(() => h.done());

const DAY = 86400_000;
/** The simulation starts at 2026-01-09T08:00:00Z; the databases were created days before. */
const CREATED = new Date('2026-01-05T08:00:00Z');
const at = (iso: string) => new Date(iso);
const instance = (extra: object = {}) => ({ identifier: 'orders-db', task: 'db_restore', isCluster: false, ...extra });
const cluster = (extra: object = {}) => ({ identifier: 'orders-aurora', task: 'db_restore', isCluster: true, ...extra });
const restoreCalls = () => h.sim.mutatingCalls().filter((c) => /^Restore/.test(c.command));

function seedInstance() {
  return h.sim.addInstance(fullyConfiguredInstance('orders-db', { InstanceCreateTime: CREATED }));
}

/** A cluster without cluster-level monitoring or Performance Insights (a point-in-time restore cannot carry them). */
function seedPlainCluster() {
  return seedCluster(h.sim, 'orders-aurora', { MonitoringInterval: 0, PerformanceInsightsEnabled: false, ClusterCreateTime: CREATED });
}

describe('DB instance', () => {
  test('a named manual snapshot (not one the pipeline made)', async () => {
    const before = seedInstance();
    h.sim.addSnapshot({ DBSnapshotIdentifier: 'golden-2026', DBInstanceIdentifier: 'orders-db' });
    seedPipelineSnapshot(h.sim, 'orders-db', h.pipelineId, '2026-01-08T08:00:00Z'); // newer, but not asked for
    const result = await h.run(instance({ snapshotIdentifier: 'golden-2026' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.snapshot).toMatchObject({ id: 'golden-2026', created: false });
    expect(restoreCalls().map((c) => [c.command, c.input.DBSnapshotIdentifier])).toEqual([['RestoreDBInstanceFromDBSnapshot', 'golden-2026']]);
    expect(h.sim.instance('orders-db')!.DbiResourceId).not.toBe(before.DbiResourceId);
    expect(h.sim.snapshot('golden-2026')?.Status).toBe('available'); // never pruned
  });

  test('the ARN of a snapshot of this account is the same as its name', async () => {
    seedInstance();
    const golden = h.sim.addSnapshot({ DBSnapshotIdentifier: 'golden-2026', DBInstanceIdentifier: 'orders-db' });
    const result = await h.run(instance({ snapshotIdentifier: golden.DBSnapshotArn }));
    expect(result.status).toBe('SUCCEEDED');
    expect(restoreCalls()[0].input.DBSnapshotIdentifier).toBe('golden-2026');
  });

  test('a named snapshot that does not exist: DBSnapshotNotFoundFault, nothing changed', async () => {
    seedInstance();
    const result = await h.run(instance({ snapshotIdentifier: 'golden-2025' }));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DBSnapshotNotFoundFault');
    expect(result.cause).toMatch(/no snapshot "golden-2025" in this account and Region: check "snapshotIdentifier"/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('latest-automated: the newest available automated snapshot, read over every page', async () => {
    seedInstance();
    // 25 automated snapshots (two pages of 20 when asked for 20; the handler reads every page): the newest is not the last by name
    const names: string[] = [];
    for (let d = 0; d < 25; d++) names.push(h.sim.addAutomatedSnapshot({ identifier: 'orders-db', at: new Date(CREATED.getTime() + d * 3600_000) }));
    const newest = names[24];
    h.sim.addAutomatedSnapshot({ identifier: 'orders-db', at: at('2026-01-09T07:00:00Z'), status: 'creating' }); // newer, not available
    h.sim.addSnapshot({ DBSnapshotIdentifier: 'zz-manual', DBInstanceIdentifier: 'orders-db' }); // manual: not a candidate
    const result = await h.run(instance({ source: 'latest-automated' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.snapshot).toMatchObject({ id: newest, type: 'automated' });
    expect(restoreCalls()[0].input.DBSnapshotIdentifier).toBe(newest);
    expect(h.sim.calls.filter((c) => c.command === 'DescribeDBSnapshots' && c.input.SnapshotType === 'automated')).not.toEqual([]);
  });

  test('latest-automated without any: DBSnapshotNotFoundFault, nothing changed', async () => {
    seedInstance();
    const result = await h.run(instance({ source: 'latest-automated' }));
    expect(result.error).toBe('DBSnapshotNotFoundFault');
    expect(result.cause).toMatch(/orders-db has no available automated snapshot/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('point-in-time: RestoreDBInstanceToPointInTime from the renamed original by its resource id', async () => {
    const before = seedInstance();
    const result = await h.run(instance({ source: 'point-in-time', restoreTime: '2026-01-09T06:30:00Z' }));
    expect(result.status).toBe('SUCCEEDED');
    const [call] = restoreCalls();
    expect(call.command).toBe('RestoreDBInstanceToPointInTime');
    expect(call.input).toMatchObject({ TargetDBInstanceIdentifier: 'orders-db', SourceDbiResourceId: before.DbiResourceId, RestoreTime: at('2026-01-09T06:30:00Z') });
    expect(call.input.SourceDBInstanceIdentifier).toBeUndefined();
    const after = h.sim.instance('orders-db')!;
    expect(after.DbiResourceId).not.toBe(before.DbiResourceId);
    expect(after.Endpoint?.Address).toBe(before.Endpoint?.Address);
    expect(after.TagList).toEqual(expect.arrayContaining(before.TagList!));
    expect(after.TagList).toHaveLength(before.TagList!.length);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
    // the window was read first: DescribeDBInstanceAutomatedBackups before any change
    const firstChange = h.sim.calls.findIndex((c) => !/^(Describe|List)/.test(c.command));
    expect(h.sim.calls.findIndex((c) => c.command === 'DescribeDBInstanceAutomatedBackups')).toBeLessThan(firstChange);
  });

  test('point-in-time with useLatestRestorableTime', async () => {
    seedInstance();
    const result = await h.run(instance({ source: 'point-in-time', useLatestRestorableTime: true }));
    expect(result.status).toBe('SUCCEEDED');
    expect(restoreCalls()[0].input).toMatchObject({ UseLatestRestorableTime: true });
    expect(restoreCalls()[0].input.RestoreTime).toBeUndefined();
  });

  test.each([
    ['before the earliest restorable time (its creation: 14 days of retention reach further back)', '2026-01-04T08:00:00Z'],
    ['after the latest restorable time', '2026-01-09T07:59:00Z'],
  ])('point-in-time %s: RestoreTimeOutsideWindow before any change', async (_, time) => {
    seedInstance();
    const result = await h.run(instance({ source: 'point-in-time', restoreTime: time }));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RestoreTimeOutsideWindow');
    // earliest: its creation (14 days of retention reach further back); latest: 5 minutes before the check (2 s into the run)
    expect(result.cause).toContain(`outside the restorable window of DB instance orders-db, ${CREATED.toISOString()} to 2026-01-09T07:55:02.000Z (UTC)`);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('point-in-time of an instance without automated backups: PointInTimeRestoreNotEnabledFault before any change', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db', { InstanceCreateTime: CREATED, BackupRetentionPeriod: 0 }));
    const result = await h.run(instance({ source: 'point-in-time', useLatestRestorableTime: true }));
    expect(result.error).toBe('PointInTimeRestoreNotEnabledFault');
    expect(result.cause).toMatch(/automated backups off \(backup retention period 0\)/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('create_snapshot_only with a name: the snapshot has it, and the refresh prunes nothing', async () => {
    seedInstance();
    const older = seedPipelineSnapshot(h.sim, 'orders-db', h.pipelineId, '2026-01-02T08:00:00Z');
    const result = await h.run(instance({ task: 'create_snapshot_only', snapshotIdentifier: 'before-upgrade' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.snapshot).toMatchObject({ id: 'before-upgrade', created: true });
    expect(h.sim.snapshot('before-upgrade')?.TagList).toEqual([{ Key: TAG_SOURCE, Value: 'orders-db' }, { Key: TAG_PIPELINE, Value: h.pipelineId }]);
    expect(result.output.pruned.deleted).toEqual([]);
    expect(h.sim.snapshot(older.DBSnapshotIdentifier!)?.Status).toBe('available');
  });

  test('a later refresh never prunes the named snapshot', async () => {
    seedInstance();
    await h.run(instance({ task: 'create_snapshot_only', snapshotIdentifier: 'before-upgrade' }));
    h.sim.clock.advance(DAY / 1000);
    const result = await h.run(instance({ task: 'create_snapshot_only' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.pruned.deleted).toEqual([]);
    expect(h.sim.snapshot('before-upgrade')?.Status).toBe('available');
  });
});

describe('Aurora cluster', () => {
  test('a named manual cluster snapshot', async () => {
    seedPlainCluster();
    h.sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'golden-aurora', DBClusterIdentifier: 'orders-aurora' });
    const result = await h.run(cluster({ snapshotIdentifier: 'golden-aurora' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(restoreCalls().map((c) => [c.command, c.input.SnapshotIdentifier])).toEqual([['RestoreDBClusterFromSnapshot', 'golden-aurora']]);
  });

  test('latest-automated: the newest available automated cluster snapshot', async () => {
    seedPlainCluster();
    h.sim.addAutomatedSnapshot({ identifier: 'orders-aurora', isCluster: true, at: at('2026-01-07T03:00:00Z') });
    const newest = h.sim.addAutomatedSnapshot({ identifier: 'orders-aurora', isCluster: true, at: at('2026-01-08T03:00:00Z') });
    const result = await h.run(cluster({ source: 'latest-automated' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(restoreCalls()[0].input.SnapshotIdentifier).toBe(newest);
  });

  test('point-in-time: RestoreDBClusterToPointInTime (full copy) from the renamed original by its resource id, then its members', async () => {
    const { cluster: before } = seedPlainCluster();
    const result = await h.run(cluster({ source: 'point-in-time', restoreTime: '2026-01-09T07:00:00Z' }));
    expect(result.status).toBe('SUCCEEDED');
    const [call] = restoreCalls();
    expect(call.command).toBe('RestoreDBClusterToPointInTime');
    expect(call.input).toMatchObject({
      DBClusterIdentifier: 'orders-aurora', SourceDbClusterResourceId: before.DbClusterResourceId, RestoreType: 'full-copy', RestoreToTime: at('2026-01-09T07:00:00Z'),
    });
    expect(call.input.Engine).toBeUndefined();
    const after = h.sim.cluster('orders-aurora')!;
    expect(after.DbClusterResourceId).not.toBe(before.DbClusterResourceId);
    expect(after.DBClusterMembers).toHaveLength(before.DBClusterMembers!.length);
  });

  test('point-in-time with useLatestRestorableTime', async () => {
    seedPlainCluster();
    const result = await h.run(cluster({ source: 'point-in-time', useLatestRestorableTime: true }));
    expect(result.status).toBe('SUCCEEDED');
    expect(restoreCalls()[0].input).toMatchObject({ UseLatestRestorableTime: true });
  });

  test('point-in-time outside the window: RestoreTimeOutsideWindow before any change', async () => {
    seedPlainCluster();
    const result = await h.run(cluster({ source: 'point-in-time', restoreTime: '2026-01-01T00:00:00Z' }));
    expect(result.error).toBe('RestoreTimeOutsideWindow');
    expect(result.cause).toContain('outside the restorable window of DB cluster orders-aurora');
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('point-in-time of a cluster with cluster-level Performance Insights: refused before any change', async () => {
    seedCluster(h.sim, 'orders-aurora', { ClusterCreateTime: CREATED });
    const result = await h.run(cluster({ source: 'point-in-time', useLatestRestorableTime: true }));
    expect(result.error).toBe('PointInTimeRestoreUnsupported');
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('create_snapshot with a name: restored from it, nothing pruned', async () => {
    seedPlainCluster();
    const result = await h.run(cluster({ task: 'create_snapshot', snapshotIdentifier: 'aurora-before-upgrade' }));
    expect(result.status).toBe('SUCCEEDED');
    expect(restoreCalls()[0].input.SnapshotIdentifier).toBe('aurora-before-upgrade');
    expect(h.sim.clusterSnapshot('aurora-before-upgrade')?.Status).toBe('available');
  });
});
