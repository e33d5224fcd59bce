/**
 * What a DB cluster is made of: the values RDS gives a new one, how request
 * parameters land on it (CLUSTER_SETTERS, shared by Restore and Modify),
 * when a ModifyDBCluster change takes effect, and how DescribeDBClusters
 * shows it (members, writer, Multi-AZ, pending values).
 */
import { ClusterPendingModifiedValues, DBCluster, DBClusterMember, Tag } from '@aws-sdk/client-rds';
import { restorableWindow } from './backups';
import {
  awsRdsKey, certificate, DEFAULT_CA, defaultParameterGroup, engineInfo, Env, HOSTED_ZONE_ID, isAurora, logExports, vpcSecurityGroup,
} from './engines';
import { keyArn } from './kms';
import { ClusterRecord } from './lifecycle';
import { awsSecretsManagerKey } from './secrets';
import type { SimState } from './state';

// ===========================================================================
// How request parameters land on a DBCluster (Restore and ModifyDBCluster)
// ===========================================================================

export type ClusterSetter = (c: DBCluster, value: any, env: Env) => void;

/**
 * Like SETTERS, for clusters. Any parameter not listed is stored under its own name.
 * Sources: the request parameters of API_RestoreDBClusterFromSnapshot and
 * API_ModifyDBCluster, the attributes of API_DBCluster (DBSubnetGroup and
 * DBClusterParameterGroup are names); Performance Insights: retention 7 days and
 * the aws/rds key by default (API_ModifyDBCluster).
 */
export const CLUSTER_SETTERS: Record<string, ClusterSetter> = {
  VpcSecurityGroupIds: (c, v: string[]) => { c.VpcSecurityGroups = v.map(vpcSecurityGroup); },
  DBClusterParameterGroupName: (c, v: string) => { c.DBClusterParameterGroup = v; },
  // DescribeDBClusters shows the subnet group by name only
  DBSubnetGroupName: (c, v: string) => { c.DBSubnetGroup = v; },
  OptionGroupName: (c, v: string) => { c.DBClusterOptionGroupMemberships = [{ DBClusterOptionGroupName: v, Status: 'in-sync' }]; },
  EnableIAMDatabaseAuthentication: (c, v: boolean) => { c.IAMDatabaseAuthenticationEnabled = v; },
  EnableHttpEndpoint: (c, v: boolean) => { c.HttpEndpointEnabled = v; },
  EnableCloudwatchLogsExports: (c, v: string[]) => { c.EnabledCloudwatchLogsExports = v.length ? [...v] : undefined; },
  CloudwatchLogsExportConfiguration: (c, v) => { c.EnabledCloudwatchLogsExports = logExports(c.EnabledCloudwatchLogsExports, v); },
  Tags: (c, v: Tag[]) => { c.TagList = structuredClone(v); },
  ScalingConfiguration: (c, v: object) => { c.ScalingConfigurationInfo = { ...c.ScalingConfigurationInfo, ...v }; },
  ServerlessV2ScalingConfiguration: (c, v: object) => { c.ServerlessV2ScalingConfiguration = { ...c.ServerlessV2ScalingConfiguration, ...v }; },
  EnablePerformanceInsights: (c, v: boolean, env) => {
    c.PerformanceInsightsEnabled = v;
    c.PerformanceInsightsKMSKeyId = v ? c.PerformanceInsightsKMSKeyId ?? awsRdsKey(env) : undefined;
    c.PerformanceInsightsRetentionPeriod = v ? c.PerformanceInsightsRetentionPeriod ?? 7 : undefined;
  },
  EnableLocalWriteForwarding: (c, v: boolean) => { c.LocalWriteForwardingStatus = v ? 'enabled' : 'disabled'; },
  EnableGlobalWriteForwarding: (c, v: boolean) => { c.GlobalWriteForwardingRequested = v; },
  EnableVPCNetworking: (c, v: boolean) => { c.VPCNetworkingEnabled = v; },
  EnableInternetAccessGateway: (c, v: boolean) => { c.InternetAccessGatewayEnabled = v; },
  Domain: (c, v: string) => { c.DomainMemberships = [{ ...c.DomainMemberships?.[0], Domain: v, Status: 'joined' }]; },
  DomainIAMRoleName: (c, v: string) => { c.DomainMemberships = [{ ...c.DomainMemberships?.[0], IAMRoleName: v }]; },
  AssociatedRoles: (c, v: { RoleArn?: string; FeatureName?: string }[]) => {
    c.AssociatedRoles = v.map(r => ({ RoleArn: r.RoleArn, FeatureName: r.FeatureName, Status: 'ACTIVE' }));
  },
  CACertificateIdentifier: (c, v: string, env) => { c.CertificateDetails = certificate(v, env); },
  // The secret itself is made by ModifyDBCluster (secrets.ts): here only whether management is on.
  ManageMasterUserPassword: (c, v: boolean, env) => {
    c.MasterUserSecret = v ? c.MasterUserSecret ?? { SecretStatus: 'creating', KmsKeyId: awsSecretsManagerKey(env) } : undefined;
  },
  MasterUserSecretKmsKeyId: (c, v: string, env) => { if (c.MasterUserSecret) c.MasterUserSecret.KmsKeyId = keyArn(env, v); },
  // write-only or request-only: nothing to store
  MasterUserPassword: () => {},
  RotateMasterUserPassword: () => {},
  TagSpecifications: () => {},
  DBInstanceParameterGroupName: () => {},
};

