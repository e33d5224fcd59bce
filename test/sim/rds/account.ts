/**
 * DescribeAccountAttributes: the account's RDS quotas with their use
 * (API reference, API_DescribeAccountAttributes: takes no parameters, answers
 * AccountQuotas, each { AccountQuotaName, Used, Max }; API_AccountQuota:
 * `DBInstances` "the number of DB instances per account", `DBClusters`,
 * `ManualSnapshots` "the number of manual DB instance snapshots per account",
 * `ManualClusterSnapshots`, ...). Only those four are simulated; their Used is
 * counted from the simulator's records.
 *
 * Default maxima: RDS User Guide, "Quotas in Amazon RDS": 40 DB instances,
 * 40 DB clusters, 100 manual DB instance snapshots, 100 manual DB cluster
 * snapshots per account and Region. A test sets its own with `sim.quotas`.
 */
export const DEFAULT_QUOTAS = { DBInstances: 40, DBClusters: 40, ManualSnapshots: 100, ManualClusterSnapshots: 100 };

export type QuotaName = keyof typeof DEFAULT_QUOTAS;

export interface AccountUse {
  readonly instances: number;
  readonly clusters: number;
  readonly manualSnapshots: number;
  readonly manualClusterSnapshots: number;
}

export function describeAccountAttributes(max: Record<QuotaName, number>, use: AccountUse): object {
  const used: Record<QuotaName, number> = {
    DBInstances: use.instances,
    DBClusters: use.clusters,
    ManualSnapshots: use.manualSnapshots,
    ManualClusterSnapshots: use.manualClusterSnapshots,
  };
  return {
    AccountQuotas: (Object.keys(DEFAULT_QUOTAS) as QuotaName[]).map((name) => ({ AccountQuotaName: name, Used: used[name], Max: max[name] })),
  };
}

/** What the simulator holds now, as DescribeAccountAttributes counts it (manual snapshots only). */
export function accountUse(sim: {
  instances(): unknown[];
  clusters(): unknown[];
  snapshots(): { SnapshotType?: string }[];
  clusterSnapshots(): { SnapshotType?: string }[];
}): AccountUse {
  return {
    instances: sim.instances().length,
    clusters: sim.clusters().length,
    manualSnapshots: sim.snapshots().filter((s) => s.SnapshotType === 'manual').length,
    manualClusterSnapshots: sim.clusterSnapshots().filter((s) => s.SnapshotType === 'manual').length,
  };
}
