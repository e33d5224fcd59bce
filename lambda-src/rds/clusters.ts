import { DBCluster, DBInstance, DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, unlessAbsent } from './errors';

/** The cluster under `identifier`, or undefined when there is none. */
export async function findCluster(identifier: string): Promise<DBCluster | undefined> {
  const out = await unlessAbsent(['DBClusterNotFoundFault', 'DBClusterNotFound'], `Describing DB cluster ${identifier}`,
    () => rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })));
  return out?.DBClusters?.[0];
}

/** The cluster with this DbClusterResourceId, whatever it is called now, or undefined. */
export async function findClusterByResourceId(resourceId: string): Promise<DBCluster | undefined> {
  const out = await attempt(`Looking up DB cluster ${resourceId}`, () =>
    rds().send(new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-resource-id', Values: [resourceId] }] })));
  return out.DBClusters?.[0];
}

/** The member instances of `cluster`, described. */
export async function clusterMembers(cluster: DBCluster): Promise<DBInstance[]> {
  if (!cluster.DBClusterMembers?.length) return [];
  const out = await attempt(`Describing the members of ${cluster.DBClusterIdentifier}`, () =>
    rds().send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [cluster.DBClusterIdentifier!] }] })));
  return out.DBInstances ?? [];
}

/** The writer's identifier, from DescribeDBClusters. */
export function writerOf(cluster: DBCluster): string | undefined {
  return cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
}

/** Why the pipeline cannot restore this cluster in place, or undefined when it can. */
export function unsupportedKind(cluster: DBCluster): string | undefined {
  const id = cluster.DBClusterIdentifier;
  if (!cluster.Engine?.startsWith('aurora')) {
    return `${id} is a Multi-AZ DB cluster (${cluster.Engine}); only Aurora clusters are supported`;
  }
  if (cluster.EngineMode && cluster.EngineMode !== 'provisioned') {
    return `${id} uses engine mode ${cluster.EngineMode} (Aurora Serverless v1 and other modes are not supported; serverless v2 runs in provisioned mode)`;
  }
  if (cluster.GlobalClusterIdentifier) return `${id} is a member of global database ${cluster.GlobalClusterIdentifier}`;
  if (cluster.ReplicationSourceIdentifier || (cluster.ReadReplicaIdentifiers ?? []).length > 0) {
    return `${id} is part of a cross-Region replication set`;
  }
  if (cluster.ClusterScalabilityType === 'limitless') return `${id} is an Aurora Limitless database`;
  return undefined;
}

/**
 * Aurora DB cluster statuses, from the Aurora User Guide ("Viewing DB cluster
 * status", the status table), and whether each ends without anyone acting:
 * - `rests`: `available`, where every step of the pipeline may act;
 * - `by itself`: a transition RDS finishes (a wait keeps polling);
 * - `never`: the cluster stays there until someone acts, so a wait for it to be
 *   available fails at once instead of waiting its maximum: a failed clone or
 *   migration; a KMS key that "can't be accessed or recovered", or that only a
 *   restart of the cluster can recover (`-recoverable`); `stopped` (and
 *   `stopping`, which ends there) until someone starts it.
 * An unknown status is taken as a transition. Every wait for a cluster waits
 * for exactly `available`: CreateDBInstance of a member needs it
 * (API_RestoreDBClusterFromSnapshot: "You can create DB instances only after
 * ... the DB cluster is available"), and the guide does not say which steps
 * the other statuses allow.
 */
export const CLUSTER_STATUSES: Readonly<Record<string, 'rests' | 'by itself' | 'never'>> = {
  'available': 'rests',
  'backing-up': 'by itself',
  'backtracking': 'by itself',
  'creating': 'by itself',
  'deleting': 'by itself',
  'failing-over': 'by itself',
  'maintenance': 'by itself',
  'migrating': 'by itself',
  'modifying': 'by itself',
  'promoting': 'by itself',
  'renaming': 'by itself',
  'resetting-master-credentials': 'by itself',
  'starting': 'by itself',
  'storage-optimization': 'by itself',
  'update-iam-db-auth': 'by itself',
  'upgrading': 'by itself',
  'cloning-failed': 'never',
  'migration-failed': 'never',
  'inaccessible-encryption-credentials': 'never',
  'inaccessible-encryption-credentials-recoverable': 'never',
  'stopped': 'never',
  'stopping': 'never',
};

/** How a cluster status ends (see CLUSTER_STATUSES). */
export function clusterStatusEnds(status: string): 'rests' | 'by itself' | 'never' {
  return CLUSTER_STATUSES[status] ?? 'by itself';
}

/** What to do about a status that never ends by itself, where the Aurora User Guide says it. */
export const CLUSTER_STATUS_ADVICE: Readonly<Record<string, string>> = {
  'inaccessible-encryption-credentials': ': its KMS key can\'t be accessed or recovered',
  'inaccessible-encryption-credentials-recoverable': ': its KMS key can\'t be accessed; if the key is active, restarting the cluster can recover it',
  'stopped': ': start it (StartDBCluster), then run the pipeline again',
  'stopping': ': it is being stopped; start it (StartDBCluster), then run the pipeline again',
};
