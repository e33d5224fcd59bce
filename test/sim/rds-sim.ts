/**
 * An in-memory Amazon RDS for tests: DB instances and DB snapshots (DB
 * clusters and cluster snapshots are meant to be added beside them, as more
 * record kinds in the same lifecycle engine).
 *
 * It sits under the REAL `RDSClient` of `@aws-sdk/client-rds` through
 * aws-sdk-client-mock: code under test builds real commands and gets SDK
 * shaped answers or real SDK exception objects. Time is the simulated clock
 * of `./clock`: every resource has a queue of (status, duration) phases and
 * every access first advances all of them to `clock.elapsed`, stamping each
 * transition with the moment it really happened.
 *
 * Faithfulness rule: where real RDS would refuse a call the simulator
 * refuses it, with the same fault name and a realistic message. Where the
 * simulator has no data to check (parameter groups, option groups, subnet
 * groups, security groups, KMS keys, IAM roles) it accepts the name as given.
 *
 * Caveat: aws-sdk-client-mock replaces `send`, so the SDK's own retry
 * middleware does not run: a 'Throttling' fault reaches the caller on the
 * first attempt, where the real SDK would have retried it up to 3 times.
 */
import * as sdk from '@aws-sdk/client-rds';
import {
  CertificateDetails, DBInstance, DBSnapshot, DBSubnetGroup, Filter, PendingModifiedValues,
  RDSClient, RDSServiceException, Tag,
} from '@aws-sdk/client-rds';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { SimClock } from './clock';

// ===========================================================================
// Public types
// ===========================================================================

/** How long each asynchronous RDS operation takes, in simulated seconds. */
export interface SimDurations {
  /** CreateDBSnapshot (and a final snapshot): 'creating' -> 'available'. */
  snapshotCreate: number;
  /** Rename with ApplyImmediately: still 'available' under the OLD id, PendingModifiedValues.DBInstanceIdentifier set. */
  renamePending: number;
  /** Then 'renaming' under the NEW id (old id gone) until 'available'. */
  rename: number;
  /** RestoreDBInstanceFromDBSnapshot: 'creating'. */
  restore: number;
  /** Then 'backing-up' (only when BackupRetentionPeriod > 0), then 'available'. */
  restoreBackup: number;
  /** ModifyDBInstance needing a status change: 'modifying' -> 'available'. */
  modify: number;
  /** DeleteDBInstance: 'deleting' -> gone. */
  delete: number;
  /** DeleteDBSnapshot: 'deleting' -> gone. */
  snapshotDelete: number;
}

/**
 * The one table of durations. Real durations depend on size, class and load;
 * these are typical values for a small (20-100 GiB, db.t3/m5) instance.
 */
export const DEFAULT_DURATIONS: SimDurations = {
  // Manual snapshot of a small instance: typically 5-15 min (the first one is a
  // full copy). RDS User Guide, "Creating a DB snapshot", gives no fixed time;
  // value from published measurements (AWS re:Post, blog timings).
  snapshotCreate: 600,
  // After ModifyDBInstance(NewDBInstanceIdentifier, ApplyImmediately) the
  // instance is still reported 'available' under its old name for seconds to
  // about a minute before turning 'renaming' (observed behaviour; the reason
  // the original Trapheus waits before polling). 15 s is a middle value.
  renamePending: 15,
  // RDS User Guide, "Renaming a DB instance": the old endpoint stops at once,
  // the new DNS name is effective in about 10 minutes.
  rename: 600,
  // Restore from snapshot of a small instance: typically 15-30 min until the
  // DB is reachable (RDS User Guide "Restoring to a DB instance" gives no time;
  // AWS re:Post "Why does my RDS restore take a long time" and measurements).
  restore: 1200,
  // A restored instance with backups on takes its first automated backup
  // ('backing-up') before 'available': a few minutes for a small DB.
  restoreBackup: 300,
  // Modifications needing a restart/scale (class, SGs, parameter group,
  // monitoring): 'modifying' for a few minutes on a Single-AZ small instance.
  modify: 180,
  // Deleting a Single-AZ instance: typically 5-10 min.
  delete: 600,
  // Deleting a manual snapshot: near-instant; the snapshot lingers as 'deleting'.
  snapshotDelete: 5,
};

export interface SimCall {
  /** clock.elapsed when the call was made */
  at: number;
  /** e.g. 'ModifyDBInstance' */
  command: string;
  input: any;
  /** fault name when it threw */
  error?: string;
}

export interface FaultRule {
  /** e.g. 'RestoreDBInstanceFromDBSnapshot' ('...Command' also accepted; '*': every command) */
  command: string;
  /** match only some calls */
  when?: (input: any) => boolean;
  /** fault name, e.g. 'InsufficientDBInstanceCapacityFault' or 'Throttling' */
  error: string;
  /** default: a realistic message (for 'Throttling': 'Rate exceeded') */
  message?: string;
  /** how many matching calls fail; default Infinity */
  times?: number;
}

export interface EndpointEvent { at: number; identifier: string; reachable: boolean }

/** What `addInstance` needs; everything else gets a realistic default. */
export type InstanceSpec = Partial<DBInstance> & { DBInstanceIdentifier: string; Engine: string; Tags?: Tag[] };

export interface SnapshotSpec {
  DBSnapshotIdentifier: string;
  DBInstanceIdentifier: string;
  Tags?: Tag[];
  SnapshotCreateTime?: Date;
  /** default 'available'; 'creating' runs the snapshotCreate phase */
  Status?: string;
}

// ===========================================================================
// Faults
// ===========================================================================

/** Messages for faults raised by `failOn` without a message of their own. */
const FAULT_MESSAGES: Record<string, string> = {
  Throttling: 'Rate exceeded',
  ThrottlingException: 'Rate exceeded',
  InsufficientDBInstanceCapacityFault: 'Cannot create a database instance because there is not enough capacity available '
    + 'for the requested DB instance class in the requested Availability Zone. Try again later, or choose a different '
    + 'DB instance class or Availability Zone.',
  InstanceQuotaExceededFault: 'DB Instance quota exceeded',
  StorageQuotaExceededFault: 'The request cannot be processed because it would exceed the maximum allowed storage for this account.',
  SnapshotQuotaExceededFault: 'Cannot create more than 100 manual snapshots',
  KMSKeyNotAccessibleFault: 'The specified KMS key is not accessible or is disabled.',
  InternalFailure: 'An internal error has occurred. Please try your query again at a later time.',
  ServiceUnavailable: 'Service is unavailable. Please try again later.',
};

/** Faults that are the service's, not the caller's (HTTP 5xx). */
const SERVER_FAULTS: Record<string, number> = { InternalFailure: 500, InternalError: 500, ServiceUnavailable: 503 };

/**
 * A real SDK exception: the specific class `@aws-sdk/client-rds` exports for
 * the name when there is one (DBInstanceNotFoundFault, ...), else an
 * RDSServiceException carrying the name (Throttling, InvalidParameterValue, ...).
 */
export function rdsFault(name: string, message?: string): RDSServiceException {
  const text = message ?? FAULT_MESSAGES[name] ?? `${name} (injected by RdsSimulator)`;
  const status = SERVER_FAULTS[name];
  const $metadata = { httpStatusCode: status ?? 400 };
  const Specific = (sdk as unknown as Record<string, unknown>)[name];
  if (typeof Specific === 'function' && Specific.prototype instanceof RDSServiceException) {
    return new (Specific as new (o: object) => RDSServiceException)({ $metadata, message: text });
  }
  return new RDSServiceException({ name, $fault: status ? 'server' : 'client', $metadata, message: text });
}

