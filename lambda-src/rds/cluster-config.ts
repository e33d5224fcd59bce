import type {
  CreateDBInstanceCommandInput, DBCluster, DBInstance, ModifyDBClusterCommandInput, RestoreDBClusterFromSnapshotCommandInput,
} from '@aws-sdk/client-rds';
import { capture, Config, KeptAttribute, modifyParamsFor, params, settableTags, sorted, UnkeptAttribute } from './config-table';

/**
 * Configuration retention for Aurora clusters and their member instances:
 * how each setting is read from DescribeDBClusters / DescribeDBInstances, and
 * how it is put back (RestoreDBClusterFromSnapshot or CreateDBInstance =
 * `restore`; ModifyDBCluster / ModifyDBInstance after = `modify`).
 * The README's retention tables are generated from these tables.
 * Each row's request fields are typed with the SDK input of the call that
 * sends them.
 */

/** Fields of RestoreDBClusterFromSnapshot a `restore` row sets. */
export type ClusterRestoreFields = Partial<RestoreDBClusterFromSnapshotCommandInput>;
/** Fields of ModifyDBCluster a `modify` row sets. */
export type ClusterModifyFields = Partial<ModifyDBClusterCommandInput>;
/** A cluster row: its fields are those of the call its `how` names. */
export type ClusterAttribute =
  | (KeptAttribute<DBCluster, ClusterRestoreFields> & { readonly how: 'restore' })
  | (KeptAttribute<DBCluster, ClusterModifyFields> & { readonly how: 'modify' });

/**
 * Database Insights advanced mode needs Performance Insights with at least
 * 465 days of retention, sent in the same ModifyDBCluster call
 * (API_ModifyDBCluster, DatabaseInsightsMode; Aurora User Guide,
 * "Considerations for Database Insights").
 */
export const ADVANCED_INSIGHTS_RETENTION = 465;

