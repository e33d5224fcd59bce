/**
 * What a DB instance is made of: the values RDS gives a new one, how request
 * parameters land on it (SETTERS, shared by Restore, Create and Modify), when
 * a ModifyDBInstance change takes effect (MODIFY_KINDS, PENDING_SLOTS), and
 * how DescribeDBInstances shows it.
 */
import { DBInstance, PendingModifiedValues, Tag } from '@aws-sdk/client-rds';
import { restorableWindow } from './backups';
import {
  awsRdsKey, certificate, DEFAULT_CA, defaultOptionGroup, defaultParameterGroup, engineInfo, Env, HOSTED_ZONE_ID, logExports,
  optionGroup, parameterGroup, vpcSecurityGroup,
} from './engines';
import { hasLifecycleSupport } from './instance-rules';
import { keyArn } from './kms';
import { InstanceRecord } from './lifecycle';
import { awsSecretsManagerKey } from './secrets';
import type { SimState } from './state';
import { InstanceSpec } from './types';

// ===========================================================================
// How request parameters land on a DBInstance (shared by Restore and Modify)
// ===========================================================================

export type Setter = (i: DBInstance, value: any, env: Env) => void;

/**
 * Request parameters whose DBInstance attribute differs from the parameter.
 * Any parameter not listed is stored under its own name. Names of parameter
 * groups, option groups, subnet groups, security groups, KMS keys and roles
 * are accepted as given: the simulator has no registry of them.
 * Sources: the request parameters of API_RestoreDBInstanceFromDBSnapshot and
 * API_ModifyDBInstance, the attributes of API_DBInstance. Performance Insights:
 * retention 7 days and the aws/rds key by default (API_ModifyDBInstance,
 * PerformanceInsightsRetentionPeriod, PerformanceInsightsKMSKeyId). Enhanced
 * Monitoring writes to the RDSOSMetrics log group (RDS User Guide, "Viewing OS
 * metrics using CloudWatch Logs"). A managed master password is a secret
 * rds!db-… with the aws/secretsmanager key by default (RDS User Guide,
 * "Password management with Amazon RDS and AWS Secrets Manager"; the suffix is made up).
 */
export const SETTERS: Record<string, Setter> = {
  VpcSecurityGroupIds: (i, v: string[]) => { i.VpcSecurityGroups = v.map(vpcSecurityGroup); },
  DBSecurityGroups: (i, v: string[]) => { i.DBSecurityGroups = v.map(n => ({ DBSecurityGroupName: n, Status: 'active' })); },
  DBParameterGroupName: (i, v: string) => { i.DBParameterGroups = [parameterGroup(v)]; },
  OptionGroupName: (i, v: string) => { i.OptionGroupMemberships = [optionGroup(v)]; },
  DBSubnetGroupName: (i, v: string, env) => { i.DBSubnetGroup = env.subnetGroup(v); },
  EnableIAMDatabaseAuthentication: (i, v: boolean) => { i.IAMDatabaseAuthenticationEnabled = v; },
  EnableCustomerOwnedIp: (i, v: boolean) => { i.CustomerOwnedIpEnabled = v; },
  CACertificateIdentifier: (i, v: string, env) => {
    i.CACertificateIdentifier = v;
    i.CertificateDetails = certificate(v, env);
  },
  Port: (i, v: number) => { i.Endpoint = { ...i.Endpoint, Port: v }; },
  DBPortNumber: (i, v: number) => { i.Endpoint = { ...i.Endpoint, Port: v }; },
  Tags: (i, v: Tag[]) => { i.TagList = structuredClone(v); },
  EnableCloudwatchLogsExports: (i, v: string[]) => { i.EnabledCloudwatchLogsExports = v.length ? [...v] : undefined; },
  CloudwatchLogsExportConfiguration: (i, v) => { i.EnabledCloudwatchLogsExports = logExports(i.EnabledCloudwatchLogsExports, v); },
  MonitoringInterval: (i, v: number, env) => {
    i.MonitoringInterval = v;
    i.EnhancedMonitoringResourceArn = v > 0
      ? `arn:aws:logs:${env.region}:${env.accountId}:log-group:RDSOSMetrics:log-stream:${i.DbiResourceId}` : undefined;
  },
  EnablePerformanceInsights: (i, v: boolean, env) => {
    i.PerformanceInsightsEnabled = v;
    i.PerformanceInsightsKMSKeyId = v ? i.PerformanceInsightsKMSKeyId ?? awsRdsKey(env) : undefined;
    i.PerformanceInsightsRetentionPeriod = v ? i.PerformanceInsightsRetentionPeriod ?? 7 : undefined;
  },
  // The secret itself is made by ModifyDBInstance (secrets.ts): here only whether management is on.
  ManageMasterUserPassword: (i, v: boolean, env) => {
    i.MasterUserSecret = v ? i.MasterUserSecret ?? { SecretStatus: 'creating', KmsKeyId: awsSecretsManagerKey(env) } : undefined;
  },
  MasterUserSecretKmsKeyId: (i, v: string, env) => { if (i.MasterUserSecret) i.MasterUserSecret.KmsKeyId = keyArn(env, v); },
  Domain: (i, v: string) => { i.DomainMemberships = [{ ...i.DomainMemberships?.[0], Domain: v, Status: 'joined' }]; },
  DomainIAMRoleName: (i, v: string) => { i.DomainMemberships = [{ ...i.DomainMemberships?.[0], IAMRoleName: v }]; },
  DomainFqdn: (i, v: string) => { i.DomainMemberships = [{ ...i.DomainMemberships?.[0], FQDN: v }]; },
  DomainOu: (i, v: string) => { i.DomainMemberships = [{ ...i.DomainMemberships?.[0], OU: v }]; },
  DomainAuthSecretArn: (i, v: string) => { i.DomainMemberships = [{ ...i.DomainMemberships?.[0], AuthSecretArn: v }]; },
  DomainDnsIps: (i, v: string[]) => { i.DomainMemberships = [{ ...i.DomainMemberships?.[0], DnsIps: [...v] }]; },
  DisableDomain: (i, v: boolean) => { if (v) i.DomainMemberships = []; },
  UseDefaultProcessorFeatures: (i, v: boolean) => { if (v) i.ProcessorFeatures = undefined; },
  // write-only or request-only: nothing to store
  MasterUserPassword: () => {},
  TdeCredentialPassword: () => {},
  TagSpecifications: () => {},
  RotateMasterUserPassword: () => {},
};

