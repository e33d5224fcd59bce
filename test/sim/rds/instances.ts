/**
 * DB instance commands: DescribeDBInstances, ModifyDBInstance (settings and
 * renames), RestoreDBInstanceFromDBSnapshot and DeleteDBInstance, and seeding
 * an instance. Cluster members: see members.ts; final snapshots: snapshots.ts.
 */
import { DBInstance, Filter } from '@aws-sdk/client-rds';
import { isAurora, majorVersion } from './engines';
import { rdsFault } from './faults';
import {
  deriveSeeded, instanceDefaults, MODIFY_CONTROLS, modifyKind, setAttribute, viewInstance,
} from './instance-model';
import { STORAGE_PARAMETERS, validateRestore, validateStorageModify } from './instance-rules';
import { useKeyForCaller } from './kms';
import {
  applyFilters, FilterTable, GONE, identifierOf, InstanceRecord, invalidIdentifier, Lifecycle, paginate, Phase, SnapshotRecord,
  validIdentifier,
} from './lifecycle';
import { CLUSTER_LEVEL_PARAMETERS, deleteMember } from './members';
import { createManagedSecret, validateManagedPassword } from './secrets';
import { takeFinalSnapshot } from './snapshots';
import type { SimState } from './state';
import { InstanceSpec } from './types';

/** RestoreDBInstanceFromDBSnapshot parameters handled one by one (all others are stored as given). */
export const RESTORE_HANDLED = new Set(['DBInstanceIdentifier', 'DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier',
  'DBInstanceClass', 'Engine', 'Port', 'AllocatedStorage', 'StorageType', 'Iops', 'StorageThroughput', 'DBName', 'LicenseModel',
  'AvailabilityZone', 'PreferredBackupWindow', 'Tags']);

/** Filters DescribeDBInstances understands, and the values they match. */
export const INSTANCE_FILTERS: FilterTable<DBInstance> = {
  'db-instance-id': i => [i.DBInstanceIdentifier, i.DBInstanceArn],
  'dbi-resource-id': i => [i.DbiResourceId],
  'engine': i => [i.Engine],
  'db-cluster-id': i => [i.DBClusterIdentifier],
};

/** Seed an instance (default 'available'); spec values replace the defaults. */
export function seedInstance(sim: SimState, spec: InstanceSpec): DBInstance {
  sim.advance();
  if (!validIdentifier(spec.DBInstanceIdentifier, 63)) throw new Error(`addInstance: invalid identifier '${spec.DBInstanceIdentifier}'`);
  if (isAurora(spec.Engine)) throw new Error(`addInstance: an ${spec.Engine} instance is a cluster member: use addClusterInstance`);
  const id = spec.DBInstanceIdentifier.toLowerCase();
  if (sim.instanceIdTaken(id)) throw new Error(`addInstance: an instance '${id}' already exists`);
  const { Tags, DBInstanceStatus, PendingModifiedValues: _ignored, ...rest } = structuredClone(spec);
  const data: DBInstance = { ...instanceDefaults(sim, id, spec.Engine, spec.EngineVersion), ...rest, DBInstanceIdentifier: id };
  if (Tags) data.TagList = Tags;
  deriveSeeded(sim, data, spec);
  const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle(DBInstanceStatus ?? 'available', sim.clock.elapsed), pending: {} };
  sim.records.push(rec);
  sim.claim(rec, id);
  sim.syncEndpoints(sim.clock.elapsed);
  return viewInstance(sim, rec);
}

