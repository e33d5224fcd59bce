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
