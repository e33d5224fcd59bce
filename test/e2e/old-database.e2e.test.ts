/**
 * What happens to the old database (the `oldDatabase` and
 * `deleteOldAutomatedBackups` props), through the real synthesized state
 * machine and the real handlers: deleted at once, deleted with a final
 * snapshot, or kept for a while and then deleted; automated backups kept or not.
 */
import { Duration } from 'aws-cdk-lib';
import { Harness } from './harness';
import { TAG_FINAL_SNAPSHOT_OF } from '../../lambda-src/delete.lambda';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { OldDatabasePolicy } from '../../src';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';
import { runPipeline } from '../sim/run-pipeline';

const deleting = new Harness();
const snapshotting = new Harness({ oldDatabase: OldDatabasePolicy.snapshotThenDelete() });
const keeping = new Harness({ oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(24)) });
const droppingBackups = new Harness({ deleteOldAutomatedBackups: true });
afterEach(() => [deleting, snapshotting, keeping, droppingBackups].forEach((h) => h.done()));

const DAY = 24 * 3600;
const INSTANCE = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const CLUSTER = { identifier: 'orders-aurora', task: 'create_snapshot', isCluster: true };
const OLD_INSTANCE = 'orders-db-trapheus-old';
const OLD_CLUSTER = 'orders-aurora-trapheus-old';
const OLD_MEMBERS = ['orders-aurora-1-trapheus-old', 'orders-aurora-2-trapheus-old', 'orders-aurora-3-trapheus-old'];
/** From the execution's start time, 2026-01-09T08:00:00Z on the simulated clock. */
const FINAL_INSTANCE_SNAPSHOT = 'orders-db-trapheus-final-20260109-080000';
const FINAL_CLUSTER_SNAPSHOT = 'orders-aurora-trapheus-final-20260109-080000';

const tagsOf = (s: { TagList?: { Key?: string; Value?: string }[] } | undefined) =>
  Object.fromEntries((s?.TagList ?? []).map((t) => [t.Key, t.Value]));
const verifiedAt = (timeline: { state: string; at: number }[], state: string) => timeline.find((e) => e.state === state)!.at;