export const CLUSTER_ATTRIBUTES: ClusterAttribute[] = [
  {
    key: 'engineVersion',
    name: 'Engine version',
    how: 'restore',
    read: (c) => c.EngineVersion,
    set: (v) => ({ EngineVersion: v }),
    note: 'The original\'s version, which may be newer than the snapshot\'s.',
  },
  { key: 'engineMode', name: 'Engine mode', how: 'restore', read: (c) => c.EngineMode, set: (v) => ({ EngineMode: v }) },
  { key: 'port', name: 'Port', how: 'restore', read: (c) => c.Port, set: (v) => ({ Port: v }) },
  { key: 'subnetGroup', name: 'DB subnet group', how: 'restore', read: (c) => c.DBSubnetGroup, set: (v) => ({ DBSubnetGroupName: v }) },
  {
    key: 'securityGroups',
    name: 'VPC security groups',
    how: 'restore',
    read: (c) => sorted(c.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)),
    set: (v) => ({ VpcSecurityGroupIds: v }),
  },
  { key: 'clusterParameterGroup', name: 'DB cluster parameter group', how: 'restore', read: (c) => c.DBClusterParameterGroup, set: (v) => ({ DBClusterParameterGroupName: v }) },
  {
    key: 'serverlessV2',
    name: 'Serverless v2 scaling (min/max ACU, seconds until auto-pause)',
    how: 'restore',
    // SecondsUntilAutoPause: idle seconds before a Serverless v2 instance at 0 ACU pauses (API_ServerlessV2ScalingConfiguration)
    read: (c) => {
      const v2 = c.ServerlessV2ScalingConfiguration;
      if (!v2) return undefined;
      const { MinCapacity, MaxCapacity, SecondsUntilAutoPause } = v2;
      return SecondsUntilAutoPause === undefined ? { MinCapacity, MaxCapacity } : { MinCapacity, MaxCapacity, SecondsUntilAutoPause };
    },
    set: (v) => ({ ServerlessV2ScalingConfiguration: v }),
  },
  {
    key: 'storageType', name: 'Storage type (aurora, aurora-iopt1)', how: 'restore', read: (c) => c.StorageType, set: (v) => ({ StorageType: v }),
  },
  { key: 'iamAuth', name: 'IAM database authentication', how: 'restore', read: (c) => c.IAMDatabaseAuthenticationEnabled, set: (v) => ({ EnableIAMDatabaseAuthentication: v }) },
  {
    key: 'backtrackWindow',
    name: 'Backtrack window (Aurora MySQL)',
    how: 'restore',
    read: (c) => (c.BacktrackWindow ? c.BacktrackWindow : undefined),
    set: (v) => ({ BacktrackWindow: v }),
  },
  { key: 'logExports', name: 'CloudWatch Logs exports', how: 'restore', read: (c) => sorted(c.EnabledCloudwatchLogsExports), set: (v) => ({ EnableCloudwatchLogsExports: v }) },
  { key: 'copyTagsToSnapshot', name: 'Copy tags to snapshots', how: 'restore', read: (c) => c.CopyTagsToSnapshot, set: (v) => ({ CopyTagsToSnapshot: v }) },
  {
    key: 'tags',
    name: 'Tags',
    how: 'restore',
    read: (c) => settableTags(c.TagList),
    set: (v) => ({ Tags: v }),
    note: 'Tags whose key starts with `aws:` cannot be set by anyone.',
  },
  { key: 'networkType', name: 'Network type (IPv4 / dual-stack)', how: 'restore', read: (c) => c.NetworkType, set: (v) => ({ NetworkType: v }) },
  {
    key: 'domain',
    name: 'Kerberos (Active Directory) domain',
    how: 'restore',
    read: (c) => {
      const m = c.DomainMemberships?.find((x) => x.Status !== 'removing' && x.Status !== 'removed');
      return m?.Domain ? { Domain: m.Domain, DomainIAMRoleName: m.IAMRoleName } : undefined;
    },
    set: (v) => ({ ...v }),
  },
  { key: 'engineLifecycleSupport', name: 'Engine lifecycle support (extended support)', how: 'restore', read: (c) => c.EngineLifecycleSupport, set: (v) => ({ EngineLifecycleSupport: v }) },
  // Cluster-level enhanced monitoring and Performance Insights: captured only when on, so a
  // restore never sends an "off" that could conflict with its members' own settings.
  {
    key: 'monitoringInterval',
    name: 'Enhanced monitoring interval (cluster level)',
    how: 'restore',
    read: (c) => ((c.MonitoringInterval ?? 0) > 0 ? c.MonitoringInterval : undefined),
    set: (v, c) => ({ MonitoringInterval: v, MonitoringRoleArn: c.monitoringRole as string | undefined }),
    note: 'Set at the restore: ModifyDBCluster takes MonitoringInterval for Multi-AZ DB clusters only.',
  },
  {
    key: 'monitoringRole',
    name: 'Enhanced monitoring role (cluster level)',
    how: 'restore',
    read: (c) => ((c.MonitoringInterval ?? 0) > 0 ? c.MonitoringRoleArn : undefined),
    set: (v, c) => ({ MonitoringRoleArn: v, MonitoringInterval: c.monitoringInterval as number | undefined }),
  },
  {
    key: 'performanceInsights',
    name: 'Performance Insights (cluster level)',
    how: 'restore',
    read: (c) => (c.PerformanceInsightsEnabled ? true : undefined),
    set: (v) => ({ EnablePerformanceInsights: v }),
  },
  {
    key: 'performanceInsightsKmsKey',
    name: 'Performance Insights KMS key (cluster level)',
    how: 'restore',
    read: (c) => (c.PerformanceInsightsEnabled ? c.PerformanceInsightsKMSKeyId : undefined),
    set: (v) => ({ EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: v }),
    note: 'A customer-managed key needs `kms:CreateGrant` and `kms:DescribeKey` (see Safety).',
  },
  {
    key: 'performanceInsightsRetention',
    name: 'Performance Insights retention (cluster level)',
    how: 'restore',
    read: (c) => (c.PerformanceInsightsEnabled ? c.PerformanceInsightsRetentionPeriod : undefined),
    set: (v) => ({ EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: v }),
  },
  {
    key: 'deletionProtection',
    name: 'Deletion protection',
    how: 'modify',
    read: (c) => c.DeletionProtection,
    set: (v) => ({ DeletionProtection: v }),
    note: 'Set after the restore, so a restore that fails half-way can always be cleaned up; turned off on the renamed original before it is deleted.',
  },
  { key: 'backupRetention', name: 'Backup retention period', how: 'modify', read: (c) => c.BackupRetentionPeriod, set: (v) => ({ BackupRetentionPeriod: v }) },
  { key: 'backupWindow', name: 'Preferred backup window', how: 'modify', read: (c) => c.PreferredBackupWindow, set: (v) => ({ PreferredBackupWindow: v }) },
  { key: 'maintenanceWindow', name: 'Preferred maintenance window', how: 'modify', read: (c) => c.PreferredMaintenanceWindow, set: (v) => ({ PreferredMaintenanceWindow: v }) },
  {
    key: 'httpEndpoint',
    name: 'RDS Data API (HTTP endpoint)',
    how: 'modify',
    via: 'EnableHttpEndpoint after the restore',
    read: (c) => c.HttpEndpointEnabled || undefined,
    // Routed to the EnableHttpEndpoint operation by clusterChangesAfterRestore: this
    // ModifyDBCluster field is for Aurora Serverless v1 only.
    set: (v) => ({ EnableHttpEndpoint: v }),
    note: 'ModifyDBCluster\'s `EnableHttpEndpoint` is for Aurora Serverless v1 only; provisioned and Serverless v2 clusters use the EnableHttpEndpoint operation.',
  },
  {
    key: 'databaseInsightsMode',
    name: 'Database Insights mode',
    how: 'modify',
    read: (c) => c.DatabaseInsightsMode,
    set: (v, c) => (v === 'advanced'
      ? {
        DatabaseInsightsMode: v,
        EnablePerformanceInsights: true,
        PerformanceInsightsRetentionPeriod: Math.max(ADVANCED_INSIGHTS_RETENTION, (c.performanceInsightsRetention as number | undefined) ?? 0),
      }
      : { DatabaseInsightsMode: v }),
    note: `Advanced mode is sent with Performance Insights on and its retention (at least ${ADVANCED_INSIGHTS_RETENTION} days), as RDS requires.`,
  },
];

