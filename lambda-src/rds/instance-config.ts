import type {
  DBInstance,
  ModifyDBInstanceMessage,
  RestoreDBInstanceFromDBSnapshotMessage,
} from '@aws-sdk/client-rds';
import { capture, Config, drift, KeptAttribute as Row, modifyParamsFor, params, settableTags, sorted, UnkeptAttribute } from './config-table';

/**
 * Configuration retention for DB instances, in one table: for each setting,
 * how it is read from DescribeDBInstances and how it is put back on the
 * restored instance (the restore call, or the ModifyDBInstance after it).
 * The README's retention table is generated from this table.
 */

export type InstanceConfig = Config;
export type KeptAttribute = Row<DBInstance>;
export type { UnkeptAttribute };

type RestoreParams = Partial<RestoreDBInstanceFromDBSnapshotMessage>;
type ModifyParams = Partial<ModifyDBInstanceMessage>;

const isSqlServer = (config: InstanceConfig): boolean => String(config.engine ?? '').startsWith('sqlserver');

/**
 * gp3 volumes below this size run at the baseline; RDS refuses explicit
 * IOPS/throughput there ("You can't specify IOPS or storage throughput for
 * engine postgres and a storage size less than 400"). RDS User Guide, "Amazon
 * RDS DB instance storage", gp3: 400 GiB, 200 GiB for Oracle; SQL Server has no
 * threshold (its volume is not striped): IOPS and throughput are set at any size.
 */
function gp3Baseline(config: InstanceConfig): boolean {
  if (config.storageType !== 'gp3' || isSqlServer(config)) return false;
  const threshold = String(config.engine ?? '').startsWith('oracle') ? 200 : 400;
  return Number(config.allocatedStorage ?? 0) < threshold;
}

/**
 * EngineLifecycleSupport "applies only to RDS for MySQL and RDS for
 * PostgreSQL" (API reference, RestoreDBInstanceFromDBSnapshot, CreateDBInstance).
 */
const hasLifecycleSupport = (config: InstanceConfig): boolean => ['mysql', 'postgres'].includes(String(config.engine));

function provisionedIops(config: InstanceConfig): boolean {
  return ['io1', 'io2', 'gp3'].includes(String(config.storageType)) && !gp3Baseline(config);
}