export function setClusterAttribute(c: DBCluster, name: string, value: unknown, env: Env): void {
  const setter = CLUSTER_SETTERS[name] ?? ((x: DBCluster, v: unknown) => { (x as Record<string, unknown>)[name] = structuredClone(v); });
  setter(c, value, env);
}

// ===========================================================================
// ModifyDBCluster: when each change takes effect
// ===========================================================================

/**
 * ModifyDBCluster parameters applied at once with no status change. API_ModifyDBCluster, ApplyImmediately: "Some
 * modifications, such as turning on deletion protection and changing the master password, are applied
 * immediately—regardless of when you choose to apply them." The rest of the list is assumed.
 */
export const CLUSTER_MODIFY_INSTANT = new Set(['DeletionProtection', 'CopyTagsToSnapshot', 'PreferredBackupWindow',
  'PreferredMaintenanceWindow', 'BackupRetentionPeriod', 'MasterUserPassword', 'AutoMinorVersionUpgrade']);

/**
 * ModifyDBCluster parameters that wait for the maintenance window without ApplyImmediately (PendingModifiedValues;
 * API_ModifyDBCluster, ApplyImmediately: "If this parameter is disabled, changes to the DB cluster are applied during
 * the next maintenance window"). Modelling only EngineVersion so, the others as applied at once, is a simplification.
 */
export const CLUSTER_MODIFY_PENDING: Record<string, keyof ClusterPendingModifiedValues> = { EngineVersion: 'EngineVersion' };

/** Parameters that steer ModifyDBCluster rather than change the cluster. */
export const CLUSTER_MODIFY_CONTROLS = new Set(['DBClusterIdentifier', 'NewDBClusterIdentifier', 'ApplyImmediately',
  'AllowMajorVersionUpgrade', 'AllowEngineModeChange', 'DBInstanceParameterGroupName']);

// ===========================================================================
// Defaults and views
// ===========================================================================

/**
 * A complete DBCluster with the values RDS gives a new cluster of `engine`
 * (Aurora, or a Multi-AZ DB cluster for postgres/mysql).
 * Documented: for Aurora AllocatedStorage "always returns 1" and StorageType is
 * aurora (API_DBCluster); BackupRetentionPeriod 1 (API_CreateDBCluster). The
 * other values are the seed's own choices.
 */