export const CLUSTER_UNKEPT: UnkeptAttribute[] = [
  { settable: false, name: 'Engine, master username, database name, encryption and its KMS key', how: 'snapshot', note: 'Come from the snapshot.' },
  { settable: true, name: 'Master user password', how: 'snapshot', note: 'The snapshot\'s password; not readable, so it cannot be carried.' },
  {
    settable: true,
    name: 'Secrets Manager–managed master password',
    how: 'not kept',
    note: 'No restore keeps it (RestoreDBClusterFromSnapshot and RestoreDBClusterToPointInTime have no ManageMasterUserPassword): '
      + 'the restored cluster has the snapshot\'s password, and the original\'s secret is deleted with the original. '
      + 'With `restoreManagedMasterPassword: true` the settings step turns it back on (ModifyDBCluster) with the original\'s KMS key: '
      + 'RDS creates a new secret, whose ARN is in the success alert and the execution output (`verified.masterUserSecret`). Without it, turn it on yourself after the restore.',
  },
  { settable: true, name: 'IAM roles associated with the cluster (S3 import/export, Lambda)', how: 'not kept', note: 'Not yet carried: re-add them after the restore.' },
  { settable: true, name: 'Global database membership, write forwarding', how: 'not kept', note: 'A global cluster member is refused before any change.' },
  { settable: false, name: 'Cross-Region read replicas', how: 'not kept', note: 'A cluster with replicas is refused before any change.' },
  { settable: false, name: 'Custom endpoints', how: 'not kept', note: 'Not yet re-created.' },
  { settable: true, name: 'Limitless database, RDS Custom, Multi-AZ DB cluster settings', how: 'not kept', note: 'These cluster kinds are refused before any change.' },
];

