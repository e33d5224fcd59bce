/**
 * Instances of an Aurora DB cluster (members): what the cluster owns and a
 * member may not set, CreateDBInstance in a cluster, deleting a member, and
 * seeding one. Writer election is in state.ts (it runs as time passes).
 */
import { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { rdsFault } from './faults';
import { deriveSeeded, instanceDefaults, setAttribute, viewInstance } from './instance-model';
import { useKeyForCaller } from './kms';
import { GONE, InstanceRecord, invalidIdentifier, Lifecycle, validIdentifier } from './lifecycle';
import type { SimState } from './state';
import { ClusterInstanceSpec } from './types';

/**
 * Parameters Aurora keeps at the cluster level: CreateDBInstance and
 * ModifyDBInstance of a member refuse them (InvalidParameterCombination).
 * Source: API_CreateDBInstance and API_ModifyDBInstance, where each of these
 * "doesn't apply to Amazon Aurora DB instances" (it is "managed by the DB
 * cluster"). That RDS refuses rather than ignores them, and the wording, are observed.
 */
export const CLUSTER_LEVEL_PARAMETERS = ['AllocatedStorage', 'MaxAllocatedStorage', 'StorageType', 'Iops', 'StorageThroughput',
  'MultiAZ', 'VpcSecurityGroupIds', 'DBSecurityGroups', 'MasterUsername', 'MasterUserPassword', 'ManageMasterUserPassword',
  'DBName', 'Port', 'DBPortNumber', 'BackupRetentionPeriod', 'PreferredBackupWindow', 'StorageEncrypted', 'KmsKeyId',
  'EnableIAMDatabaseAuthentication', 'DeletionProtection', 'EnableCloudwatchLogsExports', 'CloudwatchLogsExportConfiguration'];

/** CreateDBInstance parameters of a member handled one by one (all others go through SETTERS). */
export const MEMBER_CREATE_HANDLED = new Set(['DBInstanceIdentifier', 'DBClusterIdentifier', 'Engine', 'EngineVersion', 'DBSubnetGroupName']);

/** A complete member DBInstance of `cluster` (cluster-level attributes are shown from the cluster). Class and tier: seed choices (PromotionTier 1 is API_CreateDBInstance's default). */
export function memberDefaults(sim: SimState, id: string, cluster: DBCluster): DBInstance {
  return {
    ...instanceDefaults(sim, id, cluster.Engine!, cluster.EngineVersion),
    DBInstanceClass: 'db.r6g.large',
    DBClusterIdentifier: cluster.DBClusterIdentifier,
    AllocatedStorage: 1,
    StorageType: 'aurora',
    PromotionTier: 1,
    MultiAZ: false,
    MasterUsername: cluster.MasterUsername,
    DBName: cluster.DatabaseName,
  };
}

/**
 * Seed a member instance of an existing cluster (default 'available'; the
 * engine is the cluster's). The first available member of a cluster with no
 * writer becomes its writer.
 */
export function seedClusterInstance(sim: SimState, spec: ClusterInstanceSpec): DBInstance {
  sim.advance();
  const cluster = sim.findCluster(spec.DBClusterIdentifier.toLowerCase());
  if (!cluster) throw new Error(`addClusterInstance: no cluster '${spec.DBClusterIdentifier}'`);
  if (spec.Engine !== undefined && spec.Engine !== cluster.data.Engine) {
    throw new Error(`addClusterInstance: engine '${spec.Engine}' is not the cluster's ('${cluster.data.Engine}')`);
  }
  if (!validIdentifier(spec.DBInstanceIdentifier, 63)) throw new Error(`addClusterInstance: invalid identifier '${spec.DBInstanceIdentifier}'`);
  const id = spec.DBInstanceIdentifier.toLowerCase();
  if (sim.instanceIdTaken(id)) throw new Error(`addClusterInstance: an instance '${id}' already exists`);
  const { Tags, DBInstanceStatus, PendingModifiedValues: _ignored, ...rest } = structuredClone(spec);
  const data: DBInstance = {
    ...memberDefaults(sim, id, cluster.data),
    ...rest,
    Engine: cluster.data.Engine,
    DBInstanceIdentifier: id,
    DBClusterIdentifier: cluster.data.DBClusterIdentifier,
  };
  if (Tags) data.TagList = Tags;
  deriveSeeded(sim, data, { ...spec, Engine: cluster.data.Engine! });
  const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle(DBInstanceStatus ?? 'available', sim.clock.elapsed), pending: {} };
  sim.records.push(rec);
  sim.claim(rec, id);
  sim.electWriters();
  sim.syncEndpoints(sim.clock.elapsed);
  return viewInstance(sim, rec);
}