/**
 * The one table of status rules: which statuses each operation accepts on
 * its resource, and what RDS answers otherwise. `inFlight: false` also
 * refuses a resource that is 'available' but has an operation under way
 * (the gap between a rename request and 'renaming').
 */
const STATE_RULES: Record<string, { allowed: string[]; inFlight?: false; fault: string; message: (id: string, status: string) => string }> = {
  ModifyDBInstance: {
    allowed: ['available'],
    fault: 'InvalidDBInstanceStateFault',
    message: () => 'Database instance is not in available state.',
  },
  CreateDBSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBInstanceStateFault',
    message: id => `Cannot create a snapshot because the database instance ${id} is not currently in the available state.`,
  },
  DeleteDBInstance: {
    allowed: ['available', 'backing-up', 'failed', 'storage-full', 'incompatible-restore', 'incompatible-parameters',
      'incompatible-network', 'stopped'],
    inFlight: false,
    fault: 'InvalidDBInstanceStateFault',
    message: (id, status) => status === 'deleting'
      ? `Instance ${id} is already being deleted.`
      : `Instance ${id} is currently ${status} and cannot be deleted until the operation in progress completes.`,
  },
  FinalDBSnapshot: {
    allowed: ['available', 'backing-up', 'stopped', 'storage-full'],
    fault: 'InvalidDBInstanceStateFault',
    message: (id, status) => `Instance ${id} is currently in state ${status} - a final snapshot cannot be taken.`,
  },
  RestoreDBInstanceFromDBSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBSnapshotStateFault',
    message: (_id, status) => `DBSnapshot must have state available but actually has ${status}`,
  },
  DeleteDBSnapshot: {
    allowed: ['available', 'failed', 'incompatible-restore'],
    fault: 'InvalidDBSnapshotStateFault',
    message: (id, status) => `Cannot delete the snapshot ${id} because it is in the ${status} state.`,
  },
};

// ===========================================================================
// Identifiers, ARNs, endpoints
// ===========================================================================

const HOSTED_ZONE_ID = 'Z2R2ITUGPM61AM';
const DEFAULT_CA = 'rds-ca-rsa2048-g1';
/** The status a deleted record ends in; the record is then dropped. */
const GONE = 'deleted';
/** Statuses in which an instance's endpoint accepts connections. */
const REACHABLE = new Set(['available', 'backing-up', 'modifying', 'configuring-enhanced-monitoring',
  'configuring-log-exports', 'storage-optimization']);

/**
 * RDS identifier rules (DB instance: 1-63, snapshot: 1-255 chars): a letter
 * first, then ASCII letters, digits and hyphens, no '--', no trailing '-'.
 */
function validIdentifier(id: unknown, max: number): id is string {
  return typeof id === 'string' && id.length >= 1 && id.length <= max
    && /^[a-zA-Z][a-zA-Z0-9-]*$/.test(id) && !id.includes('--') && !id.endsWith('-');
}

function invalidIdentifier(parameter: string): RDSServiceException {
  return rdsFault('InvalidParameterValue', `The parameter ${parameter} is not a valid identifier. Identifiers must begin `
    + 'with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain '
    + 'two consecutive hyphens.');
}

const MINSTD_MODULUS = 2147483647;

/** Deterministic "random" characters (Park-Miller MINSTD generator), so runs are reproducible. */
function pseudoRandom(seed: number, length: number, alphabet: string): string {
  let x = (seed * 7919) % MINSTD_MODULUS || 1;
  let out = '';
  for (let k = 0; k < length; k++) {
    x = (x * 48271) % MINSTD_MODULUS;
    out += alphabet[Math.floor((x / MINSTD_MODULUS) * alphabet.length)];
  }
  return out;
}

function hashOf(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % MINSTD_MODULUS;
  return h;
}

// ===========================================================================
// Engines and their defaults
// ===========================================================================

interface EngineInfo { family: 'postgres' | 'mysql' | 'oracle' | 'sqlserver'; version: string; port: number; license: string }

/** Default version, port and licence per engine (by name prefix). */
const ENGINES: [prefix: string, info: EngineInfo][] = [
  ['postgres', { family: 'postgres', version: '16.3', port: 5432, license: 'postgresql-license' }],
  ['mysql', { family: 'mysql', version: '8.0.39', port: 3306, license: 'general-public-license' }],
  ['mariadb', { family: 'mysql', version: '10.11.9', port: 3306, license: 'general-public-license' }],
  ['oracle', { family: 'oracle', version: '19.0.0.0.ru-2024-07.rur-2024-07.r1', port: 1521, license: 'bring-your-own-license' }],
  ['sqlserver', { family: 'sqlserver', version: '15.00.4385.2.v1', port: 1433, license: 'license-included' }],
];

function engineInfo(engine: string): EngineInfo {
  const found = ENGINES.find(([prefix]) => engine.startsWith(prefix));
  if (!found) throw new Error(`RdsSimulator: engine '${engine}' is not simulated (DB instances only: postgres, mysql, mariadb, oracle-*, sqlserver-*)`);
  return found[1];
}

/** '16' for postgres 16.3, '8.0' for mysql 8.0.39, '19' for oracle, '15' for SQL Server 15.00. */
function majorVersion(engine: string, version: string): string {
  const parts = version.split('.');
  return engineInfo(engine).family === 'mysql' ? `${parts[0]}.${parts[1]}` : String(Number(parts[0]));
}

/** The engine's default DB parameter group: default.postgres16, default.mysql8.0, default.oracle-ee-19, default.sqlserver-se-15.0. */
function defaultParameterGroup(engine: string, version: string): string {
  const major = majorVersion(engine, version);
  switch (engineInfo(engine).family) {
    case 'postgres': case 'mysql': return `default.${engine}${major}`;
    case 'oracle': return `default.${engine}-${major}`;
    case 'sqlserver': return `default.${engine}-${major}.0`;
  }
}

/** The engine's default option group: default:postgres-16, default:mysql-8-0, default:oracle-ee-19, default:sqlserver-se-15-00. */
function defaultOptionGroup(engine: string, version: string): string {
  const major = majorVersion(engine, version);
  return engineInfo(engine).family === 'sqlserver' ? `default:${engine}-${major}-00` : `default:${engine}-${major.replace('.', '-')}`;
}

const vpcSecurityGroup = (id: string) => ({ VpcSecurityGroupId: id, Status: 'active' });
const parameterGroup = (name: string) => ({ DBParameterGroupName: name, ParameterApplyStatus: 'in-sync' });
const optionGroup = (name: string) => ({ OptionGroupName: name, Status: 'in-sync' });

// ===========================================================================
// How request parameters land on a DBInstance (shared by Restore and Modify)
// ===========================================================================

/** What the setters need from the simulator. */
interface Env {
  region: string;
  accountId: string;
  now(): Date;
  subnetGroup(name: string): DBSubnetGroup;
}

type Setter = (i: DBInstance, value: any, env: Env) => void;

/**
 * Request parameters whose DBInstance attribute differs from the parameter.
 * Any parameter not listed is stored under its own name. Names of parameter
 * groups, option groups, subnet groups, security groups, KMS keys and roles
 * are accepted as given: the simulator has no registry of them.
 */