export function describeDBInstances(
  sim: SimState, input: { DBInstanceIdentifier?: string; Filters?: Filter[]; MaxRecords?: number; Marker?: string },
): object {
  const found = input.DBInstanceIdentifier !== undefined
    ? [sim.requireInstance(input.DBInstanceIdentifier)]
    : [...sim.instanceRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
  const views = applyFilters(found.map(r => viewInstance(sim, r)), input.Filters, INSTANCE_FILTERS);
  const { page, Marker } = paginate(views, input);
  return { DBInstances: page, ...(Marker ? { Marker } : {}) };
}

export function modifyDBInstance(sim: SimState, input: Record<string, any>): object {
  const rec = sim.requireInstance(input.DBInstanceIdentifier);
  const newId = renameTarget(sim, input.NewDBInstanceIdentifier);
  sim.checkState('ModifyDBInstance', rec);
  const given = Object.keys(input).filter(k => !MODIFY_CONTROLS.has(k) && input[k] !== undefined);
  // an empty modification is refused (observed; the wording is assumed)
  if (newId === undefined && given.length === 0) throw rdsFault('InvalidParameterCombination', 'No modifications were requested');
  // API_ModifyDBInstance: these settings don't apply to Aurora DB instances, they are "managed by the DB cluster"
  const clusterLevel = sim.clusterOf(rec) && given.find(k => CLUSTER_LEVEL_PARAMETERS.includes(k));
  if (clusterLevel) {
    throw rdsFault('InvalidParameterCombination',
      `The specified DB Instance is a member of a DB Cluster. Modify ${clusterLevel} for the DB Cluster using the ModifyDbCluster API`);
  }
  validateModify(rec, input);
  validateManagedPassword(rec.data.MasterUserSecret, input);
  const status = rec.life.status;
  const storage = given.filter(k => STORAGE_PARAMETERS.includes(k) && changes(sim, rec.data, k, input[k]));
  validateStorageModify(rec.data, status, input, storage);
  if (input.PerformanceInsightsKMSKeyId !== undefined && (input.EnablePerformanceInsights ?? rec.data.PerformanceInsightsEnabled)) {
    useKeyForCaller(sim.env, input.PerformanceInsightsKMSKeyId);
  }

  const immediate = input.ApplyImmediately === true;
  const plan = planModify(sim, rec, input, given);
  const hasPending = Object.keys(rec.pending).length > 0 || plan.pending.length > 0;
  const modifying = plan.online.length > 0 || (immediate && hasPending);
  // storage-optimization goes on in the background: other changes are accepted
  // (AWS re:Post Knowledge Center, "Why is my Amazon RDS DB instance stuck in
  // the storage-optimization state": "you can perform any other instance modifications")
  const optimizing = status === 'storage-optimization';
  // one operation at a time: refused while one is under way (assumed)
  if ((modifying || newId !== undefined) && rec.life.busy && !optimizing) {
    throw rdsFault('InvalidDBInstanceStateFault', 'Database instance is not in available state.');
  }

  const secret = createManagedSecret(sim.env, rec.data.MasterUserSecret, input, `rds!db-${rec.data.DbiResourceId!.slice(3).toLowerCase()}`);
  for (const name of [...plan.instant, ...plan.online]) setAttribute(rec.data, name, input[name], sim.env);
  if (secret) rec.data.MasterUserSecret = secret;
  for (const name of plan.pending) rec.pending[name] = structuredClone(input[name]);
  if (newId !== undefined) rec.renameTo = newId;

  const phases: Phase[] = [];
  if (newId !== undefined && immediate) phases.push(...renamePhases(sim, rec, newId));
  if (modifying) phases.push(...modifyPhases(sim, rec, immediate, newId === undefined && plan.pending.length > 0));
  const optimizingLeft = optimizing ? rec.life.endsAt - sim.clock.elapsed : 0;
  if (phases.length && optimizingLeft > 0) phases.push({ status: 'storage-optimization', seconds: optimizingLeft });
  if (phases.length) {
    phases.push({ status: 'available' });
    // the pending values are in once 'modifying' ends
    const next = phases.findIndex(ph => ph.status === 'modifying') + 1;
    if (next > 0 && immediate) phases[next] = { ...phases[next], enter: () => applyPending(sim, rec) };
    // the new secret is active once the modification is over
    const last = phases.length - 1;
    const before = phases[last].enter;
    if (secret) phases[last] = { ...phases[last], enter: () => { before?.(); if (rec.data.MasterUserSecret === secret) secret.SecretStatus = 'active'; } };
    rec.life.run(phases, sim.clock.elapsed);
  }
  return { DBInstance: viewInstance(sim, rec) };
}

/**
 * A modification that needs a status change. With ApplyImmediately RDS does
 * not start at once: the instance stays `available` a while with the change in
 * PendingModifiedValues (`modifyPending`; issue 8, finding 8: the same gap as
 * before a rename). A change with no PendingModifiedValues field (monitoring,
 * Performance Insights...) turns it `modifying` at once (assumed: nothing would
 * show it otherwise). Then it is `modifying`, and the pending values are in at
 * its end. A storage change goes on as `storage-optimization` (RDS User Guide,
 * "Increasing DB instance storage capacity": "After you modify the storage size
 * for a DB instance, the status of the DB instance is storage-optimization").
 */
function modifyPhases(sim: SimState, rec: InstanceRecord, immediate: boolean, gap: boolean): Phase[] {
  const storageChange = immediate && Object.keys(rec.pending).some(k => STORAGE_PARAMETERS.includes(k));
  return [
    ...(gap && immediate ? [{ status: 'available', seconds: sim.durations.modifyPending }] : []),
    { status: 'modifying', seconds: sim.durations.modify },
    ...(storageChange ? [{ status: 'storage-optimization', seconds: sim.durations.storageOptimization }] : []),
  ];
}

/** NewDBInstanceIdentifier, validated and free, lower-cased; undefined when not renaming (API_ModifyDBInstance: Constraints; Errors: DBInstanceAlreadyExists). */
export function renameTarget(sim: SimState, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!validIdentifier(value, 63)) throw invalidIdentifier('NewDBInstanceIdentifier');
  const id = value.toLowerCase();
  if (sim.instanceIdTaken(id)) throw rdsFault('DBInstanceAlreadyExistsFault', 'DB instance already exists');
  return id;
}