/**
 * CreateDBInstance, for a member of an Aurora DB cluster only: the cluster
 * must be available, the engine the cluster's, and nothing the cluster owns
 * (storage, Multi-AZ, security groups, backups...) may be given.
 * Sources: API_CreateDBInstance (DBInstanceClass and Engine are required;
 * MonitoringRoleArn is required with a MonitoringInterval other than 0; the
 * engine must be the cluster's, wording assumed); a db.serverless instance needs
 * the cluster's capacity range first (Aurora User Guide, "Requirements and
 * limitations for Aurora Serverless v2": "Clusters that use Aurora Serverless v2
 * must have a capacity range specified").
 */
export function createDBInstance(sim: SimState, input: Record<string, any>): object {
  if (input.DBClusterIdentifier === undefined) {
    throw new Error('RdsSimulator implements CreateDBInstance only for members of a DB cluster (DBClusterIdentifier)');
  }
  if (!validIdentifier(input.DBInstanceIdentifier, 63)) throw invalidIdentifier('DBInstanceIdentifier');
  for (const name of ['DBInstanceClass', 'Engine']) {
    if (!input[name]) throw rdsFault('MissingParameter', `The request must contain the parameter ${name}`);
  }
  const cluster = sim.requireCluster(input.DBClusterIdentifier);
  const c = cluster.data;
  if (input.Engine !== c.Engine) {
    throw rdsFault('InvalidParameterCombination',
      `The engine name requested for your DB instance (${input.Engine}) doesn't match the engine name of your DB cluster (${c.Engine}).`);
  }
  if (input.EngineVersion !== undefined && input.EngineVersion !== c.EngineVersion) {
    throw rdsFault('InvalidParameterCombination',
      `The engine version requested for your DB instance (${input.EngineVersion}) does not match the engine version of your DB cluster (${c.EngineVersion}).`);
  }
  const clusterLevel = CLUSTER_LEVEL_PARAMETERS.find(k => input[k] !== undefined);
  if (clusterLevel) {
    throw rdsFault('InvalidParameterCombination', `The requested DB Instance will be a member of a DB Cluster. Set ${clusterLevel} for the DB Cluster.`);
  }
  const id = input.DBInstanceIdentifier.toLowerCase();
  if (sim.instanceIdTaken(id)) throw rdsFault('DBInstanceAlreadyExistsFault', 'DB instance already exists');
  sim.checkState('CreateClusterMember', cluster);
  if (input.DBInstanceClass === 'db.serverless' && !c.ServerlessV2ScalingConfiguration) {
    throw rdsFault('InvalidParameterCombination',
      `Set the Serverless v2 scaling configuration (ServerlessV2ScalingConfiguration) of DB cluster ${c.DBClusterIdentifier} before creating a db.serverless DB instance in it.`);
  }
  if (input.MonitoringInterval > 0 && !input.MonitoringRoleArn) {
    throw rdsFault('InvalidParameterCombination', 'A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.');
  }
  useKeyForCaller(sim.env, input.PerformanceInsightsKMSKeyId);
  const data = memberDefaults(sim, id, c);
  for (const [name, value] of Object.entries(input)) {
    if (value !== undefined && !MEMBER_CREATE_HANDLED.has(name)) setAttribute(data, name, value, sim.env);
  }
  const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle('creating', sim.clock.elapsed), pending: {} };
  rec.life.run([{ status: 'creating', seconds: sim.durations.memberCreate }, { status: 'available' }], sim.clock.elapsed);
  sim.records.push(rec);
  sim.claim(rec, id);
  return { DBInstance: viewInstance(sim, rec) };
}

/**
 * A cluster member: no final snapshot (the data is the cluster's), and the
 * cluster's deletion protection does not stop it (Aurora User Guide,
 * "Deleting Aurora DB clusters and DB instances"). Deleting the writer fails
 * over to a reader at once; the member leaves the cluster when it is gone.
 */
export function deleteMember(sim: SimState, rec: InstanceRecord, input: { FinalDBSnapshotIdentifier?: string }): object {
  if (input.FinalDBSnapshotIdentifier !== undefined) {
    throw rdsFault('InvalidParameterCombination', 'FinalDBSnapshotIdentifier can not be specified when deleting a clustered instance');
  }
  rec.renameTo = undefined;
  rec.renameReserved = false;
  rec.writer = false;
  rec.life.run([{ status: 'deleting', seconds: sim.durations.delete }, { status: GONE }], sim.clock.elapsed);
  return { DBInstance: viewInstance(sim, rec) };
}