export const INSTANCE_ATTRIBUTES: KeptAttribute[] = [
  { key: 'instanceClass', name: 'Instance class', how: 'restore', read: (d) => d.DBInstanceClass, set: (v) => ({ DBInstanceClass: v }) },
  { key: 'multiAz', name: 'Multi-AZ', how: 'restore', read: (d) => d.MultiAZ, set: (v) => ({ MultiAZ: v }) },
  {
    key: 'availabilityZone',
    name: 'Availability zone',
    how: 'restore',
    read: (d) => (d.MultiAZ ? undefined : d.AvailabilityZone),
    set: (v) => ({ AvailabilityZone: v }),
    note: 'Single-AZ only: RDS picks the primary AZ of a Multi-AZ instance.',
  },
  { key: 'subnetGroup', name: 'DB subnet group', how: 'restore', read: (d) => d.DBSubnetGroup?.DBSubnetGroupName, set: (v) => ({ DBSubnetGroupName: v }) },
  {
    key: 'securityGroups',
    name: 'VPC security groups',
    how: 'restore',
    read: (d) => sorted(d.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)),
    set: (v) => ({ VpcSecurityGroupIds: v }),
  },
  { key: 'publiclyAccessible', name: 'Publicly accessible', how: 'restore', read: (d) => d.PubliclyAccessible, set: (v) => ({ PubliclyAccessible: v }) },
  { key: 'parameterGroup', name: 'DB parameter group', how: 'restore', read: (d) => d.DBParameterGroups?.[0]?.DBParameterGroupName, set: (v) => ({ DBParameterGroupName: v }) },
  { key: 'optionGroup', name: 'Option group', how: 'restore', read: (d) => d.OptionGroupMemberships?.[0]?.OptionGroupName, set: (v) => ({ OptionGroupName: v }) },
  { key: 'port', name: 'Port', how: 'restore', read: (d) => d.Endpoint?.Port ?? d.DbInstancePort, set: (v) => ({ Port: v }) },
  { key: 'storageType', name: 'Storage type', how: 'restore', read: (d) => d.StorageType, set: (v) => ({ StorageType: v }) },
  {
    key: 'allocatedStorage',
    name: 'Allocated storage',
    how: 'restore',
    read: (d) => d.AllocatedStorage,
    set: (v) => ({ AllocatedStorage: v }),
    note: 'The original may have grown since the snapshot was taken. SQL Server: the restore call does not take it (API reference), '
      + 'so the restored instance gets the snapshot\'s size and is grown to the original\'s by the ModifyDBInstance after it.',
  },
  {
    key: 'iops',
    name: 'Provisioned IOPS',
    how: 'restore',
    read: (d) => d.Iops,
    set: (v, c) => (provisionedIops(c) ? { Iops: v } : {}),
    note: 'io1, io2, and gp3 at or above 400 GiB (200 GiB for Oracle, any size for SQL Server); below that gp3 runs at its baseline, which RDS sets by itself.',
  },
  {
    key: 'storageThroughput',
    name: 'Storage throughput',
    how: 'restore',
    read: (d) => d.StorageThroughput,
    set: (v, c) => (c.storageType === 'gp3' && !gp3Baseline(c) ? { StorageThroughput: v } : {}),
    note: 'gp3 only, same size rule as IOPS.',
  },
  { key: 'maxAllocatedStorage', name: 'Storage autoscaling limit (max allocated storage)', how: 'modify', read: (d) => d.MaxAllocatedStorage, set: (v) => ({ MaxAllocatedStorage: v }) },
  {
    key: 'tags',
    name: 'Tags',
    how: 'restore',
    read: (d) => settableTags(d.TagList),
    set: (v) => ({ Tags: v }),
    note: 'Tags whose key starts with `aws:` belong to AWS (CloudFormation, for one) and cannot be set by anyone.',
  },
  { key: 'copyTagsToSnapshot', name: 'Copy tags to snapshots', how: 'restore', read: (d) => d.CopyTagsToSnapshot, set: (v) => ({ CopyTagsToSnapshot: v }) },
  {
    key: 'deletionProtection',
    name: 'Deletion protection',
    how: 'modify',
    read: (d) => d.DeletionProtection,
    set: (v) => ({ DeletionProtection: v }),
    note: 'Set after the restore, so a restore that fails half-way can always be cleaned up; turned off on the renamed original just before it is deleted.',
  },
  { key: 'iamAuth', name: 'IAM database authentication', how: 'restore', read: (d) => d.IAMDatabaseAuthenticationEnabled, set: (v) => ({ EnableIAMDatabaseAuthentication: v }) },
  { key: 'logExports', name: 'CloudWatch Logs exports', how: 'restore', read: (d) => sorted(d.EnabledCloudwatchLogsExports), set: (v) => ({ EnableCloudwatchLogsExports: v }) },
  { key: 'autoMinorVersionUpgrade', name: 'Auto minor version upgrade', how: 'restore', read: (d) => d.AutoMinorVersionUpgrade, set: (v) => ({ AutoMinorVersionUpgrade: v }) },
  { key: 'caCertificate', name: 'CA certificate', how: 'restore', read: (d) => d.CACertificateIdentifier, set: (v) => ({ CACertificateIdentifier: v }) },
  { key: 'networkType', name: 'Network type (IPv4 / dual-stack)', how: 'restore', read: (d) => d.NetworkType, set: (v) => ({ NetworkType: v }) },
  { key: 'licenseModel', name: 'License model', how: 'restore', read: (d) => d.LicenseModel, set: (v) => ({ LicenseModel: v }) },
  {
    key: 'processorFeatures',
    name: 'Processor features (Oracle)',
    how: 'restore',
    read: (d) => (d.ProcessorFeatures?.length ? d.ProcessorFeatures.map((p) => ({ Name: p.Name, Value: p.Value })) : undefined),
    set: (v) => ({ ProcessorFeatures: v, UseDefaultProcessorFeatures: false }),
  },
  {
    key: 'domain',
    name: 'Active Directory domain',
    how: 'restore',
    read: (d) => {
      const m = d.DomainMemberships?.find((x) => x.Status !== 'removing' && x.Status !== 'removed');
      if (!m?.Domain) return undefined;
      return {
        Domain: m.Domain,
        DomainIAMRoleName: m.IAMRoleName,
        DomainFqdn: m.FQDN,
        DomainOu: m.OU,
        DomainAuthSecretArn: m.AuthSecretArn,
        DomainDnsIps: m.DnsIps,
      };
    },
    set: (v) => ({ ...v }),
  },
  { key: 'dedicatedLogVolume', name: 'Dedicated log volume', how: 'restore', read: (d) => d.DedicatedLogVolume, set: (v) => ({ DedicatedLogVolume: v }) },
  {
    key: 'engineLifecycleSupport',
    name: 'Engine lifecycle support (extended support)',
    how: 'restore',
    read: (d) => d.EngineLifecycleSupport,
    set: (v, c) => (hasLifecycleSupport(c) ? { EngineLifecycleSupport: v } : {}),
    note: 'RDS for MySQL and PostgreSQL only.',
  },
  { key: 'customerOwnedIp', name: 'Customer-owned IP (Outposts)', how: 'restore', read: (d) => d.CustomerOwnedIpEnabled || undefined, set: (v) => ({ EnableCustomerOwnedIp: v }) },
  { key: 'backupTarget', name: 'Backup target (Outposts)', how: 'restore', read: (d) => d.BackupTarget, set: (v) => ({ BackupTarget: v }) },
  { key: 'customIamInstanceProfile', name: 'Custom IAM instance profile (RDS Custom)', how: 'restore', read: (d) => d.CustomIamInstanceProfile, set: (v) => ({ CustomIamInstanceProfile: v }) },
  { key: 'backupRetention', name: 'Backup retention period', how: 'modify', read: (d) => d.BackupRetentionPeriod, set: (v) => ({ BackupRetentionPeriod: v }) },
  { key: 'backupWindow', name: 'Preferred backup window', how: 'modify', read: (d) => d.PreferredBackupWindow, set: (v) => ({ PreferredBackupWindow: v }) },
  { key: 'maintenanceWindow', name: 'Preferred maintenance window', how: 'modify', read: (d) => d.PreferredMaintenanceWindow, set: (v) => ({ PreferredMaintenanceWindow: v }) },
  {
    key: 'monitoringInterval',
    name: 'Enhanced monitoring interval',
    how: 'modify',
    read: (d) => d.MonitoringInterval ?? 0,
    set: (v, c) => (v > 0 ? { MonitoringInterval: v, MonitoringRoleArn: c.monitoringRole as string } : { MonitoringInterval: 0 }),
  },
  {
    key: 'monitoringRole',
    name: 'Enhanced monitoring role',
    how: 'modify',
    read: (d) => ((d.MonitoringInterval ?? 0) > 0 ? d.MonitoringRoleArn : undefined),
    set: (v, c) => ({ MonitoringRoleArn: v, MonitoringInterval: c.monitoringInterval as number }),
  },
  { key: 'performanceInsights', name: 'Performance Insights', how: 'modify', read: (d) => d.PerformanceInsightsEnabled ?? false, set: (v) => ({ EnablePerformanceInsights: v }) },
  {
    key: 'performanceInsightsKmsKey',
    name: 'Performance Insights KMS key',
    how: 'modify',
    read: (d) => (d.PerformanceInsightsEnabled ? d.PerformanceInsightsKMSKeyId : undefined),
    set: (v) => ({ EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: v }),
  },
  {
    key: 'performanceInsightsRetention',
    name: 'Performance Insights retention',
    how: 'modify',
    read: (d) => (d.PerformanceInsightsEnabled ? d.PerformanceInsightsRetentionPeriod : undefined),
    set: (v) => ({ EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: v }),
  },
  { key: 'databaseInsightsMode', name: 'Database Insights mode', how: 'modify', read: (d) => d.DatabaseInsightsMode, set: (v) => ({ DatabaseInsightsMode: v }) },
];

