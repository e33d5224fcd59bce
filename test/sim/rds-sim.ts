/**
 * An in-memory Amazon RDS for tests: DB instances and DB snapshots, Aurora
 * DB clusters (with their member instances) and DB cluster snapshots, all
 * record kinds of the same lifecycle engine.
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
  CertificateDetails, ClusterPendingModifiedValues, DBCluster, DBClusterMember, DBClusterSnapshot, DBInstance,
  DBSnapshot, DBSubnetGroup, Filter, PendingModifiedValues, RDSClient, RDSServiceException, Tag,
} from '@aws-sdk/client-rds';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { gateCall } from './aws-calls';
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
  /** DeleteDBSnapshot and DeleteDBClusterSnapshot: 'deleting' -> gone. */
  snapshotDelete: number;
  /** ModifyDBCluster(NewDBClusterIdentifier, ApplyImmediately): 'renaming' under the NEW id (at once) -> 'available'. */
  clusterRename: number;
  /** ModifyDBCluster changing anything but the instant settings: 'modifying' -> 'available'. */
  clusterModify: number;
  /** CreateDBClusterSnapshot (and a final cluster snapshot): 'creating' -> 'available'. */
  clusterSnapshotCreate: number;
  /** RestoreDBClusterFromSnapshot: 'creating' -> 'available' (a cluster with no instances). */
  clusterRestore: number;
  /** CreateDBInstance of an Aurora cluster member: 'creating' -> 'available'. */
  memberCreate: number;
  /** DeleteDBCluster: 'deleting' -> gone (once it has no members left). */
  clusterDelete: number;
  /** Rename of a cluster member: 'renaming' (after renamePending) -> 'available'. */
  memberRename: number;
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
  // Aurora User Guide, "Renaming an Aurora DB cluster": no outage, the
  // endpoints change. How long the cluster reports 'renaming' is assumed.
  clusterRename: 60,
  // Cluster-level changes (parameter group, SGs, port, log exports, storage
  // type, Serverless v2 capacity): assumed, a minute for the cluster record
  // (the instances do the slow part, and they are not modelled here).
  clusterModify: 60,
  // Aurora cluster snapshots are storage-level and incremental: a few minutes
  // for a small cluster volume (assumed from published timings).
  clusterSnapshotCreate: 300,
  // RestoreDBClusterFromSnapshot until the (empty) cluster is 'available':
  // assumed 15 min for a small volume; the data loads lazily afterwards.
  clusterRestore: 900,
  // CreateDBInstance in an Aurora cluster: typically 5-10 min until
  // 'available' (published measurements); 10 min.
  memberCreate: 600,
  // DeleteDBCluster of an empty cluster: about 1 min (a published measurement).
  clusterDelete: 60,
  // Renaming an Aurora instance reboots it; assumed 2 min of 'renaming'.
  memberRename: 120,
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

/**
 * A change of reachability of an endpoint. Instance endpoints carry no
 * `kind`; a cluster's (writer) endpoint has `kind: 'cluster'`.
 */
export interface EndpointEvent { at: number; identifier: string; reachable: boolean; kind?: 'cluster' }

/**
 * Automated backups kept after their DB instance or cluster was deleted with
 * `DeleteAutomatedBackups: false` (RDS's default for both is to delete them),
 * until their retention period ends. Cluster members have none of their own.
 */
export interface RetainedAutomatedBackup {
  kind: 'instance' | 'cluster';
  /** The identifier the DB had when it was deleted. */
  identifier: string;
  /** DbiResourceId or DbClusterResourceId. */
  resourceId: string;
  /** Days. */
  retentionPeriod: number;
  /** clock.elapsed at the deletion. */
  retainedAt: number;
}

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

/** What `addCluster` needs; everything else gets a realistic default. */
export type ClusterSpec = Partial<DBCluster> & { DBClusterIdentifier: string; Engine: string; Tags?: Tag[] };

/** What `addClusterInstance` needs: the engine comes from the cluster. */
export type ClusterInstanceSpec = Omit<InstanceSpec, 'Engine'> & { DBClusterIdentifier: string; Engine?: string };

export interface ClusterSnapshotSpec {
  DBClusterSnapshotIdentifier: string;
  DBClusterIdentifier: string;
  Tags?: Tag[];
  SnapshotCreateTime?: Date;
  /** default 'available'; 'creating' runs the clusterSnapshotCreate phase */
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
  // DB clusters (a cluster whose deletion waits for its members counts as 'deleting')
  ModifyDBCluster: {
    allowed: ['available'],
    fault: 'InvalidDBClusterStateFault',
    message: id => `DB cluster ${id} is not in available state.`,
  },
  CreateDBClusterSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBClusterStateFault',
    message: (id, status) => `Cannot create a snapshot because the DB cluster ${id} is ${status}, not available.`,
  },
  /** CreateDBInstance with a DBClusterIdentifier: the cluster must be available. */
  CreateClusterMember: {
    allowed: ['available'],
    fault: 'InvalidDBClusterStateFault',
    message: id => `DB cluster ${id} is not in available state`,
  },
  DeleteDBCluster: {
    allowed: ['available', 'backing-up', 'failed', 'inaccessible-encryption-credentials', 'incompatible-parameters',
      'incompatible-restore', 'incompatible-network', 'storage-full'],
    inFlight: false,
    fault: 'InvalidDBClusterStateFault',
    message: (id, status) => status === 'deleting'
      ? `Cluster ${id} is already being deleted.`
      : `DB cluster ${id} is ${status} and cannot be deleted until the operation in progress completes.`,
  },
  FinalDBClusterSnapshot: {
    allowed: ['available', 'backing-up'],
    fault: 'InvalidDBClusterStateFault',
    message: (id, status) => `DB cluster ${id} is currently in state ${status} - a final snapshot cannot be taken.`,
  },
  RestoreDBClusterFromSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBClusterSnapshotStateFault',
    message: (_id, status) => `DBClusterSnapshot must have state available but actually has ${status}`,
  },
  DeleteDBClusterSnapshot: {
    allowed: ['available', 'failed'],
    fault: 'InvalidDBClusterSnapshotStateFault',
    message: (id, status) => `Cannot delete the cluster snapshot ${id} because it is in the ${status} state.`,
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
/** Cluster statuses in which the cluster (writer) endpoint accepts connections, given a reachable writer. */
const CLUSTER_REACHABLE = new Set(['available', 'modifying', 'backing-up']);
/** The DNS zone part of cluster endpoints (…cluster-<this> / …cluster-ro-<this>). */
const CLUSTER_DNS = 'c1abcdefghij';

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
  ['aurora-postgresql', { family: 'postgres', version: '16.4', port: 5432, license: 'postgresql-license' }],
  ['aurora-mysql', { family: 'mysql', version: '8.0.mysql_aurora.3.08.0', port: 3306, license: 'general-public-license' }],
  ['postgres', { family: 'postgres', version: '16.3', port: 5432, license: 'postgresql-license' }],
  ['mysql', { family: 'mysql', version: '8.0.39', port: 3306, license: 'general-public-license' }],
  ['mariadb', { family: 'mysql', version: '10.11.9', port: 3306, license: 'general-public-license' }],
  ['oracle', { family: 'oracle', version: '19.0.0.0.ru-2024-07.rur-2024-07.r1', port: 1521, license: 'bring-your-own-license' }],
  ['sqlserver', { family: 'sqlserver', version: '15.00.4385.2.v1', port: 1433, license: 'license-included' }],
];