/** Fields of CreateDBInstance a member row sets. */
export type MemberCreateFields = Partial<CreateDBInstanceCommandInput>;

export const MEMBER_ATTRIBUTES: KeptAttribute<DBInstance, MemberCreateFields>[] = [
  { key: 'instanceClass', name: 'Instance class (including db.serverless)', how: 'restore', read: (d) => d.DBInstanceClass, set: (v) => ({ DBInstanceClass: v }) },
  { key: 'availabilityZone', name: 'Availability zone', how: 'restore', read: (d) => d.AvailabilityZone, set: (v) => ({ AvailabilityZone: v }) },
  { key: 'promotionTier', name: 'Promotion tier (failover priority)', how: 'restore', read: (d) => d.PromotionTier, set: (v) => ({ PromotionTier: v }) },
  { key: 'parameterGroup', name: 'DB parameter group', how: 'restore', read: (d) => d.DBParameterGroups?.[0]?.DBParameterGroupName, set: (v) => ({ DBParameterGroupName: v }) },
  { key: 'publiclyAccessible', name: 'Publicly accessible', how: 'restore', read: (d) => d.PubliclyAccessible, set: (v) => ({ PubliclyAccessible: v }) },
  {
    key: 'monitoringInterval',
    name: 'Enhanced monitoring interval and role',
    how: 'restore',
    read: (d) => d.MonitoringInterval ?? 0,
    set: (v, c) => (v > 0 ? { MonitoringInterval: v, MonitoringRoleArn: c.monitoringRole as string | undefined } : { MonitoringInterval: 0 }),
  },
  {
    key: 'monitoringRole',
    name: 'Enhanced monitoring role',
    how: 'restore',
    read: (d) => ((d.MonitoringInterval ?? 0) > 0 ? d.MonitoringRoleArn : undefined),
    set: (v, c) => ({ MonitoringRoleArn: v, MonitoringInterval: c.monitoringInterval as number }),
  },
  { key: 'performanceInsights', name: 'Performance Insights', how: 'restore', read: (d) => d.PerformanceInsightsEnabled ?? false, set: (v) => ({ EnablePerformanceInsights: v }) },
  {
    key: 'performanceInsightsKmsKey',
    name: 'Performance Insights KMS key',
    how: 'restore',
    read: (d) => (d.PerformanceInsightsEnabled ? d.PerformanceInsightsKMSKeyId : undefined),
    set: (v) => ({ EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: v }),
  },
  {
    key: 'performanceInsightsRetention',
    name: 'Performance Insights retention',
    how: 'restore',
    read: (d) => (d.PerformanceInsightsEnabled ? d.PerformanceInsightsRetentionPeriod : undefined),
    set: (v) => ({ EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: v }),
  },
  { key: 'autoMinorVersionUpgrade', name: 'Auto minor version upgrade', how: 'restore', read: (d) => d.AutoMinorVersionUpgrade, set: (v) => ({ AutoMinorVersionUpgrade: v }) },
  { key: 'caCertificate', name: 'CA certificate', how: 'restore', read: (d) => d.CACertificateIdentifier, set: (v) => ({ CACertificateIdentifier: v }) },
  { key: 'maintenanceWindow', name: 'Preferred maintenance window', how: 'restore', read: (d) => d.PreferredMaintenanceWindow, set: (v) => ({ PreferredMaintenanceWindow: v }) },
  { key: 'tags', name: 'Tags', how: 'restore', read: (d) => settableTags(d.TagList), set: (v) => ({ Tags: v }) },
];

