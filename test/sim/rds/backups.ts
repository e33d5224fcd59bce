/**
 * Automated backups: their snapshots (`rds:<id>-<timestamp>`, SnapshotType
 * `automated`), the restorable window, DescribeDBInstanceAutomatedBackups, and
 * the point-in-time restores RestoreDBInstanceToPointInTime and
 * RestoreDBClusterToPointInTime.
 */
import { DBCluster, DBInstance, DBInstanceAutomatedBackup } from '@aws-sdk/client-rds';
// cluster-model.ts and instance-model.ts import restorableWindow from here: a cycle of functions only, called after loading
import { viewCluster } from './cluster-model';
import { restoredCluster, validateClusterSettings } from './clusters';
import { rdsFault } from './faults';
import { validateRestore } from './instance-rules';
import { restoredInstance, startRestoredInstance } from './instances';
import { useKeyForCaller } from './kms';
import { ClusterRecord, InstanceRecord, invalidIdentifier, Lifecycle, paginate, validIdentifier } from './lifecycle';
import { takeClusterSnapshot, takeSnapshot } from './snapshots';
import type { SimState } from './state';

/**
 * RDS uploads the transaction logs of a DB instance to S3 every 5 minutes, so
 * its LatestRestorableTime is typically within the last 5 minutes (RDS User
 * Guide, "Restoring a DB instance to a specified time"). Aurora uploads log
 * records continuously: its latest restorable time is now (Aurora User Guide,
 * "Restoring a DB cluster to a specified time").
 */
const INSTANCE_LOG_UPLOAD_SECONDS = 300;

/** When the DB was created (seeded DBs: their create time, or the start of the simulation). */
function createdAt(sim: SimState, at: Date | undefined): number {
  return (at ?? sim.clock.start).getTime();
}

/**
 * The window a DB can be restored to a point in, or undefined without
 * automated backups (BackupRetentionPeriod 0) or before it exists: from its
 * creation, or the start of its retention period (1 to 35 days), whichever is
 * later (USER_WorkingWithAutomatedBackups), to its latest restorable time.
 */
export function restorableWindow(sim: SimState, rec: InstanceRecord | ClusterRecord): { earliest: Date; latest: Date } | undefined {
  const data = rec.data as DBInstance & DBCluster;
  const days = data.BackupRetentionPeriod ?? 0;
  if (days <= 0 || rec.life.status === 'creating') return undefined;
  const now = sim.clock.now().getTime();
  const created = createdAt(sim, rec.kind === 'instance' ? data.InstanceCreateTime : data.ClusterCreateTime);
  const lag = rec.kind === 'instance' ? INSTANCE_LOG_UPLOAD_SECONDS * 1000 : 0;
  return {
    earliest: new Date(Math.max(created, now - days * 86400_000)),
    latest: new Date(Math.max(created, now - lag)),
  };
}

/** `rds:<id>-YYYY-MM-DD-HH-MM`, the name of an automated snapshot (RDS User Guide, "Creating a read replica in a different AWS Region"; AWS-FACTS 2). */
export function automatedSnapshotName(identifier: string, at: Date): string {
  const iso = at.toISOString();
  return `rds:${identifier}-${iso.slice(0, 10)}-${iso.slice(11, 13)}-${iso.slice(14, 16)}`;
}

/** Seed an automated snapshot (SnapshotType `automated`) of the named instance or cluster, taken at `at`. */
export function seedAutomatedSnapshot(sim: SimState, spec: { identifier: string; isCluster?: boolean; at: Date; status?: string }): string {
  sim.advance();
  const id = automatedSnapshotName(spec.identifier.toLowerCase(), spec.at);
  const opts = { type: 'automated' as const, created: spec.at, status: spec.status ?? 'available' };
  if (spec.isCluster) {
    const cluster = sim.findCluster(spec.identifier.toLowerCase());
    if (!cluster) throw new Error(`addAutomatedSnapshot: no cluster '${spec.identifier}'`);
    takeClusterSnapshot(sim, cluster, id, [], opts);
  } else {
    const inst = sim.findInstance(spec.identifier.toLowerCase());
    if (!inst) throw new Error(`addAutomatedSnapshot: no instance '${spec.identifier}'`);
    takeSnapshot(sim, inst, id, [], opts);
  }
  return id;
}