/**
 * Checks RDS makes on a modification's values (API_ModifyDBInstance):
 * MonitoringRoleArn: "If MonitoringInterval is set to a value other than 0, supply a MonitoringRoleArn value.";
 * AllocatedStorage can only grow ("The new value must be at least 10% greater than the current value"; the 10% is
 * not modelled, a decrease is refused with the message RDS gives, wording assumed); AllowMajorVersionUpgrade: "This
 * parameter must be set to true when specifying a value for the EngineVersion parameter that is a different major
 * version than the DB instance's current version."
 */
export function validateModify(rec: InstanceRecord, input: Record<string, any>): void {
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
export function planModify(sim: SimState, rec: InstanceRecord, input: Record<string, any>, given: string[]) {
  const plan = { instant: [] as string[], online: [] as string[], pending: [] as string[] };
  for (const name of given) {
    const kind = modifyKind(name, rec.data, input[name]);
    const changed = kind === 'instant' || changes(sim, rec.data, name, input[name]);
    if (changed) plan[kind].push(name);
    else if (kind === 'pending') delete rec.pending[name];
  }
  return plan;
}

/** Whether setting `name` to `value` would change the instance. */
export function changes(sim: SimState, i: DBInstance, name: string, value: unknown): boolean {
  const after = structuredClone(i);
  setAttribute(after, name, value, sim.env);
  return JSON.stringify(after) !== JSON.stringify(i);
}

export function applyPending(sim: SimState, rec: InstanceRecord): void {
  for (const [name, value] of Object.entries(rec.pending)) setAttribute(rec.data, name, value, sim.env);
  rec.pending = {};
}

/** Still 'available' under the old id, then 'renaming' under the new one. */
export function renamePhases(sim: SimState, rec: InstanceRecord, newId: string): Phase[] {
  rec.renameReserved = true;
  return [
    { status: 'available', seconds: sim.durations.renamePending },
    {
      status: 'renaming',
      seconds: sim.clusterOf(rec) ? sim.durations.memberRename : sim.durations.rename,
      enter: () => {
        rec.renameTo = undefined;
        rec.renameReserved = false;
        sim.claim(rec, newId);
      },
    },
  ];
}

export function restoreDBInstanceFromDBSnapshot(sim: SimState, input: Record<string, any>): object {
  if (!validIdentifier(input.DBInstanceIdentifier, 63)) throw invalidIdentifier('DBInstanceIdentifier');
  if (input.DBClusterSnapshotIdentifier !== undefined) {
    throw new Error('RdsSimulator does not implement RestoreDBInstanceFromDBSnapshot from a DBClusterSnapshotIdentifier');
  }
  const snap = sim.requireSnapshot(input.DBSnapshotIdentifier);
  sim.checkState('RestoreDBInstanceFromDBSnapshot', snap);
  const id = input.DBInstanceIdentifier.toLowerCase();
  if (sim.instanceIdTaken(id)) throw rdsFault('DBInstanceAlreadyExistsFault', 'DB instance already exists');
  // API_RestoreDBInstanceFromDBSnapshot, AvailabilityZone: "You can't specify the AvailabilityZone parameter if the DB instance is a Multi-AZ deployment."
  if (input.MultiAZ && input.AvailabilityZone) {
    throw rdsFault('InvalidParameterCombination', 'Requesting a specific availability zone is not valid for Multi-AZ instances.');
  }
  validateRestore(snap, input);
  // RDS decrypts the snapshot and encrypts the new instance with the caller's use of the key (kms.ts)
  if (snap.data.Encrypted) useKeyForCaller(sim.env, snap.data.KmsKeyId, 'source snapshot KMS key');
  return startRestoredInstance(sim, id, restoredInstance(sim, id, snap, input));
}

/**
 * A restored DB instance (from a snapshot or to a point in time) goes creating, then backing-up (its first
 * automated backup, when backups are on), then available: the sequence RDS shows (statuses: RDS User Guide,
 * "Viewing instance status"; durations: types.ts). It takes `id` at once.
 */
export function startRestoredInstance(sim: SimState, id: string, data: DBInstance): object {
  const rec: InstanceRecord = { kind: 'instance', data, life: new Lifecycle('creating', sim.clock.elapsed), pending: {} };
  rec.life.run([
    { status: 'creating', seconds: sim.durations.restore },
    ...((data.BackupRetentionPeriod ?? 0) > 0 ? [{ status: 'backing-up', seconds: sim.durations.restoreBackup }] : []),
    { status: 'available' },
  ], sim.clock.elapsed);
  sim.records.push(rec);
  sim.claim(rec, id);
  return { DBInstance: viewInstance(sim, rec) };
}

/**
 * The new instance, per the RestoreDBInstanceFromDBSnapshot API reference:
 * engine, version, storage, credentials, database name, encryption, licence,
 * port and (by default) class come from the snapshot; EVERYTHING ELSE takes
 * the RDS default unless the call gives it: no parameter group, security
 * group, Multi-AZ, tags, deletion protection, monitoring... of the original.
 */
export function restoredInstance(sim: SimState, id: string, snap: SnapshotRecord, input: Record<string, any>): DBInstance {
  const s = snap.data;
  const i = instanceDefaults(sim, id, input.Engine ?? s.Engine!, s.EngineVersion);
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
    AvailabilityZone: input.AvailabilityZone ?? `${sim.region}b`,
    PreferredBackupWindow: input.PreferredBackupWindow ?? '07:13-07:43',
    PreferredMaintenanceWindow: 'wed:09:26-wed:09:56',
    InstanceCreateTime: sim.clock.now(),
    TagList: [],
  });
  setAttribute(i, 'Port', input.Port ?? s.Port, sim.env);
  if (input.Tags) setAttribute(i, 'Tags', input.Tags, sim.env);
  for (const [name, value] of Object.entries(input)) {
    if (value !== undefined && !RESTORE_HANDLED.has(name)) setAttribute(i, name, value, sim.env);
  }
  if (i.MultiAZ) i.SecondaryAvailabilityZone = `${sim.region}c`;
  return i;
}