export const MEMBER_UNKEPT: UnkeptAttribute[] = [
  { settable: false, name: 'Writer or reader role', how: 'not kept', note: 'Not a setting: kept by creating the original writer first, then verified with DescribeDBClusters.' },
  { settable: false, name: 'Storage, Multi-AZ, security groups, backups', how: 'not kept', note: 'Cluster-level in Aurora (see the cluster table).' },
];

/** A member as captured: who it is and its kept settings. */
export interface MemberConfig {
  readonly identifier: string;
  readonly resourceId: string;
  readonly isWriter: boolean;
  readonly config: Config;
}

export function captureClusterConfig(cluster: DBCluster): Config {
  // the managed master password's key: put back only with restoreManagedMasterPassword (managed-password.ts)
  const managed = cluster.MasterUserSecret?.KmsKeyId ? { masterUserSecretKmsKey: cluster.MasterUserSecret.KmsKeyId } : {};
  return capture(CLUSTER_ATTRIBUTES, cluster, { engine: cluster.Engine, ...managed });
}

export function captureMemberConfig(db: DBInstance, isWriter: boolean): MemberConfig {
  return { identifier: db.DBInstanceIdentifier!, resourceId: db.DbiResourceId!, isWriter, config: capture(MEMBER_ATTRIBUTES, db) };
}

const isRestoreRow = (a: ClusterAttribute): a is Extract<ClusterAttribute, { how: 'restore' }> => a.how === 'restore';
const isModifyRow = (a: ClusterAttribute): a is Extract<ClusterAttribute, { how: 'modify' }> => a.how === 'modify';

/** RestoreDBClusterFromSnapshot fields for the captured cluster configuration (all but the two identifiers). */
export function clusterRestoreParams(config: Config, engine: string): Omit<RestoreDBClusterFromSnapshotCommandInput, 'DBClusterIdentifier' | 'SnapshotIdentifier'> {
  return { ...params(CLUSTER_ATTRIBUTES.filter(isRestoreRow), config, 'restore'), Engine: engine };
}

/** What the restored cluster still needs after the restore. */
export interface ClusterChanges {
  /** One ModifyDBCluster, without its identifier (empty: none needed). */
  readonly modify: Omit<ClusterModifyFields, 'EnableHttpEndpoint'>;
  /** The RDS Data API to turn on (true) or off (false) with its own operation; undefined: already right. */
  readonly httpEndpoint?: boolean;
}

/**
 * The `modify` rows that differ on the restored cluster. The Data API is not a
 * ModifyDBCluster field here: `EnableHttpEndpoint` of ModifyDBCluster applies to
 * Aurora Serverless v1 only (API_ModifyDBCluster); provisioned and Serverless v2
 * clusters, the only kinds the pipeline restores (see unsupportedKind), use the
 * EnableHttpEndpoint / DisableHttpEndpoint operations (API_EnableHttpEndpoint).
 */
export function clusterChangesAfterRestore(config: Config, cluster: DBCluster): ClusterChanges {
  const { EnableHttpEndpoint: httpEndpoint, ...modify } = modifyParamsFor(CLUSTER_ATTRIBUTES.filter(isModifyRow), config, cluster);
  return { modify, httpEndpoint };
}

/** CreateDBInstance fields for a member of the restored cluster. */
export function memberCreateParams(member: MemberConfig, clusterIdentifier: string, engine: string): CreateDBInstanceCommandInput {
  const fields = params(MEMBER_ATTRIBUTES, member.config, 'restore');
  return {
    ...fields,
    DBInstanceClass: fields.DBInstanceClass,
    DBInstanceIdentifier: member.identifier,
    DBClusterIdentifier: clusterIdentifier,
    Engine: engine,
  };
}