/**
 * DescribeDBInstanceAutomatedBackups: the automated backups of live instances
 * with backups on (Status `active`) and retained ones of deleted instances
 * (Status `retained`), filtered by DbiResourceId or DBInstanceIdentifier, with
 * their RestoreWindow (API_DescribeDBInstanceAutomatedBackups, API_DBInstanceAutomatedBackup, API_RestoreWindow).
 */
export function describeDBInstanceAutomatedBackups(sim: SimState, input: {
  DbiResourceId?: string; DBInstanceIdentifier?: string; MaxRecords?: number; Marker?: string;
}): object {
  const all: DBInstanceAutomatedBackup[] = [];
  for (const rec of sim.instanceRecords()) {
    const window = sim.clusterOf(rec) ? undefined : restorableWindow(sim, rec);
    if (!window) continue;
    const i = rec.data;
    all.push({
      DBInstanceArn: i.DBInstanceArn,
      DbiResourceId: i.DbiResourceId,
      Region: sim.region,
      DBInstanceIdentifier: i.DBInstanceIdentifier,
      RestoreWindow: { EarliestTime: window.earliest, LatestTime: window.latest },
      AllocatedStorage: i.AllocatedStorage,
      Status: 'active',
      Engine: i.Engine,
      EngineVersion: i.EngineVersion,
      BackupRetentionPeriod: i.BackupRetentionPeriod,
      Encrypted: i.StorageEncrypted,
      KmsKeyId: i.KmsKeyId,
      DBInstanceAutomatedBackupsArn: `arn:aws:rds:${sim.region}:${sim.env.accountId}:auto-backup:ab-${i.DbiResourceId!.slice(3).toLowerCase()}`,
    });
  }
  for (const b of sim.retained.filter(r => r.kind === 'instance' && sim.clock.elapsed < r.retainedAt + r.retentionPeriod * 86400)) {
    const deletedAt = new Date(sim.clock.start.getTime() + b.retainedAt * 1000);
    all.push({
      DbiResourceId: b.resourceId,
      Region: sim.region,
      DBInstanceIdentifier: b.identifier,
      Status: 'retained',
      BackupRetentionPeriod: b.retentionPeriod,
      RestoreWindow: { EarliestTime: new Date(deletedAt.getTime() - b.retentionPeriod * 86400_000), LatestTime: deletedAt },
    });
  }
  const found = all.filter(b => (input.DbiResourceId === undefined || b.DbiResourceId === input.DbiResourceId)
    && (input.DBInstanceIdentifier === undefined || b.DBInstanceIdentifier === input.DBInstanceIdentifier.toLowerCase()));
  // API_DescribeDBInstanceAutomatedBackups: DBInstanceAutomatedBackupNotFound when what the request names has none
  if (found.length === 0 && (input.DbiResourceId !== undefined || input.DBInstanceIdentifier !== undefined)) {
    throw rdsFault('DBInstanceAutomatedBackupNotFoundFault', 'No automated backup for this DB instance was found.');
  }
  const { page, Marker } = paginate(found, input);
  return { DBInstanceAutomatedBackups: page, ...(Marker ? { Marker } : {}) };
}

/**
 * RestoreTime XOR UseLatestRestorableTime, inside the window: "Must be before
 * the latest restorable time"; "Can't be specified if the UseLatestRestorableTime
 * parameter is enabled" (API_RestoreDBInstanceToPointInTime; the cluster API
 * likewise, with RestoreToTime). Out of the window: InvalidRestoreFault (the
 * fault the API lists for a restore it cannot do; the message is assumed).
 * Neither given: InvalidParameterCombination (assumed).
 */
function restorePoint(sim: SimState, rec: InstanceRecord | ClusterRecord, at: unknown, latest: unknown, timeParameter: string): Date {
  if (at !== undefined && latest === true) {
    throw rdsFault('InvalidParameterCombination', `Cannot specify both ${timeParameter} and UseLatestRestorableTime.`);
  }
  if (at === undefined && latest !== true) {
    throw rdsFault('InvalidParameterCombination', `Either ${timeParameter} or UseLatestRestorableTime must be specified.`);
  }
  const window = restorableWindow(sim, rec)!;
  if (latest === true) return window.latest;
  const t = new Date(at as Date);
  if (t < window.earliest || t > window.latest) {
    throw rdsFault('InvalidRestoreFault', `The requested point in time ${t.toISOString()} is outside the restorable window `
      + `${window.earliest.toISOString()} - ${window.latest.toISOString()}.`);
  }
  return t;
}