export function setAttribute(i: DBInstance, name: string, value: unknown, env: Env): void {
  const setter = SETTERS[name] ?? ((x: DBInstance, v: unknown) => { (x as Record<string, unknown>)[name] = structuredClone(v); });
  setter(i, value, env);
}

// ===========================================================================
// ModifyDBInstance: when each change takes effect
// ===========================================================================

/**
 * instant: applied at once, no status change (whatever ApplyImmediately says).
 * online:  RDS applies it as soon as possible whatever ApplyImmediately says
 *          (it has no PendingModifiedValues slot): 'modifying' for `modify` s.
 * pending: with ApplyImmediately, shown in PendingModifiedValues while
 *          still 'available' (modifyPending s) and during 'modifying', and
 *          applied at its end; without, it waits in
 *          PendingModifiedValues for the maintenance window, which the
 *          simulator never reaches (a later ApplyImmediately modify applies it).
 * Parameters not listed are 'online'.
 * Sources: RDS User Guide, "Settings for DB instances" (when each change
 * occurs, and its downtime) and API_ModifyDBInstance, ApplyImmediately;
 * BackupRetentionPeriod: "If you change the parameter from one non-zero value to
 * another non-zero value, the change is asynchronously applied as soon as
 * possible" (API_ModifyDBInstance), while 0 <-> non-zero causes an outage (RDS
 * User Guide, "Backup retention period"). Which list a parameter missing from
 * the guide's table is in is assumed.
 */
export type ModifyKind = 'instant' | 'online' | 'pending';
export const MODIFY_KINDS: Record<string, ModifyKind | ((i: DBInstance, value: any) => ModifyKind)> = {
  DeletionProtection: 'instant',
  CopyTagsToSnapshot: 'instant',
  AutoMinorVersionUpgrade: 'instant',
  PreferredBackupWindow: 'instant',
  PreferredMaintenanceWindow: 'instant',
  PromotionTier: 'instant',
  MasterUserPassword: 'instant',
  // Between two non-zero values: instant. 0 <-> non-zero: an outage, pending.
  BackupRetentionPeriod: (i, v: number) => ((i.BackupRetentionPeriod ?? 0) > 0) === (v > 0) ? 'instant' : 'pending',
  DBInstanceClass: 'pending',
  AllocatedStorage: 'pending',
  StorageType: 'pending',
  Iops: 'pending',
  StorageThroughput: 'pending',
  MultiAZ: 'pending',
  EngineVersion: 'pending',
  Engine: 'pending',
  LicenseModel: 'pending',
  CACertificateIdentifier: 'pending',
  DBSubnetGroupName: 'pending',
  EnableIAMDatabaseAuthentication: 'pending',
  ProcessorFeatures: 'pending',
  UseDefaultProcessorFeatures: 'pending',
  DedicatedLogVolume: 'pending',
  MultiTenant: 'pending',
  OptionGroupName: 'pending',
  NetworkType: 'pending',
};