describe('DB instance', () => {
  test('delete (default): the old instance is deleted at once, without a final snapshot, its automated backups retained', async () => {
    const h = deleting;
    h.fresh();
    const original = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run(INSTANCE);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
    const deletion = h.sim.calls.filter((c) => c.command === 'DeleteDBInstance');
    expect(deletion.map((c) => c.input)).toEqual([{ DBInstanceIdentifier: OLD_INSTANCE, SkipFinalSnapshot: true, DeleteAutomatedBackups: false }]);
    expect(h.sim.snapshots().map((s) => s.DBSnapshotIdentifier)).toEqual(['orders-db-trapheus-20260109-080000']);
    expect(result.output.finalSnapshot).toBeUndefined();
    expect(result.output.deletedOld).toEqual({ deleted: OLD_INSTANCE });
    expect(result.path.some((s) => s.startsWith('Keep the old'))).toBe(false);
    expect(h.sim.retainedAutomatedBackups()).toEqual([
      expect.objectContaining({ kind: 'instance', identifier: OLD_INSTANCE, resourceId: original.DbiResourceId, retentionPeriod: 14 }),
    ]);
  });

  test('snapshot, then delete: a final snapshot of the original, available, named, tagged, in the output; refresh never prunes it', async () => {
    const h = snapshotting;
    h.fresh();
    const original = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run(INSTANCE);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.at(-1)).toBe('Restored');

    expect(h.sim.calls.filter((c) => c.command === 'DeleteDBInstance').map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: OLD_INSTANCE, FinalDBSnapshotIdentifier: FINAL_INSTANCE_SNAPSHOT, DeleteAutomatedBackups: false },
    ]);
    expect(h.sim.instance(OLD_INSTANCE)).toBeUndefined();
    const final = h.sim.snapshot(FINAL_INSTANCE_SNAPSHOT)!;
    expect(final).toMatchObject({ Status: 'available', DBInstanceIdentifier: OLD_INSTANCE, DbiResourceId: original.DbiResourceId, SnapshotType: 'manual' });
    const tags = tagsOf(final);
    expect(tags).toMatchObject({ [TAG_FINAL_SNAPSHOT_OF]: 'orders-db', [TAG_PIPELINE]: h.pipelineId, team: 'orders' });
    expect(tags[TAG_SOURCE]).toBeUndefined();
    expect(result.output.deletedOld).toEqual({ deleted: OLD_INSTANCE, finalSnapshot: FINAL_INSTANCE_SNAPSHOT });
    expect(result.output.finalSnapshot).toEqual({
      id: FINAL_INSTANCE_SNAPSHOT, arn: final.DBSnapshotArn, status: 'available', of: 'orders-db', takenOf: OLD_INSTANCE,
    });
    // Tagged once it is available, after the old instance is gone.
    const tagged = h.sim.calls.find((c) => c.command === 'AddTagsToResource' && c.input.ResourceName === final.DBSnapshotArn)!;
    expect(tagged.at).toBeGreaterThanOrEqual(h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!.at + h.sim.durations.delete);

    // A day later: a refresh prunes the pipeline's older snapshot, never the final one; db_restore never picks it.
    h.sim.clock.advance(DAY);
    const refresh = await h.run({ ...INSTANCE, task: 'create_snapshot_only' });
    expect(refresh.status).toBe('SUCCEEDED');
    expect(refresh.output.pruned.deleted).toEqual(['orders-db-trapheus-20260109-080000']);
    expect(h.sim.snapshot(FINAL_INSTANCE_SNAPSHOT)?.Status).toBe('available');
    h.sim.clock.advance(DAY);
    const restore = await h.run({ ...INSTANCE, task: 'db_restore' });
    expect(restore.status).toBe('SUCCEEDED');
    const restoredFrom = h.sim.calls.filter((c) => c.command === 'RestoreDBInstanceFromDBSnapshot').at(-1)!.input.DBSnapshotIdentifier;
    expect(restoredFrom).toBe(refresh.output.snapshot.id);
    // the second restore's final snapshot is its own
    expect(restore.output.finalSnapshot.id).toMatch(/^orders-db-trapheus-final-20260111-\d{6}$/);
    expect(h.sim.snapshot(restore.output.finalSnapshot.id)?.Status).toBe('available');
    expect(h.sim.snapshot(FINAL_INSTANCE_SNAPSHOT)?.Status).toBe('available');
  });

  test('snapshot, then delete: a source-identifier tag copied from the DB onto the final snapshot is overwritten, so refresh still keeps it', async () => {
    const h = snapshotting;
    h.fresh();
    const spec = fullyConfiguredInstance('orders-db');
    h.sim.addInstance({ ...spec, TagList: [...spec.TagList!, { Key: TAG_SOURCE, Value: 'orders-db' }, { Key: TAG_PIPELINE, Value: h.pipelineId }] });
    expect((await h.run(INSTANCE)).status).toBe('SUCCEEDED');
    expect(tagsOf(h.sim.snapshot(FINAL_INSTANCE_SNAPSHOT))[TAG_SOURCE]).toBe('final-snapshot-of:orders-db');
    h.sim.clock.advance(DAY);
    expect((await h.run({ ...INSTANCE, task: 'create_snapshot_only' })).status).toBe('SUCCEEDED');
    expect(h.sim.snapshot(FINAL_INSTANCE_SNAPSHOT)?.Status).toBe('available');
  });

  test('snapshot, then delete: a final snapshot that never becomes available fails the execution after the restore, naming it', async () => {
    const h = snapshotting;
    h.fresh();
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    h.sim.stickNext(FINAL_INSTANCE_SNAPSHOT);
    const result = await h.run(INSTANCE);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('WaitTimedOut');
    expect(result.cause).toMatch(/final snapshot orders-db-trapheus-final-20260109-080000 to be available; it is still creating/);
    expect(result.cause).toMatch(/No rollback: the restored DB instance serves as orders-db/);
    expect(result.cause).toMatch(/Its final snapshot was requested as orders-db-trapheus-final-20260109-080000\./);
  });

  test('keep for 24 hours: the old instance stays, renamed, until 24 hours after the restored one is verified; then it is deleted', async () => {
    const h = keeping;
    h.fresh();
    const original = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const seen: Record<string, { at: number; old?: string; restored?: string }> = {};
    const result = await runPipeline(h.definition, INSTANCE, h.sim, {
      onTask: (state, phase) => {
        if (phase !== 'start') return;
        seen[state] = {
          at: h.sim.clock.elapsed,
          old: h.sim.instance(OLD_INSTANCE)?.DBInstanceStatus,
          restored: h.sim.instance('orders-db')?.DBInstanceStatus,
        };
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.timeline.filter((e) => e.state === 'Keep the old instance for 24 hours')).toEqual([
      expect.objectContaining({ type: 'Wait', seconds: DAY }),
    ]);
    const verified = verifiedAt(result.timeline, 'Verify the restored configuration');
    const deletion = h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!;
    expect(deletion.at).toBeGreaterThanOrEqual(verified + DAY);
    expect(deletion.input).toEqual({ DBInstanceIdentifier: OLD_INSTANCE, SkipFinalSnapshot: true, DeleteAutomatedBackups: false });
    // During the window both are there: the restored one serving under the identifier, the original renamed.
    expect(seen['Verify the restored configuration']).toMatchObject({ old: 'available', restored: 'available' });
    expect(seen['Delete the old instance']).toMatchObject({ old: 'available', restored: 'available' });
    expect(h.sim.endpointDowntime('orders-db')).toHaveLength(1);
    // After it, the original is gone.
    expect(h.sim.instances().map((i) => [i.DBInstanceIdentifier, i.DbiResourceId === original.DbiResourceId])).toEqual([['orders-db', false]]);
    expect(h.sim.snapshots()).toHaveLength(1);
    expect(result.historyEvents).toBeLessThan(1000);
  });

  test('keep for 24 hours: a deletion that fails after the window follows the failure path after the restore, and names the kept original', async () => {
    const h = keeping;
    h.fresh();
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    h.sim.failOn({ command: 'DeleteDBInstance', error: 'InvalidParameterCombination', message: 'The old DB cannot be deleted' });
    const result = await h.run(INSTANCE);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidParameterCombination');
    expect(result.path).toContain('Report the failure after the restore');
    expect(result.path).not.toContain('Report the rollback');
    expect(result.cause).toMatch(/No rollback: the restored DB instance serves as orders-db \(orders-db is available\)\. The original is kept as orders-db-trapheus-old \(orders-db-trapheus-old is available\); delete it once you no longer need it\./);
    const deletion = h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!;
    expect(deletion.at).toBeGreaterThanOrEqual(verifiedAt(result.timeline, 'Verify the restored configuration') + DAY);
  });

  test('deleteOldAutomatedBackups: the old instance goes with its automated backups', async () => {
    const h = droppingBackups;
    h.fresh();
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    expect((await h.run(INSTANCE)).status).toBe('SUCCEEDED');
    expect(h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!.input)
      .toEqual({ DBInstanceIdentifier: OLD_INSTANCE, SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
    expect(h.sim.retainedAutomatedBackups()).toEqual([]);
  });
});

describe('Aurora cluster', () => {
  const deletes = (h: Harness) => h.sim.calls.filter((c) => (c.command === 'DeleteDBInstance' || c.command === 'DeleteDBCluster') && !c.error);

  test('delete (default): members then cluster, without a final snapshot; the cluster\'s automated backups retained', async () => {
    const h = deleting;
    h.fresh();
    const { cluster } = seedCluster(h.sim);
    const result = await h.run(CLUSTER);
    expect(result.status).toBe('SUCCEEDED');
    expect(deletes(h).map((c) => c.input)).toEqual([
      ...OLD_MEMBERS.map((id) => ({ DBInstanceIdentifier: id, SkipFinalSnapshot: true, DeleteAutomatedBackups: false })),
      { DBClusterIdentifier: OLD_CLUSTER, SkipFinalSnapshot: true, DeleteAutomatedBackups: false },
    ]);
    expect(h.sim.clusters().map((c) => c.DBClusterIdentifier)).toEqual(['orders-aurora']);
    expect(h.sim.clusterSnapshots().map((s) => s.DBClusterSnapshotIdentifier)).toEqual(['orders-aurora-trapheus-20260109-080000']);
    expect(h.sim.retainedAutomatedBackups()).toEqual([
      expect.objectContaining({ kind: 'cluster', identifier: OLD_CLUSTER, resourceId: cluster.DbClusterResourceId, retentionPeriod: 14 }),
    ]);
    expect(result.output.finalSnapshot).toBeUndefined();
  });

  test('snapshot, then delete: members without one, the cluster with a final cluster snapshot, tagged and kept by refresh', async () => {
    const h = snapshotting;
    h.fresh();
    const { cluster } = seedCluster(h.sim);
    const result = await h.run(CLUSTER);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.at(-1)).toBe('Cluster restored');
    expect(deletes(h).map((c) => c.input)).toEqual([
      ...OLD_MEMBERS.map((id) => ({ DBInstanceIdentifier: id, SkipFinalSnapshot: true, DeleteAutomatedBackups: false })),
      { DBClusterIdentifier: OLD_CLUSTER, FinalDBSnapshotIdentifier: FINAL_CLUSTER_SNAPSHOT, DeleteAutomatedBackups: false },
    ]);
    const final = h.sim.clusterSnapshot(FINAL_CLUSTER_SNAPSHOT)!;
    expect(final).toMatchObject({ Status: 'available', DBClusterIdentifier: OLD_CLUSTER, DbClusterResourceId: cluster.DbClusterResourceId });
    expect(tagsOf(final)).toMatchObject({ [TAG_FINAL_SNAPSHOT_OF]: 'orders-aurora', [TAG_PIPELINE]: h.pipelineId });
    expect(tagsOf(final)[TAG_SOURCE]).toBeUndefined();
    expect(result.output.finalSnapshot).toMatchObject({ id: FINAL_CLUSTER_SNAPSHOT, status: 'available', of: 'orders-aurora', takenOf: OLD_CLUSTER });
    expect(h.sim.clusters().map((c) => c.DBClusterIdentifier)).toEqual(['orders-aurora']);

    h.sim.clock.advance(DAY);
    const refresh = await h.run({ ...CLUSTER, task: 'create_snapshot_only' });
    expect(refresh.status).toBe('SUCCEEDED');
    expect(refresh.output.pruned.deleted).toEqual(['orders-aurora-trapheus-20260109-080000']);
    expect(h.sim.clusterSnapshot(FINAL_CLUSTER_SNAPSHOT)?.Status).toBe('available');
  });

  test('snapshot, then delete: a final cluster snapshot that cannot be tagged fails after the restore, naming it', async () => {
    const h = snapshotting;
    h.fresh();
    seedCluster(h.sim);
    h.sim.failOn({ command: 'AddTagsToResource', when: (i) => String(i.ResourceName).endsWith(FINAL_CLUSTER_SNAPSHOT), error: 'AccessDenied', message: 'not allowed' });
    const result = await h.run(CLUSTER);
    expect(result.status).toBe('FAILED');
    expect(result.path).toContain('Report the failure after the restore');
    expect(result.cause).toMatch(/Its final cluster snapshot was requested as orders-aurora-trapheus-final-20260109-080000\./);
    expect(h.sim.clusterSnapshot(FINAL_CLUSTER_SNAPSHOT)?.Status).toBe('available');
  });

  test('keep for 24 hours: the old cluster and its members stay until 24 hours after the verify; then members, then cluster, are deleted', async () => {
    const h = keeping;
    h.fresh();
    seedCluster(h.sim);
    let duringWindow: { cluster?: string; members: (string | undefined)[] } | undefined;
    const result = await runPipeline(h.definition, CLUSTER, h.sim, {
      onTask: (state, phase) => {
        if (state === 'Delete the old cluster members' && phase === 'start') {
          duringWindow = { cluster: h.sim.cluster(OLD_CLUSTER)?.Status, members: OLD_MEMBERS.map((m) => h.sim.instance(m)?.DBInstanceStatus) };
        }
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.timeline.filter((e) => e.state === 'Keep the old cluster for 24 hours')).toEqual([expect.objectContaining({ type: 'Wait', seconds: DAY })]);
    const verified = verifiedAt(result.timeline, 'Verify the restored cluster and its writer');
    const [firstDelete] = deletes(h);
    expect(firstDelete.at).toBeGreaterThanOrEqual(verified + DAY);
    expect(duringWindow).toEqual({ cluster: 'available', members: ['available', 'available', 'available'] });
    expect(h.sim.clusters().map((c) => c.DBClusterIdentifier)).toEqual(['orders-aurora']);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier).sort()).toEqual(['orders-aurora-1', 'orders-aurora-2', 'orders-aurora-3']);
  });

  test('deleteOldAutomatedBackups: the cluster goes with its automated backups (and says so for its members)', async () => {
    const h = droppingBackups;
    h.fresh();
    seedCluster(h.sim);
    expect((await h.run(CLUSTER)).status).toBe('SUCCEEDED');
    expect(deletes(h).map((c) => c.input.DeleteAutomatedBackups)).toEqual([true, true, true, true]);
    expect(h.sim.retainedAutomatedBackups()).toEqual([]);
  });
});