export function clusterDefaults(sim: SimState, id: string, engine: string, version?: string): DBCluster {
  const info = engineInfo(engine);
  const v = version ?? info.version;
  const now = sim.clock.now();
  const aurora = isAurora(engine);
  return {
    AllocatedStorage: aurora ? 1 : 100,
    AvailabilityZones: sim.availabilityZones(),
    BackupRetentionPeriod: 1,
    DatabaseName: 'app',
    DBClusterIdentifier: id,
    DBClusterParameterGroup: defaultParameterGroup(engine, v),
    DBSubnetGroup: 'default',
    Status: 'available',
    EarliestRestorableTime: now,
    Endpoint: sim.clusterAddress(id),
    ReaderEndpoint: sim.clusterAddress(id, true),
    CustomEndpoints: [],
    MultiAZ: !aurora,
    Engine: engine,
    EngineVersion: v,
    LatestRestorableTime: now,
    Port: info.port,
    MasterUsername: info.family === 'postgres' ? 'postgres' : 'admin',
    DBClusterOptionGroupMemberships: [],
    PreferredBackupWindow: '03:00-03:30',
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    ReadReplicaIdentifiers: [],
    DBClusterMembers: [],
    VpcSecurityGroups: [vpcSecurityGroup('sg-default')],
    HostedZoneId: HOSTED_ZONE_ID,
    StorageEncrypted: true,
    KmsKeyId: awsRdsKey(sim.env),
    DbClusterResourceId: sim.newClusterResourceId(),
    DBClusterArn: sim.arn('cluster', id),
    AssociatedRoles: [],
    IAMDatabaseAuthenticationEnabled: false,
    ClusterCreateTime: now,
    EngineMode: 'provisioned',
    DeletionProtection: false,
    HttpEndpointEnabled: false,
    ActivityStreamStatus: 'stopped',
    CopyTagsToSnapshot: false,
    CrossAccountClone: false,
    DomainMemberships: [],
    TagList: [],
    AutoMinorVersionUpgrade: true,
    NetworkType: 'IPV4',
    DatabaseInsightsMode: 'standard',
    EngineLifecycleSupport: 'open-source-rds-extended-support',
    StorageType: aurora ? 'aurora' : 'io1',
    ...(aurora ? {} : {
      // a Multi-AZ DB cluster: instance class, provisioned storage and a certificate at the cluster level
      DBClusterInstanceClass: 'db.m6gd.large',
      Iops: 1000,
      PubliclyAccessible: false,
      CertificateDetails: certificate(DEFAULT_CA, sim.env),
    }),
  };
}

export function viewCluster(sim: SimState, rec: ClusterRecord): DBCluster {
  const c = structuredClone(rec.data);
  c.Status = rec.life.status;
  const members = sim.membersOf(rec);
  c.DBClusterMembers = members.map((m): DBClusterMember => ({
    DBInstanceIdentifier: m.data.DBInstanceIdentifier,
    IsClusterWriter: m.writer === true,
    DBClusterParameterGroupStatus: 'in-sync',
    PromotionTier: m.data.PromotionTier ?? 1,
  }));
  // EarliestRestorableTime / LatestRestorableTime: the restorable window (API_DBCluster; backups.ts)
  const window = restorableWindow(sim, rec);
  c.EarliestRestorableTime = window?.earliest;
  c.LatestRestorableTime = window?.latest;
  // Aurora: "whether the DB cluster has instances in multiple Availability Zones"
  if (isAurora(c.Engine)) c.MultiAZ = new Set(members.map(m => m.data.AvailabilityZone)).size > 1;
  const pmv: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rec.pending)) pmv[CLUSTER_MODIFY_PENDING[name] ?? name] = structuredClone(value);
  if (rec.renameTo) pmv.DBClusterIdentifier = rec.renameTo;
  // DescribeDBClusters leaves PendingModifiedValues out when nothing is pending (observed)
  if (Object.keys(pmv).length) c.PendingModifiedValues = pmv as ClusterPendingModifiedValues;
  else delete c.PendingModifiedValues;
  return c;
}