/** Parameters that steer the call rather than change the instance. */
export const MODIFY_CONTROLS = new Set(['DBInstanceIdentifier', 'NewDBInstanceIdentifier', 'ApplyImmediately',
  'AllowMajorVersionUpgrade', 'CertificateRotationRestart']);

/** The PendingModifiedValues slot of a pending parameter (API_PendingModifiedValues; none: held but not shown, like OptionGroupName). */
export const PENDING_SLOTS: Record<string, keyof PendingModifiedValues> = {
  DBInstanceClass: 'DBInstanceClass',
  AllocatedStorage: 'AllocatedStorage',
  StorageType: 'StorageType',
  Iops: 'Iops',
  StorageThroughput: 'StorageThroughput',
  MultiAZ: 'MultiAZ',
  EngineVersion: 'EngineVersion',
  Engine: 'Engine',
  LicenseModel: 'LicenseModel',
  CACertificateIdentifier: 'CACertificateIdentifier',
  DBSubnetGroupName: 'DBSubnetGroupName',
  EnableIAMDatabaseAuthentication: 'IAMDatabaseAuthenticationEnabled',
  ProcessorFeatures: 'ProcessorFeatures',
  DedicatedLogVolume: 'DedicatedLogVolume',
  MultiTenant: 'MultiTenant',
  BackupRetentionPeriod: 'BackupRetentionPeriod',
};

export function modifyKind(name: string, i: DBInstance, value: unknown): ModifyKind {
  const kind = MODIFY_KINDS[name] ?? 'online';
  return typeof kind === 'function' ? kind(i, value) : kind;
}

// ===========================================================================
// Defaults and views
// ===========================================================================

/**
 * A complete DBInstance with the values RDS gives a new instance of `engine`.
 * Documented defaults: BackupRetentionPeriod 1 (API_CreateDBInstance),
 * PromotionTier 1, AutoMinorVersionUpgrade, CopyTagsToSnapshot and
 * DeletionProtection as in API_CreateDBInstance, EngineLifecycleSupport
 * open-source-rds-extended-support (API_CreateDBInstance; MySQL, PostgreSQL
 * and Aurora only). Class, storage, windows, zone and encryption are the seed's
 * own choices (a small, encrypted production instance), not RDS defaults.
 */
export function instanceDefaults(sim: SimState, id: string, engine: string, version?: string): DBInstance {
  const info = engineInfo(engine);
  const v = version ?? info.version;
  return {
    DBInstanceIdentifier: id,
    DBInstanceClass: 'db.t3.micro',
    Engine: engine,
    DBInstanceStatus: 'available',
    MasterUsername: 'admin',
    Endpoint: { Address: sim.address(id), Port: info.port, HostedZoneId: HOSTED_ZONE_ID },
    AllocatedStorage: 20,
    InstanceCreateTime: sim.clock.now(),
    PreferredBackupWindow: '03:00-03:30',
    BackupRetentionPeriod: 1,
    DBSecurityGroups: [],
    VpcSecurityGroups: [vpcSecurityGroup('sg-default')],
    DBParameterGroups: [parameterGroup(defaultParameterGroup(engine, v))],
    AvailabilityZone: `${sim.region}a`,
    DBSubnetGroup: sim.subnetGroup('default'),
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    PendingModifiedValues: {},
    MultiAZ: false,
    EngineVersion: v,
    AutoMinorVersionUpgrade: true,
    ReadReplicaDBInstanceIdentifiers: [],
    ReadReplicaDBClusterIdentifiers: [],
    LicenseModel: info.license,
    OptionGroupMemberships: [optionGroup(defaultOptionGroup(engine, v))],
    PubliclyAccessible: false,
    StorageType: 'gp2',
    // RDS reports 0 here for instances outside a DB cluster; the port is Endpoint.Port (observed, not documented).
    DbInstancePort: 0,
    StorageEncrypted: true,
    KmsKeyId: awsRdsKey(sim.env),
    DbiResourceId: sim.newResourceId(),
    CACertificateIdentifier: DEFAULT_CA,
    DomainMemberships: [],
    CopyTagsToSnapshot: false,
    MonitoringInterval: 0,
    DBInstanceArn: sim.arn('db', id),
    IAMDatabaseAuthenticationEnabled: false,
    DatabaseInsightsMode: 'standard',
    PerformanceInsightsEnabled: false,
    DeletionProtection: false,
    AssociatedRoles: [],
    TagList: [],
    CustomerOwnedIpEnabled: false,
    NetworkType: 'IPV4',
    ActivityStreamStatus: 'stopped',
    BackupTarget: 'region',
    CertificateDetails: certificate(DEFAULT_CA, sim.env),
    DedicatedLogVolume: false,
    MultiTenant: false,
    IsStorageConfigUpgradeAvailable: false,
    // only MySQL, PostgreSQL and Aurora have one (instance-rules.ts)
    ...(hasLifecycleSupport(engine) ? { EngineLifecycleSupport: 'open-source-rds-extended-support' } : {}),
  };
}