function engineInfo(engine: string): EngineInfo {
  const found = ENGINES.find(([prefix]) => engine.startsWith(prefix));
  if (!found) {
    throw new Error(`RdsSimulator: engine '${engine}' is not simulated (postgres, mysql, mariadb, oracle-*, sqlserver-*, aurora-postgresql, aurora-mysql)`);
  }
  return found[1];
}

const isAurora = (engine: string | undefined): boolean => engine?.startsWith('aurora') ?? false;

/** '16' for postgres 16.3, '8.0' for mysql 8.0.39 and 8.0.mysql_aurora.3.08.0, '19' for oracle, '15' for SQL Server 15.00. */
function majorVersion(engine: string, version: string): string {
  const parts = version.split('.');
  return engineInfo(engine).family === 'mysql' ? `${parts[0]}.${parts[1]}` : String(Number(parts[0]));
}

/**
 * The engine's default DB parameter group: default.postgres16, default.mysql8.0, default.oracle-ee-19,
 * default.sqlserver-se-15.0; for Aurora also the default DB cluster parameter group: default.aurora-postgresql16.
 */
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
// How request parameters land on a DBCluster (Restore and ModifyDBCluster)
// ===========================================================================

type ClusterSetter = (c: DBCluster, value: any, env: Env) => void;

function logExports(current: string[] | undefined, v: { EnableLogTypes?: string[]; DisableLogTypes?: string[] }): string[] | undefined {
  const logs = new Set(current ?? []);
  for (const t of v.EnableLogTypes ?? []) logs.add(t);
  for (const t of v.DisableLogTypes ?? []) logs.delete(t);
  return logs.size ? [...logs] : undefined;
}

/** Like SETTERS, for clusters. Any parameter not listed is stored under its own name. */
const CLUSTER_SETTERS: Record<string, ClusterSetter> = {
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
  ManageMasterUserPassword: (c, v: boolean, env) => {
    c.MasterUserSecret = v ? {
      SecretArn: `arn:aws:secretsmanager:${env.region}:${env.accountId}:secret:rds!cluster-${c.DbClusterResourceId?.slice(8).toLowerCase()}-AbCdEf`,
      SecretStatus: 'active',
      KmsKeyId: c.MasterUserSecret?.KmsKeyId ?? `arn:aws:kms:${env.region}:${env.accountId}:alias/aws/secretsmanager`,
    } : undefined;
  },
  MasterUserSecretKmsKeyId: (c, v: string) => { if (c.MasterUserSecret) c.MasterUserSecret.KmsKeyId = v; },
  // write-only or request-only: nothing to store
  MasterUserPassword: () => {},
  RotateMasterUserPassword: () => {},
  TagSpecifications: () => {},
  DBInstanceParameterGroupName: () => {},
};

function setClusterAttribute(c: DBCluster, name: string, value: unknown, env: Env): void {
  const setter = CLUSTER_SETTERS[name] ?? ((x: DBCluster, v: unknown) => { (x as Record<string, unknown>)[name] = structuredClone(v); });
  setter(c, value, env);
}

/** ModifyDBCluster parameters applied at once with no status change. */
const CLUSTER_MODIFY_INSTANT = new Set(['DeletionProtection', 'CopyTagsToSnapshot', 'PreferredBackupWindow',
  'PreferredMaintenanceWindow', 'BackupRetentionPeriod', 'MasterUserPassword', 'AutoMinorVersionUpgrade']);
/** ModifyDBCluster parameters that wait for the maintenance window without ApplyImmediately (PendingModifiedValues). */
const CLUSTER_MODIFY_PENDING: Record<string, keyof ClusterPendingModifiedValues> = { EngineVersion: 'EngineVersion' };
/** Parameters that steer ModifyDBCluster rather than change the cluster. */
const CLUSTER_MODIFY_CONTROLS = new Set(['DBClusterIdentifier', 'NewDBClusterIdentifier', 'ApplyImmediately',
  'AllowMajorVersionUpgrade', 'AllowEngineModeChange', 'DBInstanceParameterGroupName']);
/** RestoreDBClusterFromSnapshot parameters handled one by one (all others are stored as given). */
const CLUSTER_RESTORE_HANDLED = new Set(['DBClusterIdentifier', 'SnapshotIdentifier', 'Engine', 'EngineVersion', 'DatabaseName',
  'KmsKeyId', 'Port', 'EngineMode', 'AvailabilityZones', 'PreferredBackupWindow', 'BackupRetentionPeriod']);

/**
 * Parameters Aurora keeps at the cluster level: CreateDBInstance and
 * ModifyDBInstance of a member refuse them (InvalidParameterCombination).
 */
const CLUSTER_LEVEL_PARAMETERS = ['AllocatedStorage', 'MaxAllocatedStorage', 'StorageType', 'Iops', 'StorageThroughput',
  'MultiAZ', 'VpcSecurityGroupIds', 'DBSecurityGroups', 'MasterUsername', 'MasterUserPassword', 'ManageMasterUserPassword',
  'DBName', 'Port', 'DBPortNumber', 'BackupRetentionPeriod', 'PreferredBackupWindow', 'StorageEncrypted', 'KmsKeyId',
  'EnableIAMDatabaseAuthentication', 'DeletionProtection', 'EnableCloudwatchLogsExports', 'CloudwatchLogsExportConfiguration'];

/** CreateDBInstance parameters of a member handled one by one (all others go through SETTERS). */
const MEMBER_CREATE_HANDLED = new Set(['DBInstanceIdentifier', 'DBClusterIdentifier', 'Engine', 'EngineVersion', 'DBSubnetGroupName']);

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
  /** a member of a DB cluster (DBClusterIdentifier) that is its writer */
  writer?: boolean;
}

interface SnapshotRecord {
  kind: 'snapshot';
  data: DBSnapshot;
  life: Lifecycle;
  /** what the snapshot knows of its source that DBSnapshot does not show */
  source: { DBInstanceClass?: string; DBName?: string };
}

interface ClusterRecord {
  kind: 'cluster';
  /** DBClusterMembers, Status and MultiAZ are computed when viewed */
  data: DBCluster;
  life: Lifecycle;
  /** ModifyDBCluster parameters waiting for the maintenance window */
  pending: Record<string, unknown>;
  /** a rename requested without ApplyImmediately (PendingModifiedValues.DBClusterIdentifier) */
  renameTo?: string;
  /** DeleteDBCluster accepted while members were still being deleted: 'deleting' starts when the last one is gone */
  deleteRequested?: boolean;
}

interface ClusterSnapshotRecord {
  kind: 'cluster-snapshot';
  data: DBClusterSnapshot;
  life: Lifecycle;
  /** the cluster as it was when the snapshot was taken (DatabaseName, ...) */
  source: DBCluster;
}