/** The source DB by identifier or resource id: exactly one of the two (or the automated backups ARN, not simulated). */
function sourceOf<T extends InstanceRecord | ClusterRecord>(
  records: T[], byId: unknown, byResourceId: unknown, byBackupArn: unknown, names: [string, string], notFound: string,
): T {
  if (byBackupArn !== undefined) throw new Error('RdsSimulator does not implement a point-in-time restore from an automated backups ARN');
  if ((byId === undefined) === (byResourceId === undefined)) {
    throw rdsFault('InvalidParameterCombination', `Specify exactly one of ${names[0]} and ${names[1]}.`);
  }
  const rec = records.find(r => (byId !== undefined
    ? (r.data as { DBInstanceIdentifier?: string; DBClusterIdentifier?: string })[r.kind === 'instance' ? 'DBInstanceIdentifier' : 'DBClusterIdentifier'] === String(byId).toLowerCase()
    : (r.data as { DbiResourceId?: string; DbClusterResourceId?: string })[r.kind === 'instance' ? 'DbiResourceId' : 'DbClusterResourceId'] === byResourceId));
  if (!rec) throw rdsFault(notFound, `${byId ?? byResourceId} not found.`);
  return rec;
}

/**
 * RestoreDBInstanceToPointInTime (API reference): a new DB instance from the
 * source's automated backups, with the source's engine, storage, credentials
 * and encryption, the settings the call gives, and RDS defaults for the rest
 * (as a snapshot restore: USER_PIT). Tags: the source's are copied unless the
 * call gives Tags (USER_PIT). Faults: DBInstanceNotFound, PointInTimeRestoreNotEnabled
 * (BackupRetentionPeriod 0), DBInstanceAlreadyExists, InvalidRestoreFault.
 */
export function restoreDBInstanceToPointInTime(sim: SimState, input: Record<string, any>): object {
  if (!validIdentifier(input.TargetDBInstanceIdentifier, 63)) throw invalidIdentifier('TargetDBInstanceIdentifier');
  const source = sourceOf(sim.instanceRecords().filter(r => !sim.clusterOf(r)), input.SourceDBInstanceIdentifier, input.SourceDbiResourceId,
    input.SourceDBInstanceAutomatedBackupsArn, ['SourceDBInstanceIdentifier', 'SourceDbiResourceId'], 'DBInstanceNotFoundFault');
  if ((source.data.BackupRetentionPeriod ?? 0) <= 0) {
    throw rdsFault('PointInTimeRestoreNotEnabledFault', 'SourceDBInstanceIdentifier refers to a DB instance with BackupRetentionPeriod equal to 0.');
  }
  const at = restorePoint(sim, source, input.RestoreTime, input.UseLatestRestorableTime, 'RestoreTime');
  const id = input.TargetDBInstanceIdentifier.toLowerCase();
  if (sim.instanceIdTaken(id)) throw rdsFault('DBInstanceAlreadyExistsFault', 'DB instance already exists');
  if (input.MultiAZ && input.AvailabilityZone) {
    throw rdsFault('InvalidParameterCombination', 'Requesting a specific availability zone is not valid for Multi-AZ instances.');
  }
  // the data as of the restore point: the source as it is (the simulation keeps no history of its data)
  const asOf = takeSnapshot(sim, source, `pitr-${id}`, [], { register: false, created: at, status: 'available' });
  validateRestore(asOf, input);
  if (asOf.data.Encrypted) useKeyForCaller(sim.env, asOf.data.KmsKeyId, 'source DB instance KMS key');
  const rest = Object.fromEntries(Object.entries(input).filter(([k]) => !INSTANCE_PITR_ONLY.has(k)));
  return startRestoredInstance(sim, id, restoredInstance(sim, id, asOf, { ...rest, Tags: input.Tags ?? source.data.TagList }));
}