/** What the restore cannot keep, or brings from the snapshot by itself, and why. */
export const INSTANCE_UNKEPT: UnkeptAttribute[] = [
  { settable: true, name: 'Engine, engine version', how: 'snapshot', note: 'The restore brings back the snapshot\'s engine version: that is the point of a restore. An upgrade done after the snapshot is not replayed.' },
  { settable: false, name: 'Master username, DB name, character set, time zone', how: 'snapshot', note: 'Fixed at creation; come from the snapshot.' },
  { settable: false, name: 'Storage encryption and its KMS key', how: 'snapshot', note: 'Come from the snapshot.' },
  { settable: true, name: 'Master user password', how: 'snapshot', note: 'The snapshot\'s password. Not readable, so it cannot be carried.' },
  {
    settable: true,
    name: 'Secrets Manager–managed master password (ManageMasterUserPassword)',
    how: 'not kept',
    note: 'No restore keeps it (RestoreDBInstanceFromDBSnapshot and RestoreDBInstanceToPointInTime take it for RDS for Oracle only, and the pipeline does not pass it): '
      + 'the restored DB has the snapshot\'s password, and the original\'s secret is deleted with the original. '
      + 'With `restoreManagedMasterPassword: true` the settings step turns it back on (ModifyDBInstance) with the original\'s KMS key: '
      + 'RDS creates a new secret, whose ARN is in the success alert and the execution output (`verified.masterUserSecret`). Without it, turn it on yourself after the restore.',
  },
  { settable: true, name: 'TDE credential (Oracle, SQL Server)', how: 'not kept', note: 'Its password cannot be read back from RDS.' },
  { settable: false, name: 'Read replicas', how: 'not kept', note: 'Replicas follow their source by identity, not by name; a DB with read replicas is refused before any change.' },
  { settable: true, name: 'DB security groups (EC2-Classic)', how: 'not kept', note: 'EC2-Classic is retired.' },
  { settable: true, name: 'Additional storage volumes', how: 'not kept', note: 'Not yet supported by this pipeline.' },
  { settable: true, name: 'Capacity reservation', how: 'not kept', note: 'Not reported by DescribeDBInstances.' },
  { settable: false, name: 'Automated backups and events of the old DB', how: 'not kept', note: 'They belong to the old DB. Its automated backups are retained after it is deleted (DeleteAutomatedBackups: false) until their retention period ends.' },
];