export function viewInstance(sim: SimState, rec: InstanceRecord): DBInstance {
  const i = structuredClone(rec.data);
  i.DBInstanceStatus = rec.life.status;
  i.PendingModifiedValues = pendingView(rec);
  const cluster = sim.clusterOf(rec)?.data;
  if (cluster) {
    // what Aurora keeps at the cluster level, a member shows as its cluster's (API_DBInstance, API_CreateDBInstance:
    // these settings are "managed by the DB cluster" for Aurora)
    Object.assign(i, {
      EngineVersion: cluster.EngineVersion,
      MasterUsername: cluster.MasterUsername,
      DBName: cluster.DatabaseName,
      StorageEncrypted: cluster.StorageEncrypted,
      KmsKeyId: cluster.KmsKeyId,
      BackupRetentionPeriod: cluster.BackupRetentionPeriod,
      PreferredBackupWindow: cluster.PreferredBackupWindow,
      VpcSecurityGroups: structuredClone(cluster.VpcSecurityGroups),
      DBSubnetGroup: sim.subnetGroup(cluster.DBSubnetGroup ?? 'default'),
      IAMDatabaseAuthenticationEnabled: cluster.IAMDatabaseAuthenticationEnabled,
    });
    if (i.Endpoint) i.Endpoint.Port = cluster.Port;
  }
  // LatestRestorableTime: only with automated backups on (API_DBInstance; backups.ts); not for Aurora members
  const window = cluster ? undefined : restorableWindow(sim, rec);
  if (window) i.LatestRestorableTime = window.latest;
  else delete i.LatestRestorableTime;
  if (rec.life.status === 'creating') {
    // RDS shows neither an endpoint nor a create time until the instance exists (API_DBInstance, Endpoint: it "might
    // not be shown for instances with the status of creating"; the create time likewise is observed).
    delete i.Endpoint;
    delete i.InstanceCreateTime;
  }
  return i;
}

export function pendingView(rec: InstanceRecord): PendingModifiedValues {
  const pmv: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rec.pending)) {
    const slot = PENDING_SLOTS[name];
    if (slot) pmv[slot] = structuredClone(value);
  }
  if (rec.renameTo) pmv.DBInstanceIdentifier = rec.renameTo;
  return pmv as PendingModifiedValues;
}

/** Attributes RDS derives from others, for a seed spec that set the one but not the other. */
export function deriveSeeded(sim: SimState, i: DBInstance, spec: InstanceSpec): void {
  if (spec.CACertificateIdentifier && !spec.CertificateDetails) setAttribute(i, 'CACertificateIdentifier', spec.CACertificateIdentifier, sim.env);
  if ((i.MonitoringInterval ?? 0) > 0 && !spec.EnhancedMonitoringResourceArn) setAttribute(i, 'MonitoringInterval', i.MonitoringInterval, sim.env);
  if (i.PerformanceInsightsEnabled) setAttribute(i, 'EnablePerformanceInsights', true, sim.env);
  if (spec.DBSubnetGroup?.DBSubnetGroupName) sim.knownSubnetGroups.set(spec.DBSubnetGroup.DBSubnetGroupName, structuredClone(spec.DBSubnetGroup));
}
