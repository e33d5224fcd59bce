import { DNS_RECORD, DNS_ZONE, GOLDEN, ID, MANAGED_KEY, Scenario } from './scenarios';
import { TAG_COPY_OF } from '../../../lambda-src/rds/copies';
import { TAG_PIPELINE } from '../../../lambda-src/rds/naming';
import type { RdsSimulator } from '../../sim/rds-sim';
import type { Route53Simulator } from '../../sim/route53';
import type { RunResult } from '../../sim/run-pipeline';

/** What each run of the matrix must keep (numbered as in matrix.ts). */

const SERVING = new Set(['available', 'backing-up', 'modifying', 'configuring-enhanced-monitoring', 'configuring-log-exports', 'storage-optimization']);

/**
 * The identifier clients reach: the input's, or with a DNS alias the one the
 * record points at now (the first label of its value).
 */
export function servedId(s: Scenario, dns?: Route53Simulator): string {
  return s.dns ? (dns?.record(DNS_ZONE, DNS_RECORD)?.values[0] ?? ID(s)).split('.')[0] : ID(s);
}

/** Invariant 3, checked at the moment of each delete call. */
export function watchDeletions(sim: RdsSimulator, s: Scenario, originals: Set<string>, violations: string[], dns?: Route53Simulator) {
  const replacementServes = () => {
    const id = servedId(s, dns);
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

/**
 * Invariant 7 (a snapshot shared from another account): the shared snapshot is
 * still available; a run makes at most one copy; once a run has SUCCEEDED its copy
 * is gone or being deleted (or, keepSnapshotCopies, available and tagged as the
 * pipeline's copy of the shared snapshot); a FAILED run may leave its copy (the
 * next successful restore from a shared snapshot deletes it) but its cause names it.
 */
function copyInvariant(s: Scenario, sim: RdsSimulator, result: RunResult, pipelineId: string): string[] {
  const problems: string[] = [];
  const golden = GOLDEN(s.isCluster);
  const all = s.isCluster
    ? sim.clusterSnapshots().map((x) => ({ id: x.DBClusterSnapshotIdentifier!, status: x.Status, tags: x.TagList ?? [] }))
    : sim.snapshots().map((x) => ({ id: x.DBSnapshotIdentifier!, status: x.Status, tags: x.TagList ?? [] }));
  if (all.find((x) => x.id === golden)?.status !== 'available') problems.push(`the shared snapshot ${golden} is not available any more`);
  const copies = all.filter((x) => x.id.startsWith(`${ID(s)}-trapheus-copy-`) && x.status !== 'deleting');
  if (copies.length > 1) problems.push(`${copies.length} copies of the shared snapshot: ${copies.map((x) => x.id).join(', ')}`);
  for (const copy of copies) {
    if (result.status === 'SUCCEEDED' && s.copy === 'kept') {
      const tagged = copy.tags.some((t) => t.Key === TAG_COPY_OF && t.Value === golden)
        && copy.tags.some((t) => t.Key === TAG_PIPELINE && t.Value === pipelineId);
      if (copy.status !== 'available' || !tagged) problems.push(`the kept copy ${copy.id} is ${copy.status}${tagged ? '' : ', not tagged as this pipeline\'s copy'}`);
    } else if (result.status === 'SUCCEEDED') {
      problems.push(`the copy ${copy.id} (${copy.status}) is left after a successful run`);
    } else if (!(result.cause ?? '').includes(copy.id)) {
      problems.push(`the copy ${copy.id} (${copy.status}) is left, not named in the cause`);
    }
  }
  if (result.status === 'SUCCEEDED' && s.copy === 'kept' && copies.length === 0) problems.push('keepSnapshotCopies, but no copy is kept');
  return problems;
}

/** Invariant 8 (restoreManagedMasterPassword): a run that SUCCEEDED leaves the DB serving the identifier with a managed password under the original's key. */
function managedPasswordInvariant(s: Scenario, sim: RdsSimulator, result: RunResult): string[] {
  if (result.status !== 'SUCCEEDED') return [];
  const secret = s.isCluster ? sim.cluster(ID(s))?.MasterUserSecret : sim.instance(ID(s))?.MasterUserSecret;
  return secret?.SecretArn && secret.KmsKeyId === MANAGED_KEY ? [] : [`${ID(s)} has no managed master password under ${MANAGED_KEY} after a successful run`];
}

/** Invariants 1, 2, 4, 7 and 8 after a run. */
export function invariants(
  s: Scenario, sim: RdsSimulator, result: RunResult, originals: { ids: string[]; pipelineId: string }, dns?: Route53Simulator,
): string[] {
  const problems: string[] = [];
  if (result.status !== 'SUCCEEDED' && result.status !== 'FAILED') problems.push(`ended ${result.status}`);
  const cause = result.cause ?? '';
  const rollbackFailed = /ROLLBACK FAILED/.test(cause);
  const id = servedId(s, dns);
  const served = s.isCluster
    ? (() => {
      const cluster = sim.cluster(id);
      const writer = sim.writer(id);
      return !!cluster && SERVING.has(cluster.Status!) && !!writer && SERVING.has(sim.instance(writer)?.DBInstanceStatus ?? '');
    })()
    : SERVING.has(sim.instance(id)?.DBInstanceStatus ?? 'absent');
  if (!served && !rollbackFailed) problems.push(`${id} is not served and the cause does not report a failed rollback`);
  // a DNS alias: the database the record points at (and its members) is the one clients use, not a leftover
  const known = new Set([...originals.ids, ...(s.dns ? [id, ...(sim.cluster(id)?.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier!)] : [])]);
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
  if (s.copy) problems.push(...copyInvariant(s, sim, result, originals.pipelineId));
  if (s.managedPassword) problems.push(...managedPasswordInvariant(s, sim, result));
  return problems;
}