/** Read the configuration the pipeline keeps from a described instance. */
export function captureInstanceConfig(db: DBInstance): InstanceConfig {
  // the managed master password's key: put back only with restoreManagedMasterPassword (managed-password.ts)
  const managed = db.MasterUserSecret?.KmsKeyId ? { masterUserSecretKmsKey: db.MasterUserSecret.KmsKeyId } : {};
  return capture(INSTANCE_ATTRIBUTES, db, { engine: db.Engine, ...managed });
}

/** The RestoreDBInstanceFromDBSnapshot fields that carry the captured configuration. */
export function restoreParams(config: InstanceConfig): RestoreParams {
  const out = params(INSTANCE_ATTRIBUTES, config, 'restore') as RestoreParams;
  if (out.MultiAZ) delete out.AvailabilityZone;
  // API reference, RestoreDBInstanceFromDBSnapshot, AllocatedStorage: "This setting isn't valid for RDS for SQL Server"
  if (isSqlServer(config)) delete out.AllocatedStorage;
  return out;
}

/** Keys of the kept attributes whose value on `db` differs from the captured configuration. */
export function configDrift(config: InstanceConfig, db: DBInstance, how?: 'restore' | 'modify'): string[] {
  return drift(INSTANCE_ATTRIBUTES, config, db, how);
}

/**
 * The ModifyDBInstance fields still needed after the restore: only the
 * attributes that differ on the restored instance `db`. Empty when nothing is left to do.
 */
export function modifyParams(config: InstanceConfig, db: DBInstance): ModifyParams {
  return { ...modifyParamsFor(INSTANCE_ATTRIBUTES, config, db), ...sqlServerStorage(config, db) } as ModifyParams;
}

/**
 * SQL Server: the storage the original had beyond the snapshot's, which the
 * restore could not carry. ModifyDBInstance needs the IOPS with it on an
 * instance that has provisioned IOPS ("You must specify both the storage size
 * and iops when modifying the storage size or iops on a DB instance that has iops").
 */
function sqlServerStorage(config: InstanceConfig, db: DBInstance): ModifyParams {
  const wanted = Number(config.allocatedStorage ?? 0);
  if (!isSqlServer(config) || !(wanted > (db.AllocatedStorage ?? 0))) return {};
  return { AllocatedStorage: wanted, ...(provisionedIops(config) && config.iops !== undefined ? { Iops: config.iops as number } : {}) };
}