/**
 * RestoreDBClusterToPointInTime (API reference): a new cluster, no members
 * (create them with CreateDBInstance, aurora-restore-snapshot), from the source
 * cluster's backups. It has no Engine, EngineVersion, DatabaseName or
 * AvailabilityZones parameter: the copy keeps the source's. RestoreType
 * `full-copy` (default) or `copy-on-write`; RestoreToTime is not allowed with
 * copy-on-write. Cluster-level enhanced monitoring and Performance Insights
 * are refused for a source that is not an Aurora Limitless cluster
 * (InvalidParameterCombination, observed: boto/boto3#4634).
 */
export function restoreDBClusterToPointInTime(sim: SimState, input: Record<string, any>): object {
  if (!validIdentifier(input.DBClusterIdentifier, 63)) throw invalidIdentifier('DBClusterIdentifier');
  for (const p of ['Engine', 'EngineVersion', 'DatabaseName', 'AvailabilityZones', 'SnapshotIdentifier']) {
    if (input[p] !== undefined) throw new Error(`RestoreDBClusterToPointInTime has no parameter ${p} (API_RestoreDBClusterToPointInTime)`);
  }
  const source = sourceOf(sim.clusterRecords(), input.SourceDBClusterIdentifier, input.SourceDbClusterResourceId, undefined,
    ['SourceDBClusterIdentifier', 'SourceDbClusterResourceId'], 'DBClusterNotFoundFault');
  const restoreType = input.RestoreType ?? 'full-copy';
  if (restoreType !== 'full-copy' && restoreType !== 'copy-on-write') throw rdsFault('InvalidParameterValue', `Invalid RestoreType ${restoreType}.`);
  if (restoreType === 'copy-on-write' && input.RestoreToTime !== undefined) {
    throw rdsFault('InvalidParameterCombination', 'RestoreToTime is not supported with RestoreType copy-on-write.');
  }
  if (input.MonitoringInterval !== undefined || input.EnablePerformanceInsights !== undefined || input.MonitoringRoleArn !== undefined) {
    throw rdsFault('InvalidParameterCombination',
      'You can enable Performance Insights or set the Enhanced Monitoring interval only when restoring from a source Aurora Limitless DB cluster');
  }
  const at = restorePoint(sim, source, input.RestoreToTime, input.UseLatestRestorableTime, 'RestoreToTime');
  const id = input.DBClusterIdentifier.toLowerCase();
  if (sim.findCluster(id)) throw rdsFault('DBClusterAlreadyExistsFault', 'DB Cluster already exists');
  const engine = source.data.Engine!;
  validateClusterSettings(engine, input);
  const asOf = takeClusterSnapshot(sim, source, `pitr-${id}`, [], { register: false, created: at, status: 'available' });
  if (asOf.data.StorageEncrypted) useKeyForCaller(sim.env, asOf.data.KmsKeyId, 'source DB cluster KMS key');
  useKeyForCaller(sim.env, input.KmsKeyId);
  const rest = Object.fromEntries(Object.entries(input).filter(([k]) => !PITR_ONLY.has(k)));
  const data = restoredCluster(sim, id, asOf, { ...rest, Tags: input.Tags ?? source.data.TagList });
  const rec: ClusterRecord = { kind: 'cluster', data, life: new Lifecycle('creating', sim.clock.elapsed), pending: {} };
  rec.life.run([{ status: 'creating', seconds: sim.durations.clusterRestore }, { status: 'available' }], sim.clock.elapsed);
  sim.records.push(rec);
  sim.claim(rec, id);
  return { DBCluster: viewCluster(sim, rec) };
}

/** Parameters of the point-in-time call that are not settings of the new instance. */
const INSTANCE_PITR_ONLY = new Set(['TargetDBInstanceIdentifier', 'SourceDBInstanceIdentifier', 'SourceDbiResourceId', 'RestoreTime', 'UseLatestRestorableTime']);

/** Parameters of the point-in-time call that are not settings of the new cluster. */
const PITR_ONLY = new Set(['SourceDBClusterIdentifier', 'SourceDbClusterResourceId', 'RestoreType', 'RestoreToTime', 'UseLatestRestorableTime']);
