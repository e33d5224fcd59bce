import { AccountQuota } from '@aws-sdk/client-rds';
import { parseSnapshotArn } from '../../src/input-sources';

/**
 * Snapshot copies RDS runs at once per destination Region and account (RDS
 * User Guide, "Copying a DB snapshot": up to 20 copy requests in progress; a
 * limit of the service, not in DescribeAccountAttributes; 2023 text).
 */
export const MAX_COPIES_IN_PROGRESS = 20;

/** Whether the target restores a snapshot shared from another account: the pipeline copies it first. */
export function copiesSharedSnapshot(t: { task: string; snapshotIdentifier?: string }, account: string | undefined): boolean {
  const arn = t.task === 'db_restore' && t.snapshotIdentifier ? parseSnapshotArn(t.snapshotIdentifier) : undefined;
  return arn !== undefined && arn.account !== account;
}

/** What one target adds to the account while it runs, and keeps after. */
export interface TargetNeeds {
  readonly identifier: string;
  /** DB instances that exist beside the original while it runs (the restored one; a cluster's members). */
  readonly instances: number;
  readonly clusters: number;
  /** Manual snapshots it makes (kept: the refresh prunes older ones only after the new one is available). */
  readonly snapshots: number;
  readonly clusterSnapshots: number;
}

/**
 * What a target needs: a create task makes one manual snapshot (DB or
 * cluster); a restore (db_restore, create_snapshot) creates the restored
 * database beside the renamed original until the original is deleted: one DB
 * instance, or one DB cluster and as many instances as it has members.
 */
export function targetNeeds(t: { identifier: string; task: string; isCluster: boolean }, members: number): TargetNeeds {
  const snapshot = t.task === 'create_snapshot' || t.task === 'create_snapshot_only' ? 1 : 0;
  const restores = t.task === 'create_snapshot' || t.task === 'db_restore';
  return {
    identifier: t.identifier,
    instances: restores ? (t.isCluster ? members : 1) : 0,
    clusters: restores && t.isCluster ? 1 : 0,
    snapshots: t.isCluster ? 0 : snapshot,
    clusterSnapshots: t.isCluster ? snapshot : 0,
  };
}

/** A quota the fleet would pass, in words; empty when it fits. `copies`: targets that copy a shared snapshot first. */
export function quotaProblems(quotas: AccountQuota[], needs: TargetNeeds[], concurrency: number, copies = 0): string[] {
  const byName = new Map(quotas.map((q) => [q.AccountQuotaName, q]));
  // Databases exist only while their target runs: at most `concurrency` targets at a time (the largest ones, to be safe).
  const busiest = (pick: (n: TargetNeeds) => number) => needs.map(pick).sort((a, b) => b - a).slice(0, concurrency).reduce((a, b) => a + b, 0);
  // Snapshots stay: every target's count.
  const all = (pick: (n: TargetNeeds) => number) => needs.map(pick).reduce((a, b) => a + b, 0);
  const checks: [string, number, string][] = [
    ['DBInstances', busiest((n) => n.instances), 'DB instances created beside the originals while their targets run'],
    ['DBClusters', busiest((n) => n.clusters), 'DB clusters created beside the originals while their targets run'],
    ['ManualSnapshots', all((n) => n.snapshots), 'manual DB snapshots the targets take'],
    ['ManualClusterSnapshots', all((n) => n.clusterSnapshots), 'manual DB cluster snapshots the targets take'],
  ];
  const problems: string[] = [];
  for (const [name, needed, what] of checks) {
    const q = byName.get(name);
    if (needed === 0 || q?.Max === undefined || q.Used === undefined) continue;
    if (q.Used + needed > q.Max) {
      problems.push(`${name}: the fleet needs ${needed} more (${what}), but ${q.Used} of ${q.Max} are used; `
        + `raise the quota in Service Quotas, free ${q.Used + needed - q.Max}, or run fewer targets${name.startsWith('DB') ? ' at a time (maxConcurrency)' : ''}.`);
    }
  }
  if (Math.min(copies, concurrency) > MAX_COPIES_IN_PROGRESS) {
    problems.push(`Snapshot copies: ${Math.min(copies, concurrency)} targets would copy a shared snapshot at once; RDS runs at most `
      + `${MAX_COPIES_IN_PROGRESS} copies in progress per Region and account: set maxConcurrency to ${MAX_COPIES_IN_PROGRESS} or less.`);
  }
  return problems;
}