type SimRecord = InstanceRecord | SnapshotRecord | ClusterRecord | ClusterSnapshotRecord;

function identifierOf(r: SimRecord): string {
  switch (r.kind) {
    case 'instance': return r.data.DBInstanceIdentifier!;
    case 'snapshot': return r.data.DBSnapshotIdentifier!;
    case 'cluster': return r.data.DBClusterIdentifier!;
    case 'cluster-snapshot': return r.data.DBClusterSnapshotIdentifier!;
  }
}

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

/** Filters DescribeDBClusters understands. */
const CLUSTER_FILTERS: Record<string, (c: DBCluster) => (string | undefined)[]> = {
  'db-cluster-id': c => [c.DBClusterIdentifier, c.DBClusterArn],
  'db-cluster-resource-id': c => [c.DbClusterResourceId],
  'engine': c => [c.Engine],
};

/** Filters DescribeDBClusterSnapshots understands. */
const CLUSTER_SNAPSHOT_FILTERS: Record<string, (s: DBClusterSnapshot) => (string | undefined)[]> = {
  'db-cluster-id': s => [s.DBClusterIdentifier],
  'db-cluster-snapshot-id': s => [s.DBClusterSnapshotIdentifier, s.DBClusterSnapshotArn],
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
  private readonly clusterReachable = new Map<string, boolean>();
  private readonly knownSubnetGroups = new Map<string, DBSubnetGroup>();
  private readonly retained: RetainedAutomatedBackup[] = [];
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
    DescribeDBClusters: input => this.describeDBClusters(input),
    ModifyDBCluster: input => this.modifyDBCluster(input),
    RestoreDBClusterFromSnapshot: input => this.restoreDBClusterFromSnapshot(input),
    DeleteDBCluster: input => this.deleteDBCluster(input),
    CreateDBInstance: input => this.createDBInstance(input),
    CreateDBClusterSnapshot: input => this.createDBClusterSnapshot(input),
    DescribeDBClusterSnapshots: input => this.describeDBClusterSnapshots(input),
    DeleteDBClusterSnapshot: input => this.deleteDBClusterSnapshot(input),
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
      // IAM decides before the service acts (the IAM check is a gate).
      gateCall({ service: 'rds', action: name, input });
      this.injectFault(name, input);
      const output = handler(input);
      this.electWriters();
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
   * The instance (or snapshot, cluster, cluster snapshot) under `identifier`,
   * or the next one created under it, never leaves its transitional status;
   * with `status`, it enters that status at once and stays there until an
   * operation moves it.
   */
  stick(identifier: string, status?: string): void {
    this.advance();
    const id = identifier.toLowerCase();
    const rec = this.findInstance(id) ?? this.findSnapshot(id) ?? this.findCluster(id) ?? this.findClusterSnapshot(id);
    if (rec) this.applyStick(rec, status);
    else this.pendingSticks.set(id, { status });
    this.syncEndpoints(this.clock.elapsed);
  }

  /**
   * Like `stick`, but only for the next instance, snapshot, cluster or cluster
   * snapshot that takes `identifier` (created under it or renamed to it), not
   * the one holding it now.
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
      for (let due = this.dueAt(t); due; due = this.dueAt(t)) {
        due.life.next(t);
        // in time order, so the first member to become available is the writer
        this.electWriters();
      }
      this.records = this.records.filter(r => r.life.status !== GONE);
      this.startClusterDeletes(t);
      this.electWriters();
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
    const clusters = this.clusterRecords();
    const clusterIds = new Set([...this.clusterReachable.keys(), ...clusters.map(identifierOf)]);
    for (const id of [...clusterIds].sort()) {
      const up = clusters.some(r => identifierOf(r) === id && this.clusterEndpointUp(r));
      if (up !== (this.clusterReachable.get(id) ?? false)) {
        this.clusterReachable.set(id, up);
        this.endpointEvents.push({ at, identifier: id, reachable: up, kind: 'cluster' });
      }
    }
  }

  /** The cluster (writer) endpoint answers: cluster available/modifying/backing-up with a reachable writer. */
  private clusterEndpointUp(rec: ClusterRecord): boolean {
    return CLUSTER_REACHABLE.has(rec.life.status) && this.membersOf(rec).some(m => m.writer && REACHABLE.has(m.life.status));
  }

  /**
   * Periods in which `identifier` had no reachable endpoint (an open one ends
   * now). `kind` picks the instance or the cluster endpoint of that name; by
   * default the cluster's when there ever was a cluster endpoint under it.
   */
  endpointDowntime(identifier: string, kind?: 'instance' | 'cluster'): { from: number; to: number; seconds: number }[] {
    this.advance();
    const id = identifier.toLowerCase();
    const cluster = (kind ?? (this.endpointEvents.some(e => e.identifier === id && e.kind === 'cluster') ? 'cluster' : 'instance')) === 'cluster';
    const out: { from: number; to: number; seconds: number }[] = [];
    let from: number | undefined;
    for (const e of this.endpointEvents.filter(x => x.identifier === id && (x.kind === 'cluster') === cluster)) {
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

  cluster(identifier: string): DBCluster | undefined {
    this.advance();
    const rec = this.findCluster(identifier.toLowerCase());
    return rec && this.viewCluster(rec);
  }

  clusters(): DBCluster[] {
    this.advance();
    return this.clusterRecords().map(r => this.viewCluster(r));
  }

  clusterSnapshot(identifier: string): DBClusterSnapshot | undefined {
    this.advance();
    const rec = this.findClusterSnapshot(identifier.toLowerCase());
    return rec && this.viewClusterSnapshot(rec);
  }

  clusterSnapshots(): DBClusterSnapshot[] {
    this.advance();
    return this.clusterSnapshotRecords().map(r => this.viewClusterSnapshot(r));
  }

  /** The DBInstanceIdentifier of the cluster's writer, if it has one. */
  writer(clusterIdentifier: string): string | undefined {
    this.advance();
    const rec = this.findCluster(clusterIdentifier.toLowerCase());
    return rec && this.membersOf(rec).find(m => m.writer)?.data.DBInstanceIdentifier;
  }

  /** Automated backups retained after their DB was deleted, while their retention period lasts. */
  retainedAutomatedBackups(): RetainedAutomatedBackup[] {
    return this.retained.filter(b => this.clock.elapsed < b.retainedAt + b.retentionPeriod * 86400).map(b => ({ ...b }));
  }

  /** Keep the automated backups of a DB being deleted when asked to (and it has any). */
  private retainBackups(kind: 'instance' | 'cluster', data: DBInstance | DBCluster, deleteAutomatedBackups: boolean | undefined): void {
    const days = data.BackupRetentionPeriod ?? 0;
    if (deleteAutomatedBackups !== false || days <= 0) return;
    this.retained.push({
      kind,
      identifier: kind === 'instance' ? (data as DBInstance).DBInstanceIdentifier! : (data as DBCluster).DBClusterIdentifier!,
      resourceId: kind === 'instance' ? (data as DBInstance).DbiResourceId! : (data as DBCluster).DbClusterResourceId!,
      retentionPeriod: days,
      retainedAt: this.clock.elapsed,
    });
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

  private clusterRecords(): ClusterRecord[] {
    return this.records.filter((r): r is ClusterRecord => r.kind === 'cluster');
  }

  private clusterSnapshotRecords(): ClusterSnapshotRecord[] {
    return this.records.filter((r): r is ClusterSnapshotRecord => r.kind === 'cluster-snapshot');
  }

  private findCluster(id: string): ClusterRecord | undefined {
    return this.clusterRecords().find(r => r.data.DBClusterIdentifier === id);
  }

  private findClusterSnapshot(id: string): ClusterSnapshotRecord | undefined {
    return this.clusterSnapshotRecords().find(r => r.data.DBClusterSnapshotIdentifier === id);
  }

  /** The instances whose DBClusterIdentifier is the cluster's current identifier, by identifier. */
  private membersOf(rec: ClusterRecord): InstanceRecord[] {
    return this.instanceRecords()
      .filter(r => r.data.DBClusterIdentifier === rec.data.DBClusterIdentifier)
      .sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
  }

  /** The cluster an instance belongs to, if it is a member of an existing one. */
  private clusterOf(rec: InstanceRecord): ClusterRecord | undefined {
    return rec.data.DBClusterIdentifier === undefined ? undefined : this.findCluster(rec.data.DBClusterIdentifier);
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

  private requireCluster(identifier: unknown): ClusterRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', 'The request must contain the parameter DBClusterIdentifier');
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.clusterRecords().find(r => r.data.DBClusterArn === identifier)
      : this.findCluster(id);
    if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${identifier} not found.`);
    return rec;
  }

  private requireClusterSnapshot(identifier: unknown, parameter = 'DBClusterSnapshotIdentifier'): ClusterSnapshotRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', `The request must contain the parameter ${parameter}`);
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.clusterSnapshotRecords().find(r => r.data.DBClusterSnapshotArn === identifier)
      : this.findClusterSnapshot(id);
    if (!rec) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${identifier} not found.`);
    return rec;
  }

  /** Apply the STATE_RULES row `rule` to a record, throwing its fault. */
  private checkState(rule: string, rec: SimRecord): void {
    const r = STATE_RULES[rule];
    const status = rec.kind === 'cluster' && rec.deleteRequested ? 'deleting' : rec.life.status;
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
    const cluster = this.clusterOf(rec)?.data;
    if (cluster) {
      // what Aurora keeps at the cluster level, a member shows as its cluster's
      Object.assign(i, {
        EngineVersion: cluster.EngineVersion,
        MasterUsername: cluster.MasterUsername,
        DBName: cluster.DatabaseName,
        StorageEncrypted: cluster.StorageEncrypted,
        KmsKeyId: cluster.KmsKeyId,
        BackupRetentionPeriod: cluster.BackupRetentionPeriod,
        PreferredBackupWindow: cluster.PreferredBackupWindow,
        VpcSecurityGroups: structuredClone(cluster.VpcSecurityGroups),
        DBSubnetGroup: this.subnetGroup(cluster.DBSubnetGroup ?? 'default'),
        IAMDatabaseAuthenticationEnabled: cluster.IAMDatabaseAuthenticationEnabled,
      });
      if (i.Endpoint) i.Endpoint.Port = cluster.Port;
    }
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

  private viewCluster(rec: ClusterRecord): DBCluster {
    const c = structuredClone(rec.data);
    c.Status = rec.life.status;
    const members = this.membersOf(rec);
    c.DBClusterMembers = members.map((m): DBClusterMember => ({
      DBInstanceIdentifier: m.data.DBInstanceIdentifier,
      IsClusterWriter: m.writer === true,
      DBClusterParameterGroupStatus: 'in-sync',
      PromotionTier: m.data.PromotionTier ?? 1,
    }));
    // Aurora: "whether the DB cluster has instances in multiple Availability Zones"
    if (isAurora(c.Engine)) c.MultiAZ = new Set(members.map(m => m.data.AvailabilityZone)).size > 1;
    const pmv: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(rec.pending)) pmv[CLUSTER_MODIFY_PENDING[name] ?? name] = structuredClone(value);
    if (rec.renameTo) pmv.DBClusterIdentifier = rec.renameTo;
    // DescribeDBClusters leaves PendingModifiedValues out when nothing is pending
    if (Object.keys(pmv).length) c.PendingModifiedValues = pmv as ClusterPendingModifiedValues;
    else delete c.PendingModifiedValues;
    return c;
  }

  private viewClusterSnapshot(rec: ClusterSnapshotRecord): DBClusterSnapshot {
    const s = structuredClone(rec.data);
    s.Status = rec.life.status;
    s.PercentProgress = rec.life.status === 'creating' ? Math.floor(100 * rec.life.progress(this.clock.elapsed)) : 100;
    return s;
  }

  // -------------------------------------------------------------------------
  // Building resources
  // -------------------------------------------------------------------------

  private arn(type: 'db' | 'snapshot' | 'cluster' | 'cluster-snapshot', id: string): string {
    return `arn:aws:rds:${this.region}:${this.accountId}:${type}:${id}`;
  }

  private address(id: string): string {
    return `${id}.c1abcdefghij.${this.region}.rds.amazonaws.com`;
  }

  /** The cluster (writer) endpoint, or with `reader` the reader endpoint. */
  private clusterAddress(id: string, reader = false): string {
    return `${id}.cluster-${reader ? 'ro-' : ''}${CLUSTER_DNS}.${this.region}.rds.amazonaws.com`;
  }

  private newResourceId(): string {
    return `db-${pseudoRandom(++this.resourceCounter, 26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
  }

  private newClusterResourceId(): string {
    return `cluster-${pseudoRandom(++this.resourceCounter, 26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
  }

  private availabilityZones(): string[] {
    return ['a', 'b', 'c'].map(az => `${this.region}${az}`);
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

  /**
   * A complete DBCluster with the values RDS gives a new cluster of `engine`
   * (Aurora, or a Multi-AZ DB cluster for postgres/mysql).
   */
  private clusterDefaults(id: string, engine: string, version?: string): DBCluster {
    const info = engineInfo(engine);
    const v = version ?? info.version;
    const now = this.clock.now();
    const aurora = isAurora(engine);
    return {
      AllocatedStorage: aurora ? 1 : 100,
      AvailabilityZones: this.availabilityZones(),
      BackupRetentionPeriod: 1,
      DatabaseName: 'app',
      DBClusterIdentifier: id,
      DBClusterParameterGroup: defaultParameterGroup(engine, v),
      DBSubnetGroup: 'default',
      Status: 'available',
      EarliestRestorableTime: now,
      Endpoint: this.clusterAddress(id),
      ReaderEndpoint: this.clusterAddress(id, true),
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
      KmsKeyId: awsRdsKey(this.env),
      DbClusterResourceId: this.newClusterResourceId(),
      DBClusterArn: this.arn('cluster', id),
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
        CertificateDetails: certificate(DEFAULT_CA, this.env),
      }),
    };
  }

  /** A complete member DBInstance of `cluster` (cluster-level attributes are shown from the cluster). */
  private memberDefaults(id: string, cluster: DBCluster): DBInstance {
    return {
      ...this.instanceDefaults(id, cluster.Engine!, cluster.EngineVersion),
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

  /** Give `rec` the identifier `id` (ARN and endpoint follow); a stick waiting for `id` applies. */
  private claim(rec: SimRecord, id: string): void {
    if (rec.kind === 'instance') {
      rec.data.DBInstanceIdentifier = id;
      rec.data.DBInstanceArn = this.arn('db', id);
      rec.data.Endpoint = { ...rec.data.Endpoint, Address: this.address(id), HostedZoneId: HOSTED_ZONE_ID };
    } else if (rec.kind === 'snapshot') {
      rec.data.DBSnapshotIdentifier = id;
      rec.data.DBSnapshotArn = this.arn('snapshot', id);
    } else if (rec.kind === 'cluster') {
      // the members follow the cluster's identifier
      const old = rec.data.DBClusterIdentifier;
      if (old !== undefined && old !== id) {
        for (const m of this.instanceRecords()) if (m.data.DBClusterIdentifier === old) m.data.DBClusterIdentifier = id;
      }
      rec.data.DBClusterIdentifier = id;
      rec.data.DBClusterArn = this.arn('cluster', id);
      rec.data.Endpoint = this.clusterAddress(id);
      rec.data.ReaderEndpoint = this.clusterAddress(id, true);
    } else {
      rec.data.DBClusterSnapshotIdentifier = id;
      rec.data.DBClusterSnapshotArn = this.arn('cluster-snapshot', id);
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

  /** A snapshot of `cluster` as it is now, 'creating' for clusterSnapshotCreate then 'available'. */
  private takeClusterSnapshot(
    cluster: ClusterRecord, id: string, tags: Tag[], opts: { status?: string; created?: Date } = {},
  ): ClusterSnapshotRecord {
    const c = cluster.data;
    const now = this.clock.elapsed;
    const created = opts.created ?? this.clock.now();
    const { DBClusterMembers: _members, ...source } = structuredClone(c);
    const rec: ClusterSnapshotRecord = {
      kind: 'cluster-snapshot',
      life: new Lifecycle('creating', now),
      source,
      data: {
        AvailabilityZones: [...(c.AvailabilityZones ?? [])],
        DBClusterSnapshotIdentifier: id,
        DBClusterIdentifier: c.DBClusterIdentifier,
        SnapshotCreateTime: created,
        Engine: c.Engine,
        EngineMode: c.EngineMode,
        AllocatedStorage: c.AllocatedStorage,
        Port: c.Port,
        VpcId: this.subnetGroup(c.DBSubnetGroup ?? 'default').VpcId,
        ClusterCreateTime: c.ClusterCreateTime,
        MasterUsername: c.MasterUsername,
        EngineVersion: c.EngineVersion,
        LicenseModel: engineInfo(c.Engine!).license,
        SnapshotType: 'manual',
        PercentProgress: 0,
        StorageEncrypted: c.StorageEncrypted,
        KmsKeyId: c.KmsKeyId,
        DBClusterSnapshotArn: this.arn('cluster-snapshot', id),
        IAMDatabaseAuthenticationEnabled: c.IAMDatabaseAuthenticationEnabled,
        TagList: structuredClone(tags),
        StorageType: c.StorageType,
        DbClusterResourceId: c.DbClusterResourceId,
      },
    };
    const status = opts.status ?? 'creating';
    rec.life.run(status === 'creating'
      ? [{ status: 'creating', seconds: this.durations.clusterSnapshotCreate }, { status: 'available' }]
      : [{ status }], now);
    this.records.push(rec);
    this.claim(rec, id);
    return rec;
  }

  /**
   * A cluster with no writer gets one: its first member to be available, or
   * on a failover the available reader with the lowest PromotionTier (ties:
   * the lowest identifier). Failover is instant here.
   */
  private electWriters(): void {
    for (const c of this.clusterRecords()) {
      const members = this.membersOf(c);
      if (members.some(m => m.writer)) continue;
      const ready = members
        .filter(m => m.life.status === 'available')
        .sort((a, b) => (a.data.PromotionTier ?? 1) - (b.data.PromotionTier ?? 1) || identifierOf(a).localeCompare(identifierOf(b)));
      if (ready.length) ready[0].writer = true;
    }
  }

  /** A cluster whose DeleteDBCluster waited for its deleting members starts 'deleting' when the last one is gone. */
  private startClusterDeletes(at: number): void {
    for (const c of this.clusterRecords()) {
      if (c.deleteRequested && this.membersOf(c).length === 0) {
        c.deleteRequested = false;
        c.life.run([{ status: 'deleting', seconds: this.durations.clusterDelete }, { status: GONE }], at);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Seeding
  // -------------------------------------------------------------------------

  /** Seed an instance (default 'available'); spec values replace the defaults. */
  addInstance(spec: InstanceSpec): DBInstance {
    this.advance();
    if (!validIdentifier(spec.DBInstanceIdentifier, 63)) throw new Error(`addInstance: invalid identifier '${spec.DBInstanceIdentifier}'`);
    if (isAurora(spec.Engine)) throw new Error(`addInstance: an ${spec.Engine} instance is a cluster member: use addClusterInstance`);
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

  /**
   * Seed a DB cluster (default 'available', no members); spec values replace
   * the defaults. Aurora (aurora-postgresql, aurora-mysql; EngineMode
   * 'provisioned' or 'serverless' for Serverless v1) or a Multi-AZ DB cluster
   * (postgres, mysql with DBClusterInstanceClass).
   */
  addCluster(spec: ClusterSpec): DBCluster {
    this.advance();
    if (!validIdentifier(spec.DBClusterIdentifier, 63)) throw new Error(`addCluster: invalid identifier '${spec.DBClusterIdentifier}'`);
    const id = spec.DBClusterIdentifier.toLowerCase();
    if (this.findCluster(id)) throw new Error(`addCluster: a cluster '${id}' already exists`);
    const { Tags, Status, DBClusterMembers: _members, PendingModifiedValues: _pending, ...rest } = structuredClone(spec);
    const data: DBCluster = { ...this.clusterDefaults(id, spec.Engine, spec.EngineVersion), ...rest, DBClusterIdentifier: id };
    if (Tags) data.TagList = Tags;
    if (spec.Endpoint === undefined) data.Endpoint = this.clusterAddress(id);
    if (spec.ReaderEndpoint === undefined) data.ReaderEndpoint = this.clusterAddress(id, true);
    const rec: ClusterRecord = { kind: 'cluster', data, life: new Lifecycle(Status ?? 'available', this.clock.elapsed), pending: {} };
    this.records.push(rec);
    this.claim(rec, id);
    this.syncEndpoints(this.clock.elapsed);
    return this.viewCluster(rec);
  }

  /**
   * Seed a member instance of an existing cluster (default 'available'; the
   * engine is the cluster's). The first available member of a cluster with no
   * writer becomes its writer.
   */
  addClusterInstance(spec: ClusterInstanceSpec): DBInstance {
    this.advance();
    const cluster = this.findCluster(spec.DBClusterIdentifier.toLowerCase());
    if (!cluster) throw new Error(`addClusterInstance: no cluster '${spec.DBClusterIdentifier}'`);
    if (spec.Engine !== undefined && spec.Engine !== cluster.data.Engine) {
      throw new Error(`addClusterInstance: engine '${spec.Engine}' is not the cluster's ('${cluster.data.Engine}')`);
    }
    if (!validIdentifier(spec.DBInstanceIdentifier, 63)) throw new Error(`addClusterInstance: invalid identifier '${spec.DBInstanceIdentifier}'`);
    const id = spec.DBInstanceIdentifier.toLowerCase();
    if (this.instanceIdTaken(id)) throw new Error(`addClusterInstance: an instance '${id}' already exists`);
    const { Tags, DBInstanceStatus, PendingModifiedValues: _ignored, ...rest } = structuredClone(spec);
    const data: DBInstance = {
      ...this.memberDefaults(id, cluster.data),
      ...rest,
      Engine: cluster.data.Engine,
      DBInstanceIdentifier: id,
      DBClusterIdentifier: cluster.data.DBClusterIdentifier,
    };
    if (Tags) data.TagList = Tags;
    this.deriveSeeded(data, { ...spec, Engine: cluster.data.Engine! });
    const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle(DBInstanceStatus ?? 'available', this.clock.elapsed), pending: {} };
    this.records.push(rec);
    this.claim(rec, id);
    this.electWriters();
    this.syncEndpoints(this.clock.elapsed);
    return this.viewInstance(rec);
  }

  /** Seed a manual cluster snapshot (default 'available') of the named cluster as it is now. */
  addClusterSnapshot(spec: ClusterSnapshotSpec): DBClusterSnapshot {
    this.advance();
    const cluster = this.findCluster(spec.DBClusterIdentifier.toLowerCase());
    if (!cluster) throw new Error(`addClusterSnapshot: no cluster '${spec.DBClusterIdentifier}'`);
    if (!validIdentifier(spec.DBClusterSnapshotIdentifier, 255)) {
      throw new Error(`addClusterSnapshot: invalid identifier '${spec.DBClusterSnapshotIdentifier}'`);
    }
    const id = spec.DBClusterSnapshotIdentifier.toLowerCase();
    if (this.findClusterSnapshot(id)) throw new Error(`addClusterSnapshot: a cluster snapshot '${id}' already exists`);
    const rec = this.takeClusterSnapshot(cluster, id, spec.Tags ?? [], { status: spec.Status ?? 'available', created: spec.SnapshotCreateTime });
    return this.viewClusterSnapshot(rec);
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
    const clusterLevel = this.clusterOf(rec) && given.find(k => CLUSTER_LEVEL_PARAMETERS.includes(k));
    if (clusterLevel) {
      throw rdsFault('InvalidParameterCombination',
        `The specified DB Instance is a member of a DB Cluster. Modify ${clusterLevel} for the DB Cluster using the ModifyDbCluster API`);
    }
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
        seconds: this.clusterOf(rec) ? this.durations.memberRename : this.durations.rename,
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

  private deleteDBInstance(input: {
    DBInstanceIdentifier?: string; SkipFinalSnapshot?: boolean; FinalDBSnapshotIdentifier?: string; DeleteAutomatedBackups?: boolean;
  }): object {
    const rec = this.requireInstance(input.DBInstanceIdentifier);
    this.checkState('DeleteDBInstance', rec);
    if (this.clusterOf(rec)) return this.deleteMember(rec, input);
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
    this.retainBackups('instance', rec.data, input.DeleteAutomatedBackups);
    rec.renameTo = undefined;
    rec.renameReserved = false;
    rec.life.run([{ status: 'deleting', seconds: this.durations.delete }, { status: GONE }], this.clock.elapsed);
    return { DBInstance: this.viewInstance(rec) };
  }

  /**
   * A cluster member: no final snapshot (the data is the cluster's), and the
   * cluster's deletion protection does not stop it (Aurora User Guide,
   * "Deleting Aurora DB clusters and DB instances"). Deleting the writer fails
   * over to a reader at once; the member leaves the cluster when it is gone.
   */
  private deleteMember(rec: InstanceRecord, input: { FinalDBSnapshotIdentifier?: string }): object {
    if (input.FinalDBSnapshotIdentifier !== undefined) {
      throw rdsFault('InvalidParameterCombination', 'FinalDBSnapshotIdentifier can not be specified when deleting a clustered instance');
    }
    rec.renameTo = undefined;
    rec.renameReserved = false;
    rec.writer = false;
    rec.life.run([{ status: 'deleting', seconds: this.durations.delete }, { status: GONE }], this.clock.elapsed);
    return { DBInstance: this.viewInstance(rec) };
  }

  /**
   * CreateDBInstance, for a member of an Aurora DB cluster only: the cluster
   * must be available, the engine the cluster's, and nothing the cluster owns
   * (storage, Multi-AZ, security groups, backups...) may be given.
   */
  private createDBInstance(input: Record<string, any>): object {
    if (input.DBClusterIdentifier === undefined) {
      throw new Error('RdsSimulator implements CreateDBInstance only for members of a DB cluster (DBClusterIdentifier)');
    }
    if (!validIdentifier(input.DBInstanceIdentifier, 63)) throw invalidIdentifier('DBInstanceIdentifier');
    for (const name of ['DBInstanceClass', 'Engine']) {
      if (!input[name]) throw rdsFault('MissingParameter', `The request must contain the parameter ${name}`);
    }
    const cluster = this.requireCluster(input.DBClusterIdentifier);
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
    if (this.instanceIdTaken(id)) throw rdsFault('DBInstanceAlreadyExistsFault', 'DB instance already exists');
    this.checkState('CreateClusterMember', cluster);
    if (input.DBInstanceClass === 'db.serverless' && !c.ServerlessV2ScalingConfiguration) {
      throw rdsFault('InvalidParameterCombination',
        `Set the Serverless v2 scaling configuration (ServerlessV2ScalingConfiguration) of DB cluster ${c.DBClusterIdentifier} before creating a db.serverless DB instance in it.`);
    }
    if (input.MonitoringInterval > 0 && !input.MonitoringRoleArn) {
      throw rdsFault('InvalidParameterCombination', 'A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.');
    }
    const data = this.memberDefaults(id, c);
    for (const [name, value] of Object.entries(input)) {
      if (value !== undefined && !MEMBER_CREATE_HANDLED.has(name)) setAttribute(data, name, value, this.env);
    }
    const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle('creating', this.clock.elapsed), pending: {} };
    rec.life.run([{ status: 'creating', seconds: this.durations.memberCreate }, { status: 'available' }], this.clock.elapsed);
    this.records.push(rec);
    this.claim(rec, id);
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
    if (this.clusterOf(rec)) {
      throw rdsFault('InvalidDBInstanceStateFault',
        'The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.');
    }
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
  // DB clusters
  // -------------------------------------------------------------------------

  private describeDBClusters(input: { DBClusterIdentifier?: string; Filters?: Filter[]; MaxRecords?: number; Marker?: string }): object {
    const found = input.DBClusterIdentifier !== undefined
      ? [this.requireCluster(input.DBClusterIdentifier)]
      : [...this.clusterRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
    const views = applyFilters(found.map(r => this.viewCluster(r)), input.Filters, CLUSTER_FILTERS);
    const { page, Marker } = paginate(views, input);
    return { DBClusters: page, ...(Marker ? { Marker } : {}) };
  }

  /** NewDBClusterIdentifier, validated and free, lower-cased; undefined when not renaming. */
  private clusterRenameTarget(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (!validIdentifier(value, 63)) throw invalidIdentifier('NewDBClusterIdentifier');
    const id = value.toLowerCase();
    if (this.findCluster(id)) throw rdsFault('DBClusterAlreadyExistsFault', 'DB Cluster already exists');
    return id;
  }

  /** Checks RDS makes on cluster settings given to RestoreDBClusterFromSnapshot or ModifyDBCluster. */
  private validateClusterSettings(engine: string, input: Record<string, any>): void {
    if (input.BacktrackWindow > 0 && engine !== 'aurora-mysql') {
      throw rdsFault('InvalidParameterCombination', `Backtrack is not supported for engine ${engine}.`);
    }
    if (input.StorageType !== undefined && isAurora(engine) && !['aurora', 'aurora-iopt1'].includes(input.StorageType)) {
      throw rdsFault('InvalidParameterValue', `Invalid storage type for DB engine ${engine}: ${input.StorageType}`);
    }
    const v2 = input.ServerlessV2ScalingConfiguration;
    if (v2?.MinCapacity !== undefined && v2?.MaxCapacity !== undefined && v2.MinCapacity > v2.MaxCapacity) {
      throw rdsFault('InvalidParameterValue', 'The MaxCapacity must be greater than or equal to the MinCapacity.');
    }
  }

  /** Whether setting `name` to `value` would change the cluster. */
  private clusterChanges(c: DBCluster, name: string, value: unknown): boolean {
    const after = structuredClone(c);
    setClusterAttribute(after, name, value, this.env);
    return JSON.stringify(after) !== JSON.stringify(c);
  }

  /**
   * Rename (the identifier, ARN, endpoints and the members' DBClusterIdentifier
   * change at once; 'renaming' for clusterRename) and/or change settings:
   * instant ones with no status change, the others 'modifying' for
   * clusterModify. EngineVersion without ApplyImmediately, and a rename
   * without it, wait in PendingModifiedValues.
   */
  private modifyDBCluster(input: Record<string, any>): object {
    const rec = this.requireCluster(input.DBClusterIdentifier);
    const newId = this.clusterRenameTarget(input.NewDBClusterIdentifier);
    this.checkState('ModifyDBCluster', rec);
    const given = Object.keys(input).filter(k => !CLUSTER_MODIFY_CONTROLS.has(k) && input[k] !== undefined);
    if (newId === undefined && given.length === 0) throw rdsFault('InvalidParameterCombination', 'No modifications were requested');
    const c = rec.data;
    this.validateClusterSettings(c.Engine!, input);
    if (input.EngineVersion !== undefined && !input.AllowMajorVersionUpgrade
      && majorVersion(c.Engine!, input.EngineVersion) !== majorVersion(c.Engine!, c.EngineVersion!)) {
      throw rdsFault('InvalidParameterCombination', 'The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.');
    }
    if (input.MonitoringInterval > 0 && !input.MonitoringRoleArn && !c.MonitoringRoleArn) {
      throw rdsFault('InvalidParameterCombination', 'A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.');
    }

    const immediate = input.ApplyImmediately === true;
    const plan = { instant: [] as string[], online: [] as string[], pending: [] as string[] };
    for (const name of given) {
      const pendingKind = name in CLUSTER_MODIFY_PENDING;
      if (CLUSTER_MODIFY_INSTANT.has(name)) {
        plan.instant.push(name);
      } else if (!this.clusterChanges(c, name, input[name])) {
        if (pendingKind) delete rec.pending[name];
      } else {
        plan[pendingKind ? 'pending' : 'online'].push(name);
      }
    }
    for (const name of [...plan.instant, ...plan.online]) setClusterAttribute(c, name, input[name], this.env);
    for (const name of plan.pending) rec.pending[name] = structuredClone(input[name]);
    const modifying = plan.online.length > 0 || (immediate && Object.keys(rec.pending).length > 0);

    const phases: Phase[] = [];
    if (newId !== undefined && immediate) phases.push({ status: 'renaming', seconds: this.durations.clusterRename });
    if (modifying) phases.push({ status: 'modifying', seconds: this.durations.clusterModify });
    if (phases.length) {
      phases.push({ status: 'available', enter: immediate ? () => this.applyClusterPending(rec) : undefined });
      rec.life.run(phases, this.clock.elapsed);
    }
    if (newId !== undefined && immediate) {
      rec.renameTo = undefined;
      this.claim(rec, newId);
    } else if (newId !== undefined) {
      rec.renameTo = newId;
    }
    return { DBCluster: this.viewCluster(rec) };
  }

  private applyClusterPending(rec: ClusterRecord): void {
    for (const [name, value] of Object.entries(rec.pending)) setClusterAttribute(rec.data, name, value, this.env);
    rec.pending = {};
  }

  private restoreDBClusterFromSnapshot(input: Record<string, any>): object {
    if (!validIdentifier(input.DBClusterIdentifier, 63)) throw invalidIdentifier('DBClusterIdentifier');
    const named = String(input.SnapshotIdentifier ?? '').toLowerCase();
    if (input.SnapshotIdentifier !== undefined && !this.findClusterSnapshot(named) && this.findSnapshot(named)) {
      throw new Error('RdsSimulator does not implement RestoreDBClusterFromSnapshot from a DB (instance) snapshot');
    }
    const snap = this.requireClusterSnapshot(input.SnapshotIdentifier, 'SnapshotIdentifier');
    const engine = snap.data.Engine!;
    if (!input.Engine) throw rdsFault('InvalidParameterValue', 'The parameter Engine must be provided and must not be blank.');
    if (input.Engine !== engine) {
      throw rdsFault('InvalidParameterValue',
        `The engine name requested for your DB cluster (${input.Engine}) doesn't match the engine of the DB cluster snapshot (${engine}).`);
    }
    this.checkState('RestoreDBClusterFromSnapshot', snap);
    const id = input.DBClusterIdentifier.toLowerCase();
    if (this.findCluster(id)) throw rdsFault('DBClusterAlreadyExistsFault', 'DB Cluster already exists');
    this.validateClusterSettings(engine, input);
    const data = this.restoredCluster(id, snap, input);
    const rec: ClusterRecord = { kind: 'cluster', data, life: new Lifecycle('creating', this.clock.elapsed), pending: {} };
    rec.life.run([{ status: 'creating', seconds: this.durations.clusterRestore }, { status: 'available' }], this.clock.elapsed);
    this.records.push(rec);
    this.claim(rec, id);
    return { DBCluster: this.viewCluster(rec) };
  }

  /**
   * The new cluster, per the RestoreDBClusterFromSnapshot API reference:
   * engine, version, master user, database name, encryption and port come
   * from the snapshot; EVERYTHING ELSE takes the RDS default unless the call
   * gives it: subnet group, security groups, cluster parameter group,
   * deletion protection, IAM auth, log exports, backtrack, Serverless v2
   * capacity, I/O-Optimized storage, backups, windows, tags. No members.
   */
  private restoredCluster(id: string, snap: ClusterSnapshotRecord, input: Record<string, any>): DBCluster {
    const s = snap.data;
    const c = this.clusterDefaults(id, s.Engine!, input.EngineVersion ?? s.EngineVersion);
    Object.assign(c, {
      MasterUsername: s.MasterUsername,
      DatabaseName: input.DatabaseName ?? snap.source.DatabaseName,
      StorageEncrypted: s.StorageEncrypted === true || input.KmsKeyId !== undefined,
      KmsKeyId: input.KmsKeyId ?? s.KmsKeyId,
      Port: input.Port ?? s.Port,
      EngineMode: input.EngineMode ?? s.EngineMode ?? 'provisioned',
      AvailabilityZones: input.AvailabilityZones ?? this.availabilityZones(),
      BackupRetentionPeriod: input.BackupRetentionPeriod ?? 1,
      // RDS picks windows of its own: a restore that does not pass them does not get the original's
      PreferredBackupWindow: input.PreferredBackupWindow ?? '07:13-07:43',
      PreferredMaintenanceWindow: 'wed:09:26-wed:09:56',
      TagList: [],
    });
    for (const [name, value] of Object.entries(input)) {
      if (value !== undefined && !CLUSTER_RESTORE_HANDLED.has(name)) setClusterAttribute(c, name, value, this.env);
    }
    return c;
  }

  /**
   * Refused while any member is not 'deleting' (and with deletion
   * protection). Accepted once every member is 'deleting', as the Aurora User
   * Guide shows ("As soon as the DB instance goes into deleting state, we can
   * delete the cluster also"): the cluster stays 'available' until its last
   * member is gone, then is 'deleting' for clusterDelete. The answer shows the
   * cluster as it was (the User Guide's example answers 'available').
   */
  private deleteDBCluster(input: {
    DBClusterIdentifier?: string; SkipFinalSnapshot?: boolean; FinalDBSnapshotIdentifier?: string; DeleteAutomatedBackups?: boolean;
  }): object {
    const rec = this.requireCluster(input.DBClusterIdentifier);
    this.checkState('DeleteDBCluster', rec);
    if (rec.data.DeletionProtection) {
      throw rdsFault('InvalidParameterCombination', 'Cannot delete protected Cluster, please disable deletion protection and try again.');
    }
    const members = this.membersOf(rec);
    if (members.some(m => m.life.status !== 'deleting')) {
      throw rdsFault('InvalidDBClusterStateFault', 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.');
    }
    const skip = input.SkipFinalSnapshot === true;
    const finalId = input.FinalDBSnapshotIdentifier;
    if (skip && finalId !== undefined) {
      throw rdsFault('InvalidParameterCombination', 'Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.');
    }
    if (!skip && finalId === undefined) {
      throw rdsFault('InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
    }
    const before = this.viewCluster(rec);
    if (finalId !== undefined) {
      if (!validIdentifier(finalId, 255)) throw invalidIdentifier('FinalDBSnapshotIdentifier');
      const id = finalId.toLowerCase();
      if (this.findClusterSnapshot(id)) throw this.clusterSnapshotExists(id);
      this.checkState('FinalDBClusterSnapshot', rec);
      this.takeClusterSnapshot(rec, id, rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : []);
    }
    this.retainBackups('cluster', rec.data, input.DeleteAutomatedBackups);
    if (members.length) rec.deleteRequested = true;
    else rec.life.run([{ status: 'deleting', seconds: this.durations.clusterDelete }, { status: GONE }], this.clock.elapsed);
    return { DBCluster: before };
  }

  // -------------------------------------------------------------------------
  // DB cluster snapshots
  // -------------------------------------------------------------------------

  private clusterSnapshotExists(id: string): RDSServiceException {
    return rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${id} already exists.`);
  }

  private createDBClusterSnapshot(input: { DBClusterSnapshotIdentifier?: string; DBClusterIdentifier?: string; Tags?: Tag[] }): object {
    if (!validIdentifier(input.DBClusterSnapshotIdentifier, 255)) throw invalidIdentifier('DBClusterSnapshotIdentifier');
    const rec = this.requireCluster(input.DBClusterIdentifier);
    const id = input.DBClusterSnapshotIdentifier.toLowerCase();
    if (this.findClusterSnapshot(id)) throw this.clusterSnapshotExists(id);
    this.checkState('CreateDBClusterSnapshot', rec);
    const tags = input.Tags?.length ? input.Tags : rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : [];
    return { DBClusterSnapshot: this.viewClusterSnapshot(this.takeClusterSnapshot(rec, id, tags)) };
  }

  private describeDBClusterSnapshots(input: {
    DBClusterSnapshotIdentifier?: string;
    DBClusterIdentifier?: string;
    SnapshotType?: string;
    DbClusterResourceId?: string;
    Filters?: Filter[];
    MaxRecords?: number;
    Marker?: string;
  }): object {
    let found = input.DBClusterSnapshotIdentifier !== undefined
      ? [this.requireClusterSnapshot(input.DBClusterSnapshotIdentifier)]
      : [...this.clusterSnapshotRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
    const clusterId = input.DBClusterIdentifier?.toLowerCase();
    if (clusterId !== undefined) found = found.filter(r => r.data.DBClusterIdentifier === clusterId);
    if (input.SnapshotType !== undefined) found = found.filter(r => r.data.SnapshotType === input.SnapshotType);
    if (input.DbClusterResourceId !== undefined) found = found.filter(r => r.data.DbClusterResourceId === input.DbClusterResourceId);
    const views = applyFilters(found.map(r => this.viewClusterSnapshot(r)), input.Filters, CLUSTER_SNAPSHOT_FILTERS);
    const { page, Marker } = paginate(views, input);
    return { DBClusterSnapshots: page, ...(Marker ? { Marker } : {}) };
  }

  private deleteDBClusterSnapshot(input: { DBClusterSnapshotIdentifier?: string }): object {
    const rec = this.requireClusterSnapshot(input.DBClusterSnapshotIdentifier);
    this.checkState('DeleteDBClusterSnapshot', rec);
    rec.life.run([{ status: 'deleting', seconds: this.durations.snapshotDelete }, { status: GONE }], this.clock.elapsed);
    return { DBClusterSnapshot: this.viewClusterSnapshot(rec) };
  }

  // -------------------------------------------------------------------------
  // Tags (by ARN)
  // -------------------------------------------------------------------------

  /** The record an ARN names: arn:aws:rds:<region>:<account>:db:<id>, ...:snapshot:<id>, ...:cluster:<id>, ...:cluster-snapshot:<id>. */
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
      case 'cluster': {
        const rec = here ? this.findCluster(id) : undefined;
        if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
        return rec;
      }
      case 'cluster-snapshot': {
        const rec = here ? this.findClusterSnapshot(id) : undefined;
        if (!rec) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`);
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
