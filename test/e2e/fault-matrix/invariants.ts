import { ID, Scenario } from './scenarios';
import type { RdsSimulator } from '../../sim/rds-sim';
import type { RunResult } from '../../sim/run-pipeline';

/** What each run of the matrix must keep (numbered as in matrix.ts). */

const SERVING = new Set(['available', 'backing-up', 'modifying', 'configuring-enhanced-monitoring', 'configuring-log-exports', 'storage-optimization']);

/** Invariant 3, checked at the moment of each delete call. */
export function watchDeletions(sim: RdsSimulator, s: Scenario, originals: Set<string>, violations: string[]) {
  const id = ID(s);
  const replacementServes = () => {
    if (!s.isCluster) {
      const db = sim.instance(id);
      return !!db && db.DBInstanceStatus === 'available' && !originals.has(db.DbiResourceId!);
    }
    const cluster = sim.cluster(id);
    const members = (cluster?.DBClusterMembers ?? []).map((m) => sim.instance(m.DBInstanceIdentifier!));
    return !!cluster && cluster.Status === 'available' && !originals.has(cluster.DbClusterResourceId!)
      && members.length === 3 && members.every((m) => m?.DBInstanceStatus === 'available');
  };
  const probe = (command: string, check: (input: any) => string | undefined) => sim.failOn({
    command,
    error: 'never',
    when: (input) => {
      const problem = check(input);
      if (problem) violations.push(problem);
      return false;
    },
  });
  probe('DeleteDBInstance', (i) => {
    const db = sim.instance(i.DBInstanceIdentifier);
    return db && originals.has(db.DbiResourceId!) && !replacementServes() ? `deleted original ${i.DBInstanceIdentifier} without a verified replacement` : undefined;
  });
  probe('DeleteDBCluster', (i) => {
    const c = sim.cluster(i.DBClusterIdentifier);
    return c && originals.has(c.DbClusterResourceId!) && !replacementServes() ? `deleted original cluster ${i.DBClusterIdentifier} without a verified replacement` : undefined;
  });
  for (const command of ['DeleteDBSnapshot', 'DeleteDBClusterSnapshot']) {
    probe(command, (i) => {
      const deleting = i.DBSnapshotIdentifier ?? i.DBClusterSnapshotIdentifier;
      const all = s.isCluster
        ? sim.clusterSnapshots().map((x) => ({ id: x.DBClusterSnapshotIdentifier, status: x.Status }))
        : sim.snapshots().map((x) => ({ id: x.DBSnapshotIdentifier, status: x.Status }));
      return all.some((x) => x.id !== deleting && x.status === 'available') ? undefined : `deleted snapshot ${deleting} with no other available snapshot`;
    });
  }
}

/** Invariants 1, 2 and 4 after a run. */
export function invariants(s: Scenario, sim: RdsSimulator, result: RunResult, originals: { ids: string[] }): string[] {
  const problems: string[] = [];
  if (result.status !== 'SUCCEEDED' && result.status !== 'FAILED') problems.push(`ended ${result.status}`);
  const cause = result.cause ?? '';
  const rollbackFailed = /ROLLBACK FAILED/.test(cause);
  const id = ID(s);
  const served = s.isCluster
    ? (() => {
      const cluster = sim.cluster(id);
      const writer = sim.writer(id);
      return !!cluster && SERVING.has(cluster.Status!) && !!writer && SERVING.has(sim.instance(writer)?.DBInstanceStatus ?? '');
    })()
    : SERVING.has(sim.instance(id)?.DBInstanceStatus ?? 'absent');
  if (!served && !rollbackFailed) problems.push(`${id} is not served and the cause does not report a failed rollback`);
  const known = new Set(originals.ids);
  const leftovers = [
    ...sim.instances().map((i) => i.DBInstanceIdentifier!),
    ...(s.isCluster ? sim.clusters().map((c) => c.DBClusterIdentifier!) : []),
  ].filter((x) => !known.has(x));
  const snapshots = s.isCluster
    ? sim.clusterSnapshots().map((x) => [x.DBClusterSnapshotIdentifier!, x.Status])
    : sim.snapshots().map((x) => [x.DBSnapshotIdentifier!, x.Status]);
  const stuckSnapshots = snapshots.filter(([, status]) => status !== 'available' && status !== 'deleting').map(([x]) => x!);
  for (const left of [...leftovers, ...stuckSnapshots]) {
    if (result.status === 'SUCCEEDED' || !cause.includes(left)) problems.push(`${left} is left behind, not named in the cause`);
  }
  if (result.status === 'FAILED' && /errorType|"trace"|\n\s+at /.test(cause)) problems.push('the cause leaks a stack trace');
  return problems;
}