const SETTERS: Record<string, Setter> = {
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
  CloudwatchLogsExportConfiguration: (i, v: { EnableLogTypes?: string[]; DisableLogTypes?: string[] }) => {
    const logs = new Set(i.EnabledCloudwatchLogsExports ?? []);
    for (const t of v.EnableLogTypes ?? []) logs.add(t);
    for (const t of v.DisableLogTypes ?? []) logs.delete(t);
    i.EnabledCloudwatchLogsExports = logs.size ? [...logs] : undefined;
  },
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
  ManageMasterUserPassword: (i, v: boolean, env) => {
    i.MasterUserSecret = v ? {
      SecretArn: `arn:aws:secretsmanager:${env.region}:${env.accountId}:secret:rds!db-${i.DbiResourceId?.slice(3).toLowerCase()}-AbCdEf`,
      SecretStatus: 'active',
      KmsKeyId: i.MasterUserSecret?.KmsKeyId ?? `arn:aws:kms:${env.region}:${env.accountId}:alias/aws/secretsmanager`,
    } : undefined;
  },
  MasterUserSecretKmsKeyId: (i, v: string) => { if (i.MasterUserSecret) i.MasterUserSecret.KmsKeyId = v; },
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

function setAttribute(i: DBInstance, name: string, value: unknown, env: Env): void {
  const setter = SETTERS[name] ?? ((x: DBInstance, v: unknown) => { (x as Record<string, unknown>)[name] = structuredClone(v); });
  setter(i, value, env);
}

function certificate(ca: string, env: Env): CertificateDetails {
  return { CAIdentifier: ca, ValidTill: new Date(env.now().getTime() + 395 * 86400_000) };
}

function awsRdsKey(env: Env): string {
  return `arn:aws:kms:${env.region}:${env.accountId}:key/5f8b9a1e-3c2d-4e6f-8a7b-9c0d1e2f3a4b`;
}

// ===========================================================================
// ModifyDBInstance: when each change takes effect
// ===========================================================================

/**
 * instant: applied at once, no status change (whatever ApplyImmediately says).
 * online:  RDS applies it as soon as possible whatever ApplyImmediately says
 *          (it has no PendingModifiedValues slot): 'modifying' for `modify` s.
 * pending: with ApplyImmediately, shown in PendingModifiedValues during
 *          'modifying' and applied at its end; without, it waits in
 *          PendingModifiedValues for the maintenance window, which the
 *          simulator never reaches (a later ApplyImmediately modify applies it).
 * Parameters not listed are 'online'.
 */
type ModifyKind = 'instant' | 'online' | 'pending';
const MODIFY_KINDS: Record<string, ModifyKind | ((i: DBInstance, value: any) => ModifyKind)> = {
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
const MODIFY_CONTROLS = new Set(['DBInstanceIdentifier', 'NewDBInstanceIdentifier', 'ApplyImmediately',
  'AllowMajorVersionUpgrade', 'CertificateRotationRestart']);

/** The PendingModifiedValues slot of a pending parameter (none: held but not shown, like OptionGroupName). */
const PENDING_SLOTS: Record<string, keyof PendingModifiedValues> = {
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

/** RestoreDBInstanceFromDBSnapshot parameters handled one by one (all others are stored as given). */
const RESTORE_HANDLED = new Set(['DBInstanceIdentifier', 'DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier',
  'DBInstanceClass', 'Engine', 'Port', 'AllocatedStorage', 'StorageType', 'Iops', 'StorageThroughput', 'DBName', 'LicenseModel',
  'AvailabilityZone', 'PreferredBackupWindow', 'Tags']);

function modifyKind(name: string, i: DBInstance, value: unknown): ModifyKind {
  const kind = MODIFY_KINDS[name] ?? 'online';
  return typeof kind === 'function' ? kind(i, value) : kind;
}

// ===========================================================================
// Lifecycle: a resource's status over simulated time
// ===========================================================================

interface Phase {
  status: string;
  /** undefined: a resting status, kept until the next operation */
  seconds?: number;
  /** effect when the phase begins */
  enter?: () => void;
}

class Lifecycle {
  status: string;
  startedAt: number;
  /** when the current phase ends (Infinity: resting, or stuck) */
  endsAt = Infinity;
  private queue: Phase[] = [];
  private freezeArmed = false;

  constructor(status: string, at: number) {
    this.status = status;
    this.startedAt = at;
  }

  /** An operation is under way (its current phase will end by itself). */
  get busy(): boolean {
    return this.endsAt !== Infinity;
  }

  /** Drop whatever was queued; begin `phases[0]` at `at`, then the rest. */
  run(phases: Phase[], at: number): void {
    this.queue = [...phases];
    this.next(at);
  }

  /** End the current phase at `at` and begin the next one. */
  next(at: number): void {
    const phase = this.queue.shift();
    if (!phase) {
      this.endsAt = Infinity;
      return;
    }
    this.status = phase.status;
    this.startedAt = at;
    this.endsAt = phase.seconds === undefined ? Infinity : at + phase.seconds;
    if (this.freezeArmed && this.busy && phase.status !== 'available') {
      this.endsAt = Infinity;
      this.freezeArmed = false;
    }
    phase.enter?.();
  }

  /** Never leave the current transitional status, or the next one entered. */
  freeze(): void {
    if (this.busy && this.status !== 'available') this.endsAt = Infinity;
    else this.freezeArmed = true;
  }

  /** Fraction of the current phase done at `at` (0 when it never ends). */
  progress(at: number): number {
    return this.busy ? Math.min(1, (at - this.startedAt) / Math.max(1e-9, this.endsAt - this.startedAt)) : 0;
  }
}

// ===========================================================================
// Records
// ===========================================================================

interface InstanceRecord {
  kind: 'instance';
  data: DBInstance;
  life: Lifecycle;
  /** ModifyDBInstance parameters waiting to be applied */
  pending: Record<string, unknown>;
  /** a requested rename (PendingModifiedValues.DBInstanceIdentifier) */
  renameTo?: string;
  /** the rename is under way: its target identifier is taken */
  renameReserved?: boolean;
}

interface SnapshotRecord {
  kind: 'snapshot';
  data: DBSnapshot;
  life: Lifecycle;
  /** what the snapshot knows of its source that DBSnapshot does not show */
  source: { DBInstanceClass?: string; DBName?: string };
}

type SimRecord = InstanceRecord | SnapshotRecord;

const identifierOf = (r: SimRecord): string =>
  (r.kind === 'instance' ? r.data.DBInstanceIdentifier : r.data.DBSnapshotIdentifier)!;

/** Filters DescribeDBInstances understands, and the values they match. */
const INSTANCE_FILTERS: Record<string, (i: DBInstance) => (string | undefined)[]> = {
  'db-instance-id': i => [i.DBInstanceIdentifier, i.DBInstanceArn],
  'dbi-resource-id': i => [i.DbiResourceId],
  'engine': i => [i.Engine],
  'db-cluster-id': i => [i.DBClusterIdentifier],
};

/** Filters DescribeDBSnapshots understands. */
const SNAPSHOT_FILTERS: Record<string, (s: DBSnapshot) => (string | undefined)[]> = {
  'db-instance-id': s => [s.DBInstanceIdentifier],
  'db-snapshot-id': s => [s.DBSnapshotIdentifier, s.DBSnapshotArn],
  'dbi-resource-id': s => [s.DbiResourceId],
  'snapshot-type': s => [s.SnapshotType],
  'engine': s => [s.Engine],
};

function applyFilters<T>(items: T[], filters: Filter[] | undefined, table: Record<string, (x: T) => (string | undefined)[]>): T[] {
  let out = items;
  for (const f of filters ?? []) {
    const values = table[f.Name ?? ''];
    if (!values) throw rdsFault('InvalidParameterValue', `Unrecognized filter name: ${f.Name}`);
    const wanted = new Set((f.Values ?? []).map(v => v.toLowerCase()));
    out = out.filter(x => values(x).some(v => v !== undefined && wanted.has(v.toLowerCase())));
  }
  return out;
}

/** MaxRecords / Marker paging as RDS does it (MaxRecords 20-100, default 100). */
function paginate<T>(items: T[], input: { MaxRecords?: number; Marker?: string }): { page: T[]; Marker?: string } {
  const max = input.MaxRecords ?? 100;
  if (max < 20 || max > 100) {
    throw rdsFault('InvalidParameterValue', `Invalid value ${max} for MaxRecords. Must be between 20 and 100`);
  }
  const start = input.Marker ? Number(Buffer.from(input.Marker, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw rdsFault('InvalidParameterValue', 'Invalid marker');
  const end = start + max;
  return { page: items.slice(start, end), ...(end < items.length ? { Marker: Buffer.from(String(end)).toString('base64') } : {}) };
}

function commandName(command: unknown): string {
  return ((command as { constructor?: { name?: string } })?.constructor?.name ?? 'UnknownCommand').replace(/Command$/, '');
}

// ===========================================================================
// The simulator
// ===========================================================================

export class RdsSimulator {
  readonly clock: SimClock;
  readonly durations: SimDurations;
  readonly calls: SimCall[] = [];
  readonly endpointEvents: EndpointEvent[] = [];

  private readonly region: string;
  private readonly accountId: string;
  private readonly env: Env;
  private records: SimRecord[] = [];
  private readonly faults: (FaultRule & { left: number })[] = [];
  private readonly pendingSticks = new Map<string, { status?: string }>();
  private readonly reachable = new Map<string, boolean>();
  private readonly knownSubnetGroups = new Map<string, DBSubnetGroup>();
  private resourceCounter = 0;
  private mock?: AwsStub<any, any, any>;

  /** Every implemented command, by name. */
  private readonly handlers: Record<string, (input: any) => object> = {
    DescribeDBInstances: input => this.describeDBInstances(input),
    ModifyDBInstance: input => this.modifyDBInstance(input),
    RestoreDBInstanceFromDBSnapshot: input => this.restoreDBInstanceFromDBSnapshot(input),
    DeleteDBInstance: input => this.deleteDBInstance(input),
    CreateDBSnapshot: input => this.createDBSnapshot(input),
    DescribeDBSnapshots: input => this.describeDBSnapshots(input),
    DeleteDBSnapshot: input => this.deleteDBSnapshot(input),
    AddTagsToResource: input => this.addTagsToResource(input),
    RemoveTagsFromResource: input => this.removeTagsFromResource(input),
    ListTagsForResource: input => this.listTagsForResource(input),
  };

  constructor(opts: { clock?: SimClock; durations?: Partial<SimDurations>; region?: string; accountId?: string } = {}) {
    this.clock = opts.clock ?? new SimClock();
    this.durations = { ...DEFAULT_DURATIONS, ...opts.durations };
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.env = {
      region: this.region,
      accountId: this.accountId,
      now: () => this.clock.now(),
      subnetGroup: name => this.subnetGroup(name),
    };
  }

  // -------------------------------------------------------------------------
  // Installing under the real client
  // -------------------------------------------------------------------------

  /** Route every RDSClient#send to this simulator. */
  install(): void {
    this.uninstall();
    this.mock = mockClient(RDSClient);
    this.mock.send.callsFake((command: unknown) => this.dispatch(command));
  }

  /** Restore the real client. */
  uninstall(): void {
    this.mock?.restore();
    this.mock = undefined;
  }

  private async dispatch(command: unknown): Promise<object> {
    const name = commandName(command);
    const input = (command as { input?: any })?.input ?? {};
    this.advance();
    const call: SimCall = { at: this.clock.elapsed, command: name, input: structuredClone(input) };
    this.calls.push(call);
    try {
      const handler = this.handlers[name];
      if (!handler) throw new Error(`RdsSimulator does not implement ${name}`);
      this.injectFault(name, input);
      const output = handler(input);
      this.syncEndpoints(this.clock.elapsed);
      return { $metadata: { httpStatusCode: 200 }, ...output };
    } catch (err) {
      call.error = (err as Error).name;
      throw err;
    }
  }

  // -------------------------------------------------------------------------
  // Fault injection and stuck resources
  // -------------------------------------------------------------------------

  /** Make matching calls fail (checked before the real rules). */
  failOn(rule: FaultRule): void {
    this.faults.push({ ...rule, command: rule.command.replace(/Command$/, ''), left: rule.times ?? Infinity });
  }

  private injectFault(command: string, input: unknown): void {
    const rule = this.faults.find(r => (r.command === command || r.command === '*') && r.left > 0 && (!r.when || r.when(input)));
    if (!rule) return;
    rule.left--;
    throw rdsFault(rule.error, rule.message);
  }

  /**
   * The instance (or snapshot) under `identifier`, or the next one created
   * under it, never leaves its transitional status; with `status`, it enters
   * that status at once and stays there until an operation moves it.
   */
  stick(identifier: string, status?: string): void {
    this.advance();
    const id = identifier.toLowerCase();
    const rec = this.findInstance(id) ?? this.findSnapshot(id);
    if (rec) this.applyStick(rec, status);
    else this.pendingSticks.set(id, { status });
    this.syncEndpoints(this.clock.elapsed);
  }

  /**
   * Like `stick`, but only for the next instance or snapshot that takes
   * `identifier` (created under it or renamed to it), not the one holding it now.
   */
  stickNext(identifier: string, status?: string): void {
    this.pendingSticks.set(identifier.toLowerCase(), { status });
  }

  private applyStick(rec: SimRecord, status: string | undefined): void {
    if (status === undefined) {
      rec.life.freeze();
      return;
    }
    rec.life.run([{ status }], this.clock.elapsed);
    if (rec.kind === 'instance') {
      rec.renameTo = undefined;
      rec.renameReserved = false;
    }
  }

  // -------------------------------------------------------------------------
  // Time
  // -------------------------------------------------------------------------

  /** Run every phase boundary up to clock.elapsed, in time order. */
  private advance(): void {
    const now = this.clock.elapsed;
    for (;;) {
      const t = Math.min(...this.records.map(r => r.life.endsAt));
      if (!(t <= now)) return;
      for (let due = this.dueAt(t); due; due = this.dueAt(t)) due.life.next(t);
      this.records = this.records.filter(r => r.life.status !== GONE);
      this.syncEndpoints(t);
    }
  }

  private dueAt(t: number): SimRecord | undefined {
    return this.records.find(r => r.life.endsAt <= t);
  }

  /** Record a change of reachability of any identifier's endpoint, stamped `at`. */
  private syncEndpoints(at: number): void {
    const instances = this.instanceRecords();
    const ids = new Set([...this.reachable.keys(), ...instances.map(identifierOf)]);
    for (const id of [...ids].sort()) {
      const up = instances.some(r => identifierOf(r) === id && REACHABLE.has(r.life.status));
      if (up !== (this.reachable.get(id) ?? false)) {
        this.reachable.set(id, up);
        this.endpointEvents.push({ at, identifier: id, reachable: up });
      }
    }
  }

  /** Periods in which `identifier` had no reachable endpoint (an open one ends now). */
  endpointDowntime(identifier: string): { from: number; to: number; seconds: number }[] {
    this.advance();
    const id = identifier.toLowerCase();
    const out: { from: number; to: number; seconds: number }[] = [];
    let from: number | undefined;
    for (const e of this.endpointEvents.filter(x => x.identifier === id)) {
      if (!e.reachable && from === undefined) from = e.at;
      if (e.reachable && from !== undefined) {
        out.push({ from, to: e.at, seconds: e.at - from });
        from = undefined;
      }
    }
    if (from !== undefined) out.push({ from, to: this.clock.elapsed, seconds: this.clock.elapsed - from });
    return out;
  }

  // -------------------------------------------------------------------------
  // Inspection
  // -------------------------------------------------------------------------

  instance(identifier: string): DBInstance | undefined {
    this.advance();
    const rec = this.findInstance(identifier.toLowerCase());
    return rec && this.viewInstance(rec);
  }

  snapshot(identifier: string): DBSnapshot | undefined {
    this.advance();
    const rec = this.findSnapshot(identifier.toLowerCase());
    return rec && this.viewSnapshot(rec);
  }

  instances(): DBInstance[] {
    this.advance();
    return this.instanceRecords().map(r => this.viewInstance(r));
  }

  snapshots(): DBSnapshot[] {
    this.advance();
    return this.snapshotRecords().map(r => this.viewSnapshot(r));
  }

  /** Calls other than Describe* / List*. */
  mutatingCalls(): SimCall[] {
    return this.calls.filter(c => !/^(Describe|List)/.test(c.command));
  }

  private instanceRecords(): InstanceRecord[] {
    return this.records.filter((r): r is InstanceRecord => r.kind === 'instance');
  }

  private snapshotRecords(): SnapshotRecord[] {
    return this.records.filter((r): r is SnapshotRecord => r.kind === 'snapshot');
  }

  private findInstance(id: string): InstanceRecord | undefined {
    return this.instanceRecords().find(r => r.data.DBInstanceIdentifier === id);
  }

  private findSnapshot(id: string): SnapshotRecord | undefined {
    return this.snapshotRecords().find(r => r.data.DBSnapshotIdentifier === id);
  }

  /** An identifier is taken by an instance using it or by a rename under way to it. */
  private instanceIdTaken(id: string): boolean {
    return this.instanceRecords().some(r => r.data.DBInstanceIdentifier === id || (r.renameReserved && r.renameTo === id));
  }

  private requireInstance(identifier: unknown): InstanceRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', 'The request must contain the parameter DBInstanceIdentifier');
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.instanceRecords().find(r => r.data.DBInstanceArn === identifier)
      : this.findInstance(id);
    if (!rec) throw rdsFault('DBInstanceNotFoundFault', `DBInstance ${identifier} not found.`);
    return rec;
  }

  private requireSnapshot(identifier: unknown): SnapshotRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', 'The request must contain the parameter DBSnapshotIdentifier');
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.snapshotRecords().find(r => r.data.DBSnapshotArn === identifier)
      : this.findSnapshot(id);
    if (!rec) throw rdsFault('DBSnapshotNotFoundFault', `DBSnapshot not found: ${identifier}`);
    return rec;
  }

  /** Apply the STATE_RULES row `rule` to a record, throwing its fault. */
  private checkState(rule: string, rec: SimRecord): void {
    const r = STATE_RULES[rule];
    const status = rec.life.status;
    // 'available' with an operation under way: the gap before a rename starts
    const inFlight = r.inFlight === false && status === 'available' && rec.life.busy;
    if (!r.allowed.includes(status) || inFlight) {
      throw rdsFault(r.fault, r.message(identifierOf(rec), inFlight ? `${status} with an operation in progress` : status));
    }
  }

  // -------------------------------------------------------------------------
  // Views (copies, never internal objects)
  // -------------------------------------------------------------------------

  private viewInstance(rec: InstanceRecord): DBInstance {
    const i = structuredClone(rec.data);
    i.DBInstanceStatus = rec.life.status;
    i.PendingModifiedValues = this.pendingView(rec);
    if (rec.life.status === 'creating') {
      // RDS shows neither an endpoint nor a create time until the instance exists.
      delete i.Endpoint;
      delete i.InstanceCreateTime;
    }
    return i;
  }

  private pendingView(rec: InstanceRecord): PendingModifiedValues {
    const pmv: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(rec.pending)) {
      const slot = PENDING_SLOTS[name];
      if (slot) pmv[slot] = structuredClone(value);
    }
    if (rec.renameTo) pmv.DBInstanceIdentifier = rec.renameTo;
    return pmv as PendingModifiedValues;
  }

  private viewSnapshot(rec: SnapshotRecord): DBSnapshot {
    const s = structuredClone(rec.data);
    s.Status = rec.life.status;
    s.PercentProgress = rec.life.status === 'creating' ? Math.floor(100 * rec.life.progress(this.clock.elapsed)) : 100;
    return s;
  }

  // -------------------------------------------------------------------------
  // Building resources
  // -------------------------------------------------------------------------

  private arn(type: 'db' | 'snapshot', id: string): string {
    return `arn:aws:rds:${this.region}:${this.accountId}:${type}:${id}`;
  }

  private address(id: string): string {
    return `${id}.c1abcdefghij.${this.region}.rds.amazonaws.com`;
  }

  private newResourceId(): string {
    return `db-${pseudoRandom(++this.resourceCounter, 26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
  }

  /** A subnet group by name: one seen on a seeded instance, else a made-up one in its own VPC. */
  private subnetGroup(name: string): DBSubnetGroup {
    const known = this.knownSubnetGroups.get(name);
    if (known) return structuredClone(known);
    const vpc = name === 'default' ? 'vpc-default' : `vpc-0${hashOf(name).toString(16).padStart(8, '0')}`;
    return {
      DBSubnetGroupName: name,
      DBSubnetGroupDescription: name,
      VpcId: vpc,
      SubnetGroupStatus: 'Complete',
      Subnets: ['a', 'b', 'c'].map(az => ({
        SubnetIdentifier: `subnet-${pseudoRandom(hashOf(name + az), 8, '0123456789abcdef')}`,
        SubnetAvailabilityZone: { Name: `${this.region}${az}` },
        SubnetOutpost: {},
        SubnetStatus: 'Active',
      })),
      SupportedNetworkTypes: ['IPV4'],
    };
  }

  /** A complete DBInstance with the values RDS gives a new instance of `engine`. */
  private instanceDefaults(id: string, engine: string, version?: string): DBInstance {
    const info = engineInfo(engine);
    const v = version ?? info.version;
    return {
      DBInstanceIdentifier: id,
      DBInstanceClass: 'db.t3.micro',
      Engine: engine,
      DBInstanceStatus: 'available',
      MasterUsername: 'admin',
      Endpoint: { Address: this.address(id), Port: info.port, HostedZoneId: HOSTED_ZONE_ID },
      AllocatedStorage: 20,
      InstanceCreateTime: this.clock.now(),
      PreferredBackupWindow: '03:00-03:30',
      BackupRetentionPeriod: 1,
      DBSecurityGroups: [],
      VpcSecurityGroups: [vpcSecurityGroup('sg-default')],
      DBParameterGroups: [parameterGroup(defaultParameterGroup(engine, v))],
      AvailabilityZone: `${this.region}a`,
      DBSubnetGroup: this.subnetGroup('default'),
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
      // RDS reports 0 here for instances outside a DB cluster; the port is Endpoint.Port.
      DbInstancePort: 0,
      StorageEncrypted: true,
      KmsKeyId: awsRdsKey(this.env),
      DbiResourceId: this.newResourceId(),
      CACertificateIdentifier: DEFAULT_CA,
      DomainMemberships: [],
      CopyTagsToSnapshot: false,
      MonitoringInterval: 0,
      DBInstanceArn: this.arn('db', id),
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
      CertificateDetails: certificate(DEFAULT_CA, this.env),
      DedicatedLogVolume: false,
      MultiTenant: false,
      IsStorageConfigUpgradeAvailable: false,
      EngineLifecycleSupport: 'open-source-rds-extended-support',
    };
  }

  /** Give `rec` the identifier `id` (ARN and endpoint follow); a stick waiting for `id` applies. */
  private claim(rec: SimRecord, id: string): void {
    if (rec.kind === 'instance') {
      rec.data.DBInstanceIdentifier = id;
      rec.data.DBInstanceArn = this.arn('db', id);
      rec.data.Endpoint = { ...rec.data.Endpoint, Address: this.address(id), HostedZoneId: HOSTED_ZONE_ID };
    } else {
      rec.data.DBSnapshotIdentifier = id;
      rec.data.DBSnapshotArn = this.arn('snapshot', id);
    }
    const stick = this.pendingSticks.get(id);
    if (stick) {
      this.pendingSticks.delete(id);
      this.applyStick(rec, stick.status);
    }
  }

  /** A snapshot of `inst` as it is now, 'creating' for snapshotCreate then 'available'. */
  private takeSnapshot(inst: InstanceRecord, id: string, tags: Tag[], opts: { status?: string; created?: Date } = {}): SnapshotRecord {
    const i = inst.data;
    const now = this.clock.elapsed;
    const created = opts.created ?? this.clock.now();
    const rec: SnapshotRecord = {
      kind: 'snapshot',
      life: new Lifecycle('creating', now),
      source: { DBInstanceClass: i.DBInstanceClass, DBName: i.DBName },
      data: {
        DBSnapshotIdentifier: id,
        DBInstanceIdentifier: i.DBInstanceIdentifier,
        SnapshotCreateTime: created,
        Engine: i.Engine,
        AllocatedStorage: i.AllocatedStorage,
        Port: i.Endpoint?.Port,
        AvailabilityZone: i.AvailabilityZone,
        VpcId: i.DBSubnetGroup?.VpcId,
        InstanceCreateTime: i.InstanceCreateTime,
        MasterUsername: i.MasterUsername,
        EngineVersion: i.EngineVersion,
        LicenseModel: i.LicenseModel,
        SnapshotType: 'manual',
        Iops: i.Iops,
        StorageThroughput: i.StorageThroughput,
        OptionGroupName: i.OptionGroupMemberships?.[0]?.OptionGroupName,
        PercentProgress: 0,
        StorageType: i.StorageType,
        Encrypted: i.StorageEncrypted,
        KmsKeyId: i.KmsKeyId,
        DBSnapshotArn: this.arn('snapshot', id),
        IAMDatabaseAuthenticationEnabled: i.IAMDatabaseAuthenticationEnabled,
        ProcessorFeatures: structuredClone(i.ProcessorFeatures),
        DbiResourceId: i.DbiResourceId,
        TagList: structuredClone(tags),
        SnapshotTarget: 'region',
        OriginalSnapshotCreateTime: created,
        DedicatedLogVolume: i.DedicatedLogVolume,
        MultiTenant: i.MultiTenant,
      },
    };
    const status = opts.status ?? 'creating';
    rec.life.run(status === 'creating'
      ? [{ status: 'creating', seconds: this.durations.snapshotCreate }, { status: 'available' }]
      : [{ status }], now);
    this.records.push(rec);
    this.claim(rec, id);
    return rec;
  }

  // -------------------------------------------------------------------------
  // Seeding
  // -------------------------------------------------------------------------

  /** Seed an instance (default 'available'); spec values replace the defaults. */
  addInstance(spec: InstanceSpec): DBInstance {
    this.advance();
    if (!validIdentifier(spec.DBInstanceIdentifier, 63)) throw new Error(`addInstance: invalid identifier '${spec.DBInstanceIdentifier}'`);
    const id = spec.DBInstanceIdentifier.toLowerCase();
    if (this.instanceIdTaken(id)) throw new Error(`addInstance: an instance '${id}' already exists`);
    const { Tags, DBInstanceStatus, PendingModifiedValues: _ignored, ...rest } = structuredClone(spec);
    const data: DBInstance = { ...this.instanceDefaults(id, spec.Engine, spec.EngineVersion), ...rest, DBInstanceIdentifier: id };
    if (Tags) data.TagList = Tags;
    this.deriveSeeded(data, spec);
    const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle(DBInstanceStatus ?? 'available', this.clock.elapsed), pending: {} };
    this.records.push(rec);
    this.claim(rec, id);
    this.syncEndpoints(this.clock.elapsed);
    return this.viewInstance(rec);
  }

  /** Attributes RDS derives from others, for a seed spec that set the one but not the other. */
  private deriveSeeded(i: DBInstance, spec: InstanceSpec): void {
    if (spec.CACertificateIdentifier && !spec.CertificateDetails) setAttribute(i, 'CACertificateIdentifier', spec.CACertificateIdentifier, this.env);
    if ((i.MonitoringInterval ?? 0) > 0 && !spec.EnhancedMonitoringResourceArn) setAttribute(i, 'MonitoringInterval', i.MonitoringInterval, this.env);
    if (i.PerformanceInsightsEnabled) setAttribute(i, 'EnablePerformanceInsights', true, this.env);
    if (spec.DBSubnetGroup?.DBSubnetGroupName) this.knownSubnetGroups.set(spec.DBSubnetGroup.DBSubnetGroupName, structuredClone(spec.DBSubnetGroup));
  }

  /** Seed a manual snapshot (default 'available') of the named instance as it is now. */
  addSnapshot(spec: SnapshotSpec): DBSnapshot {
    this.advance();
    const inst = this.findInstance(spec.DBInstanceIdentifier.toLowerCase());
    if (!inst) throw new Error(`addSnapshot: no instance '${spec.DBInstanceIdentifier}'`);
    if (!validIdentifier(spec.DBSnapshotIdentifier, 255)) throw new Error(`addSnapshot: invalid identifier '${spec.DBSnapshotIdentifier}'`);
    const id = spec.DBSnapshotIdentifier.toLowerCase();
    if (this.findSnapshot(id)) throw new Error(`addSnapshot: a snapshot '${id}' already exists`);
    const rec = this.takeSnapshot(inst, id, spec.Tags ?? [], { status: spec.Status ?? 'available', created: spec.SnapshotCreateTime });
    return this.viewSnapshot(rec);
  }

  // -------------------------------------------------------------------------
  // DB instances
  // -------------------------------------------------------------------------

  private describeDBInstances(input: { DBInstanceIdentifier?: string; Filters?: Filter[]; MaxRecords?: number; Marker?: string }): object {
    const found = input.DBInstanceIdentifier !== undefined
      ? [this.requireInstance(input.DBInstanceIdentifier)]
      : [...this.instanceRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
    const views = applyFilters(found.map(r => this.viewInstance(r)), input.Filters, INSTANCE_FILTERS);
    const { page, Marker } = paginate(views, input);
    return { DBInstances: page, ...(Marker ? { Marker } : {}) };
  }

  private modifyDBInstance(input: Record<string, any>): object {
    const rec = this.requireInstance(input.DBInstanceIdentifier);
    const newId = this.renameTarget(input.NewDBInstanceIdentifier);
    this.checkState('ModifyDBInstance', rec);
    const given = Object.keys(input).filter(k => !MODIFY_CONTROLS.has(k) && input[k] !== undefined);
    if (newId === undefined && given.length === 0) throw rdsFault('InvalidParameterCombination', 'No modifications were requested');
    this.validateModify(rec, input);

    const immediate = input.ApplyImmediately === true;
    const plan = this.planModify(rec, input, given);
    const hasPending = Object.keys(rec.pending).length > 0 || plan.pending.length > 0;
    const modifying = plan.online.length > 0 || (immediate && hasPending);
    if ((modifying || newId !== undefined) && rec.life.busy) {
      throw rdsFault('InvalidDBInstanceStateFault', 'Database instance is not in available state.');
    }

    for (const name of [...plan.instant, ...plan.online]) setAttribute(rec.data, name, input[name], this.env);
    for (const name of plan.pending) rec.pending[name] = structuredClone(input[name]);
    if (newId !== undefined) rec.renameTo = newId;

    const phases: Phase[] = [];
    if (newId !== undefined && immediate) phases.push(...this.renamePhases(rec, newId));
    if (modifying) {
      phases.push({ status: 'modifying', seconds: this.durations.modify });
      phases.push({ status: 'available', enter: immediate ? () => this.applyPending(rec) : undefined });
    } else if (phases.length) {
      phases.push({ status: 'available' });
    }
    if (phases.length) rec.life.run(phases, this.clock.elapsed);
    return { DBInstance: this.viewInstance(rec) };
  }

  /** NewDBInstanceIdentifier, validated and free, lower-cased; undefined when not renaming. */
  private renameTarget(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (!validIdentifier(value, 63)) throw invalidIdentifier('NewDBInstanceIdentifier');
    const id = value.toLowerCase();
    if (this.instanceIdTaken(id)) throw rdsFault('DBInstanceAlreadyExistsFault', 'DB instance already exists');
    return id;
  }

  /** Checks RDS makes on a modification's values. */
  private validateModify(rec: InstanceRecord, input: Record<string, any>): void {
    const i = rec.data;
    if (input.MonitoringInterval > 0 && !input.MonitoringRoleArn && !i.MonitoringRoleArn) {
      throw rdsFault('InvalidParameterCombination', 'A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.');
    }
    if (input.AllocatedStorage !== undefined && input.AllocatedStorage < (i.AllocatedStorage ?? 0)) {
      throw rdsFault('InvalidParameterCombination',
        `Invalid storage size for engine name ${i.Engine} and storage type ${input.StorageType ?? i.StorageType}: ${input.AllocatedStorage}`);
    }
    if (input.EngineVersion !== undefined && !input.AllowMajorVersionUpgrade
      && majorVersion(i.Engine!, input.EngineVersion) !== majorVersion(i.Engine!, i.EngineVersion!)) {
      throw rdsFault('InvalidParameterCombination', 'The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.');
    }
  }

  /** Sort the given parameters that change something by when they take effect. */
  private planModify(rec: InstanceRecord, input: Record<string, any>, given: string[]) {
    const plan = { instant: [] as string[], online: [] as string[], pending: [] as string[] };
    for (const name of given) {
      const kind = modifyKind(name, rec.data, input[name]);
      const changed = kind === 'instant' || this.changes(rec.data, name, input[name]);
      if (changed) plan[kind].push(name);
      else if (kind === 'pending') delete rec.pending[name];
    }
    return plan;
  }

  /** Whether setting `name` to `value` would change the instance. */
  private changes(i: DBInstance, name: string, value: unknown): boolean {
    const after = structuredClone(i);
    setAttribute(after, name, value, this.env);
    return JSON.stringify(after) !== JSON.stringify(i);
  }

  private applyPending(rec: InstanceRecord): void {
    for (const [name, value] of Object.entries(rec.pending)) setAttribute(rec.data, name, value, this.env);
    rec.pending = {};
  }

  /** Still 'available' under the old id, then 'renaming' under the new one. */
  private renamePhases(rec: InstanceRecord, newId: string): Phase[] {
    rec.renameReserved = true;
    return [
      { status: 'available', seconds: this.durations.renamePending },
      {
        status: 'renaming',
        seconds: this.durations.rename,
        enter: () => {
          rec.renameTo = undefined;
          rec.renameReserved = false;
          this.claim(rec, newId);
        },
      },
    ];
  }

  private restoreDBInstanceFromDBSnapshot(input: Record<string, any>): object {
    if (!validIdentifier(input.DBInstanceIdentifier, 63)) throw invalidIdentifier('DBInstanceIdentifier');
    if (input.DBClusterSnapshotIdentifier !== undefined) {
      throw new Error('RdsSimulator does not implement RestoreDBInstanceFromDBSnapshot from a DBClusterSnapshotIdentifier');
    }
    const snap = this.requireSnapshot(input.DBSnapshotIdentifier);
    this.checkState('RestoreDBInstanceFromDBSnapshot', snap);
    const id = input.DBInstanceIdentifier.toLowerCase();
    if (this.instanceIdTaken(id)) throw rdsFault('DBInstanceAlreadyExistsFault', 'DB instance already exists');
    if (input.MultiAZ && input.AvailabilityZone) {
      throw rdsFault('InvalidParameterCombination', 'Requesting a specific availability zone is not valid for Multi-AZ instances.');
    }
    const data = this.restoredInstance(id, snap, input);
    const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle('creating', this.clock.elapsed), pending: {} };
    rec.life.run([
      { status: 'creating', seconds: this.durations.restore },
      ...((data.BackupRetentionPeriod ?? 0) > 0 ? [{ status: 'backing-up', seconds: this.durations.restoreBackup }] : []),
      { status: 'available' },
    ], this.clock.elapsed);
    this.records.push(rec);
    this.claim(rec, id);
    return { DBInstance: this.viewInstance(rec) };
  }

  /**
   * The new instance, per the RestoreDBInstanceFromDBSnapshot API reference:
   * engine, version, storage, credentials, database name, encryption, licence,
   * port and (by default) class come from the snapshot; EVERYTHING ELSE takes
   * the RDS default unless the call gives it: no parameter group, security
   * group, Multi-AZ, tags, deletion protection, monitoring... of the original.
   */
  private restoredInstance(id: string, snap: SnapshotRecord, input: Record<string, any>): DBInstance {
    const s = snap.data;
    const i = this.instanceDefaults(id, input.Engine ?? s.Engine!, s.EngineVersion);
    const keepsStorageType = input.StorageType === undefined || input.StorageType === s.StorageType;
    Object.assign(i, {
      // from the snapshot unless given
      DBInstanceClass: input.DBInstanceClass ?? snap.source.DBInstanceClass,
      AllocatedStorage: input.AllocatedStorage ?? s.AllocatedStorage,
      StorageType: input.StorageType ?? s.StorageType,
      Iops: input.Iops ?? (keepsStorageType ? s.Iops : undefined),
      StorageThroughput: input.StorageThroughput ?? (keepsStorageType ? s.StorageThroughput : undefined),
      MasterUsername: s.MasterUsername,
      DBName: input.DBName ?? snap.source.DBName,
      StorageEncrypted: s.Encrypted,
      KmsKeyId: s.KmsKeyId,
      LicenseModel: input.LicenseModel ?? s.LicenseModel,
      ProcessorFeatures: undefined,
      // RDS picks these itself (an AZ and windows of its choosing), so a
      // restore that does not pass them does not get the original's
      AvailabilityZone: input.AvailabilityZone ?? `${this.region}b`,
      PreferredBackupWindow: input.PreferredBackupWindow ?? '07:13-07:43',
      PreferredMaintenanceWindow: 'wed:09:26-wed:09:56',
      InstanceCreateTime: this.clock.now(),
      TagList: [],
    });
    setAttribute(i, 'Port', input.Port ?? s.Port, this.env);
    if (input.Tags) setAttribute(i, 'Tags', input.Tags, this.env);
    for (const [name, value] of Object.entries(input)) {
      if (value !== undefined && !RESTORE_HANDLED.has(name)) setAttribute(i, name, value, this.env);
    }
    if (i.MultiAZ) i.SecondaryAvailabilityZone = `${this.region}c`;
    return i;
  }

  private deleteDBInstance(input: { DBInstanceIdentifier?: string; SkipFinalSnapshot?: boolean; FinalDBSnapshotIdentifier?: string }): object {
    const rec = this.requireInstance(input.DBInstanceIdentifier);
    this.checkState('DeleteDBInstance', rec);
    if (rec.data.DeletionProtection) {
      throw rdsFault('InvalidParameterCombination', 'Cannot delete protected DB Instance, please disable deletion protection and try again.');
    }
    const skip = input.SkipFinalSnapshot === true;
    const finalId = input.FinalDBSnapshotIdentifier;
    if (skip && finalId !== undefined) {
      throw rdsFault('InvalidParameterCombination', 'Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.');
    }
    if (!skip && finalId === undefined) {
      throw rdsFault('InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
    }
    if (finalId !== undefined) this.takeFinalSnapshot(rec, finalId);
    rec.renameTo = undefined;
    rec.renameReserved = false;
    rec.life.run([{ status: 'deleting', seconds: this.durations.delete }, { status: GONE }], this.clock.elapsed);
    return { DBInstance: this.viewInstance(rec) };
  }

  private takeFinalSnapshot(rec: InstanceRecord, finalId: string): void {
    if (!validIdentifier(finalId, 255)) throw invalidIdentifier('FinalDBSnapshotIdentifier');
    const id = finalId.toLowerCase();
    if (this.findSnapshot(id)) throw this.snapshotExists(id);
    this.checkState('FinalDBSnapshot', rec);
    this.takeSnapshot(rec, id, rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : []);
  }

  // -------------------------------------------------------------------------
  // DB snapshots
  // -------------------------------------------------------------------------

  private snapshotExists(id: string): RDSServiceException {
    return rdsFault('DBSnapshotAlreadyExistsFault', `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`);
  }

  private createDBSnapshot(input: { DBSnapshotIdentifier?: string; DBInstanceIdentifier?: string; Tags?: Tag[] }): object {
    if (!validIdentifier(input.DBSnapshotIdentifier, 255)) throw invalidIdentifier('DBSnapshotIdentifier');
    const rec = this.requireInstance(input.DBInstanceIdentifier);
    const id = input.DBSnapshotIdentifier.toLowerCase();
    if (this.findSnapshot(id)) throw this.snapshotExists(id);
    this.checkState('CreateDBSnapshot', rec);
    const tags = input.Tags?.length ? input.Tags : rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : [];
    return { DBSnapshot: this.viewSnapshot(this.takeSnapshot(rec, id, tags)) };
  }

  private describeDBSnapshots(input: {
    DBSnapshotIdentifier?: string;
    DBInstanceIdentifier?: string;
    SnapshotType?: string;
    DbiResourceId?: string;
    Filters?: Filter[];
    MaxRecords?: number;
    Marker?: string;
  }): object {
    let found = input.DBSnapshotIdentifier !== undefined
      ? [this.requireSnapshot(input.DBSnapshotIdentifier)]
      : [...this.snapshotRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
    const instanceId = input.DBInstanceIdentifier?.toLowerCase();
    if (instanceId !== undefined) found = found.filter(r => r.data.DBInstanceIdentifier === instanceId);
    if (input.SnapshotType !== undefined) found = found.filter(r => r.data.SnapshotType === input.SnapshotType);
    if (input.DbiResourceId !== undefined) found = found.filter(r => r.data.DbiResourceId === input.DbiResourceId);
    const views = applyFilters(found.map(r => this.viewSnapshot(r)), input.Filters, SNAPSHOT_FILTERS);
    const { page, Marker } = paginate(views, input);
    return { DBSnapshots: page, ...(Marker ? { Marker } : {}) };
  }

  private deleteDBSnapshot(input: { DBSnapshotIdentifier?: string }): object {
    const rec = this.requireSnapshot(input.DBSnapshotIdentifier);
    this.checkState('DeleteDBSnapshot', rec);
    rec.life.run([{ status: 'deleting', seconds: this.durations.snapshotDelete }, { status: GONE }], this.clock.elapsed);
    return { DBSnapshot: this.viewSnapshot(rec) };
  }

  // -------------------------------------------------------------------------
  // Tags (by ARN)
  // -------------------------------------------------------------------------

  /** The record an ARN names: arn:aws:rds:<region>:<account>:db:<id> or ...:snapshot:<id>. */
  private resourceByArn(arn: unknown): SimRecord {
    const m = /^arn:aws:rds:([^:]+):(\d{12}):([a-z-]+):(.+)$/.exec(String(arn ?? ''));
    if (!m) throw rdsFault('InvalidParameterValue', `The specified resource name does not match an RDS resource in this region: ${arn}`);
    const [, region, account, type, id] = m;
    const here = region === this.region && account === this.accountId;
    switch (type) {
      case 'db': {
        const rec = here ? this.findInstance(id) : undefined;
        if (!rec) throw rdsFault('DBInstanceNotFoundFault', `DBInstance ${id} not found.`);
        return rec;
      }
      case 'snapshot': {
        const rec = here ? this.findSnapshot(id) : undefined;
        if (!rec) throw rdsFault('DBSnapshotNotFoundFault', `DBSnapshot not found: ${id}`);
        return rec;
      }
      default:
        throw new Error(`RdsSimulator does not implement tags on '${type}' resources`);
    }
  }

  private addTagsToResource(input: { ResourceName?: string; Tags?: Tag[] }): object {
    const rec = this.resourceByArn(input.ResourceName);
    const tags = new Map((rec.data.TagList ?? []).map(t => [t.Key, t.Value]));
    for (const t of input.Tags ?? []) tags.set(t.Key, t.Value);
    rec.data.TagList = [...tags].map(([Key, Value]) => ({ Key, Value }));
    return {};
  }

  private removeTagsFromResource(input: { ResourceName?: string; TagKeys?: string[] }): object {
    const rec = this.resourceByArn(input.ResourceName);
    const drop = new Set(input.TagKeys ?? []);
    rec.data.TagList = (rec.data.TagList ?? []).filter(t => !drop.has(t.Key!));
    return {};
  }

  private listTagsForResource(input: { ResourceName?: string }): object {
    return { TagList: structuredClone(this.resourceByArn(input.ResourceName).data.TagList ?? []) };
  }
}