export function deleteDBInstance(sim: SimState, input: {
  DBInstanceIdentifier?: string; SkipFinalSnapshot?: boolean; FinalDBSnapshotIdentifier?: string; DeleteAutomatedBackups?: boolean;
}): object {
  const rec = sim.requireInstance(input.DBInstanceIdentifier);
  sim.checkState('DeleteDBInstance', rec);
  if (sim.clusterOf(rec)) return deleteMember(sim, rec, input);
  // RDS User Guide, "Deleting a DB instance": an instance with deletion protection can't be deleted
  if (rec.data.DeletionProtection) {
    throw rdsFault('InvalidParameterCombination', 'Cannot delete protected DB Instance, please disable deletion protection and try again.');
  }
  // API_DeleteDBInstance: FinalDBSnapshotIdentifier together with SkipFinalSnapshot "results in an error"; without
  // SkipFinalSnapshot "you must specify the FinalDBSnapshotIdentifier parameter"
  const skip = input.SkipFinalSnapshot === true;
  const finalId = input.FinalDBSnapshotIdentifier;
  if (skip && finalId !== undefined) {
    throw rdsFault('InvalidParameterCombination', 'Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.');
  }
  if (!skip && finalId === undefined) {
    throw rdsFault('InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.');
  }
  if (finalId !== undefined) takeFinalSnapshot(sim, rec, finalId);
  sim.retainBackups('instance', rec.data, input.DeleteAutomatedBackups);
  rec.renameTo = undefined;
  rec.renameReserved = false;
  rec.life.run([{ status: 'deleting', seconds: sim.durations.delete }, { status: GONE }], sim.clock.elapsed);
  return { DBInstance: viewInstance(sim, rec) };
}

/**
 * An automated backup of the instance starts now, as in its daily backup
 * window (RDS User Guide, "Backup window"; the status is `backing-up`, "The DB
 * instance is currently being backed up", "Viewing Amazon RDS DB instance
 * status"): `backing-up` for `seconds`, then `available` again. A test device
 * for when RDS backs an instance up (after a rename or a restore too).
 */
export function startAutomatedBackup(sim: SimState, identifier: string, seconds: number): void {
  sim.advance();
  const rec = sim.findInstance(identifier.toLowerCase());
  if (!rec || rec.life.status !== 'available') {
    throw new Error(`backUp: no available instance '${identifier}' (${rec?.life.status ?? 'absent'})`);
  }
  rec.life.run([{ status: 'backing-up', seconds }, { status: 'available' }], sim.clock.elapsed);
  sim.syncEndpoints(sim.clock.elapsed);
}
