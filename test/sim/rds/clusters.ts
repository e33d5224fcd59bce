/**
 * DB cluster commands: DescribeDBClusters, ModifyDBCluster (settings and
 * renames), RestoreDBClusterFromSnapshot and DeleteDBCluster, and seeding a
 * cluster. Members: see members.ts; cluster snapshots: snapshots.ts.
 */
import { DBCluster, Filter } from '@aws-sdk/client-rds';
import {
  CLUSTER_MODIFY_CONTROLS, CLUSTER_MODIFY_INSTANT, CLUSTER_MODIFY_PENDING, clusterDefaults, setClusterAttribute, viewCluster,
} from './cluster-model';
import { isAurora, majorVersion } from './engines';
import { rdsFault } from './faults';
import { useKeyForCaller } from './kms';
import {
  applyFilters, ClusterRecord, ClusterSnapshotRecord, FilterTable, GONE, identifierOf, invalidIdentifier, Lifecycle, paginate, Phase,
  validIdentifier,
} from './lifecycle';
import { createManagedSecret, validateManagedPassword } from './secrets';
import { takeFinalClusterSnapshot } from './snapshots';
import type { SimState } from './state';
import { ClusterSpec } from './types';

/** RestoreDBClusterFromSnapshot parameters handled one by one (all others are stored as given). */
export const CLUSTER_RESTORE_HANDLED = new Set(['DBClusterIdentifier', 'SnapshotIdentifier', 'Engine', 'EngineVersion', 'DatabaseName',
  'KmsKeyId', 'Port', 'EngineMode', 'AvailabilityZones', 'PreferredBackupWindow', 'BackupRetentionPeriod']);

/** Filters DescribeDBClusters understands. */
export const CLUSTER_FILTERS: FilterTable<DBCluster> = {
  'db-cluster-id': c => [c.DBClusterIdentifier, c.DBClusterArn],
  'db-cluster-resource-id': c => [c.DbClusterResourceId],
  'engine': c => [c.Engine],
};

/**
 * Seed a DB cluster (default 'available', no members); spec values replace
 * the defaults. Aurora (aurora-postgresql, aurora-mysql; EngineMode
 * 'provisioned' or 'serverless' for Serverless v1) or a Multi-AZ DB cluster
 * (postgres, mysql with DBClusterInstanceClass).
 */
export function seedCluster(sim: SimState, spec: ClusterSpec): DBCluster {
  sim.advance();
  if (!validIdentifier(spec.DBClusterIdentifier, 63)) throw new Error(`addCluster: invalid identifier '${spec.DBClusterIdentifier}'`);
  const id = spec.DBClusterIdentifier.toLowerCase();
  if (sim.findCluster(id)) throw new Error(`addCluster: a cluster '${id}' already exists`);
  const { Tags, Status, DBClusterMembers: _members, PendingModifiedValues: _pending, ...rest } = structuredClone(spec);
  const data: DBCluster = { ...clusterDefaults(sim, id, spec.Engine, spec.EngineVersion), ...rest, DBClusterIdentifier: id };
  if (Tags) data.TagList = Tags;
  if (spec.Endpoint === undefined) data.Endpoint = sim.clusterAddress(id);
  if (spec.ReaderEndpoint === undefined) data.ReaderEndpoint = sim.clusterAddress(id, true);
  const rec: ClusterRecord = { kind: 'cluster', data, life: new Lifecycle(Status ?? 'available', sim.clock.elapsed), pending: {} };
  sim.records.push(rec);
  sim.claim(rec, id);
  sim.syncEndpoints(sim.clock.elapsed);
  return viewCluster(sim, rec);
}

export function describeDBClusters(
  sim: SimState, input: { DBClusterIdentifier?: string; Filters?: Filter[]; MaxRecords?: number; Marker?: string },
): object {
  const found = input.DBClusterIdentifier !== undefined
    ? [sim.requireCluster(input.DBClusterIdentifier)]
    : [...sim.clusterRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
  const views = applyFilters(found.map(r => viewCluster(sim, r)), input.Filters, CLUSTER_FILTERS);
  const { page, Marker } = paginate(views, input);
  return { DBClusters: page, ...(Marker ? { Marker } : {}) };
}

/** NewDBClusterIdentifier, validated and free, lower-cased; undefined when not renaming. */
export function clusterRenameTarget(sim: SimState, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!validIdentifier(value, 63)) throw invalidIdentifier('NewDBClusterIdentifier');
  const id = value.toLowerCase();
  if (sim.findCluster(id)) throw rdsFault('DBClusterAlreadyExistsFault', 'DB Cluster already exists');
  return id;
}

/**
 * Checks RDS makes on cluster settings given to RestoreDBClusterFromSnapshot or ModifyDBCluster:
 * BacktrackWindow is "Valid for: Aurora MySQL DB clusters only"; an Aurora StorageType is aurora or aurora-iopt1
 * (API_RestoreDBClusterFromSnapshot, API_ModifyDBCluster); MinCapacity <= MaxCapacity
 * (API_ServerlessV2ScalingConfiguration; the wording is assumed).
 */
export function validateClusterSettings(engine: string, input: Record<string, any>): void {
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
  // "Specify a value between 300 seconds (five minutes) and 86,400 seconds (one day)" (API_ServerlessV2ScalingConfiguration)
  if (v2?.SecondsUntilAutoPause !== undefined && (v2.SecondsUntilAutoPause < 300 || v2.SecondsUntilAutoPause > 86400)) {
    throw rdsFault('InvalidParameterValue', `SecondsUntilAutoPause must be between 300 and 86400 seconds, not ${v2.SecondsUntilAutoPause}.`);
  }
}

/**
 * The rules of ModifyDBCluster that depend on the kind of cluster (API_ModifyDBCluster):
 * - `EnableHttpEndpoint` "applies only to Aurora Serverless v1 DB clusters. To enable or
 *   disable the HTTP endpoint for an Aurora Serverless v2 or provisioned DB cluster, use
 *   the EnableHttpEndpoint and DisableHttpEndpoint operations." Refused here with
 *   InvalidParameterCombination (the common error for parameters that do not go together;
 *   RDS's exact wording for this case was not found).
 * - `MonitoringInterval` is "Valid for Cluster Type: Multi-AZ DB clusters only" (Aurora sets
 *   cluster-level enhanced monitoring at create or restore); refused likewise for Aurora.
 * - `DatabaseInsightsMode`: "If you change the value from standard to advanced, you must set
 *   the PerformanceInsightsEnabled parameter to true and the PerformanceInsightsRetentionPeriod
 *   parameter to 465" (the request field is EnablePerformanceInsights). RDS refuses it even when
 *   the cluster already has both, with the message below (reported in
 *   hashicorp/terraform-provider-aws#42539 and pulumi/pulumi-aws#5286).
 */
export function validateClusterModify(c: DBCluster, input: Record<string, any>): void {
  if (input.EnableHttpEndpoint !== undefined && c.EngineMode !== 'serverless') {
    throw rdsFault('InvalidParameterCombination', 'The EnableHttpEndpoint parameter of ModifyDBCluster applies only to Aurora Serverless v1 DB clusters. '
      + `DB cluster ${c.DBClusterIdentifier} is ${c.EngineMode}: use the EnableHttpEndpoint or DisableHttpEndpoint operation.`);
  }
  if (input.MonitoringInterval !== undefined && isAurora(c.Engine!)) {
    throw rdsFault('InvalidParameterCombination', 'MonitoringInterval can be modified for Multi-AZ DB clusters only.');
  }
  if (input.DatabaseInsightsMode === 'advanced' && c.DatabaseInsightsMode !== 'advanced'
    && !(input.EnablePerformanceInsights === true && input.PerformanceInsightsRetentionPeriod >= 465)) {
    throw rdsFault('InvalidParameterCombination', 'To enable the Advanced mode of Database Insights, modify your cluster to enable Performance Insights '
      + 'and set the retention period for Performance Insights to at least 465 days.');
  }
}

/** Whether setting `name` to `value` would change the cluster. */
export function clusterChanges(sim: SimState, c: DBCluster, name: string, value: unknown): boolean {
  const after = structuredClone(c);
  setClusterAttribute(after, name, value, sim.env);
  return JSON.stringify(after) !== JSON.stringify(c);
}

/**
 * Rename (the identifier, ARN, endpoints and the members' DBClusterIdentifier
 * change at once; 'renaming' for clusterRename) and/or change settings:
 * instant ones with no status change, the others 'modifying' for
 * clusterModify. EngineVersion without ApplyImmediately, and a rename
 * without it, wait in PendingModifiedValues.
 * Sources: API_ModifyDBCluster (NewDBClusterIdentifier, ApplyImmediately;
 * AllowMajorVersionUpgrade: "A value that indicates whether major version
 * upgrades are allowed" and needed for one; MonitoringRoleArn with a
 * MonitoringInterval other than 0); Aurora User Guide, "Renaming an Aurora DB
 * cluster". Refusing an empty modification is observed, its wording assumed.
 */
export function modifyDBCluster(sim: SimState, input: Record<string, any>): object {
  const rec = sim.requireCluster(input.DBClusterIdentifier);
  const newId = clusterRenameTarget(sim, input.NewDBClusterIdentifier);
  sim.checkState('ModifyDBCluster', rec);
  const given = Object.keys(input).filter(k => !CLUSTER_MODIFY_CONTROLS.has(k) && input[k] !== undefined);
  if (newId === undefined && given.length === 0) throw rdsFault('InvalidParameterCombination', 'No modifications were requested');
  const c = rec.data;
  validateClusterSettings(c.Engine!, input);
  if (input.EngineVersion !== undefined && !input.AllowMajorVersionUpgrade
    && majorVersion(c.Engine!, input.EngineVersion) !== majorVersion(c.Engine!, c.EngineVersion!)) {
    throw rdsFault('InvalidParameterCombination', 'The AllowMajorVersionUpgrade flag must be present when upgrading to a new major version.');
  }
  if (input.MonitoringInterval > 0 && !input.MonitoringRoleArn && !c.MonitoringRoleArn) {
    throw rdsFault('InvalidParameterCombination', 'A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.');
  }
  validateClusterModify(c, input);
  validateManagedPassword(c.MasterUserSecret, input);
  useKeyForCaller(sim.env, input.PerformanceInsightsKMSKeyId);
  const secret = createManagedSecret(sim.env, c.MasterUserSecret, input, `rds!cluster-${c.DbClusterResourceId!.replace(/^cluster-/, '').toLowerCase()}`);

  const immediate = input.ApplyImmediately === true;
  const plan = { instant: [] as string[], online: [] as string[], pending: [] as string[] };
  for (const name of given) {
    const pendingKind = name in CLUSTER_MODIFY_PENDING;
    if (CLUSTER_MODIFY_INSTANT.has(name)) {
      plan.instant.push(name);
    } else if (!clusterChanges(sim, c, name, input[name])) {
      if (pendingKind) delete rec.pending[name];
    } else {
      plan[pendingKind ? 'pending' : 'online'].push(name);
    }
  }
  for (const name of [...plan.instant, ...plan.online]) setClusterAttribute(c, name, input[name], sim.env);
  if (secret) c.MasterUserSecret = secret;
  for (const name of plan.pending) rec.pending[name] = structuredClone(input[name]);
  const modifying = plan.online.length > 0 || (immediate && Object.keys(rec.pending).length > 0);

  const phases: Phase[] = [];
  if (newId !== undefined && immediate) phases.push({ status: 'renaming', seconds: sim.durations.clusterRename });
  if (modifying) phases.push({ status: 'modifying', seconds: sim.durations.clusterModify });
  if (phases.length) {
    phases.push({
      status: 'available',
      enter: () => {
        if (immediate) applyClusterPending(sim, rec);
        // the new secret is active once the modification is over
        if (secret && c.MasterUserSecret === secret) secret.SecretStatus = 'active';
      },
    });
    rec.life.run(phases, sim.clock.elapsed);
  }
  if (newId !== undefined && immediate) {
    rec.renameTo = undefined;
    sim.claim(rec, newId);
  } else if (newId !== undefined) {
    rec.renameTo = newId;
  }
  return { DBCluster: viewCluster(sim, rec) };
}

export function applyClusterPending(sim: SimState, rec: ClusterRecord): void {
  for (const [name, value] of Object.entries(rec.pending)) setClusterAttribute(rec.data, name, value, sim.env);
  rec.pending = {};
}

export function restoreDBClusterFromSnapshot(sim: SimState, input: Record<string, any>): object {
  if (!validIdentifier(input.DBClusterIdentifier, 63)) throw invalidIdentifier('DBClusterIdentifier');
  const named = String(input.SnapshotIdentifier ?? '').toLowerCase();
  if (input.SnapshotIdentifier !== undefined && !sim.findClusterSnapshot(named) && sim.findSnapshot(named)) {
    throw new Error('RdsSimulator does not implement RestoreDBClusterFromSnapshot from a DB (instance) snapshot');
  }
  const snap = sim.requireClusterSnapshot(input.SnapshotIdentifier, 'SnapshotIdentifier');
  const engine = snap.data.Engine!;
  // API_RestoreDBClusterFromSnapshot, Engine: required, "must be compatible with the engine of the source" (wording assumed)
  if (!input.Engine) throw rdsFault('InvalidParameterValue', 'The parameter Engine must be provided and must not be blank.');
  if (input.Engine !== engine) {
    throw rdsFault('InvalidParameterValue',
      `The engine name requested for your DB cluster (${input.Engine}) doesn't match the engine of the DB cluster snapshot (${engine}).`);
  }
  sim.checkState('RestoreDBClusterFromSnapshot', snap);
  const id = input.DBClusterIdentifier.toLowerCase();
  if (sim.findCluster(id)) throw rdsFault('DBClusterAlreadyExistsFault', 'DB Cluster already exists');
  validateClusterSettings(engine, input);
  // RDS decrypts the snapshot and encrypts the new cluster with the caller's use of the key (kms.ts)
  if (snap.data.StorageEncrypted) useKeyForCaller(sim.env, snap.data.KmsKeyId, 'source snapshot KMS key');
  useKeyForCaller(sim.env, input.KmsKeyId);
  useKeyForCaller(sim.env, input.PerformanceInsightsKMSKeyId);
  const data = restoredCluster(sim, id, snap, input);
  const rec: ClusterRecord = { kind: 'cluster', data, life: new Lifecycle('creating', sim.clock.elapsed), pending: {} };
  rec.life.run([{ status: 'creating', seconds: sim.durations.clusterRestore }, { status: 'available' }], sim.clock.elapsed);
  sim.records.push(rec);
  sim.claim(rec, id);
  return { DBCluster: viewCluster(sim, rec) };
}

/**
 * The new cluster, per the RestoreDBClusterFromSnapshot API reference:
 * engine, version, master user, database name, encryption and port come
 * from the snapshot; EVERYTHING ELSE takes the RDS default unless the call
 * gives it: subnet group, security groups, cluster parameter group,
 * deletion protection, IAM auth, log exports, backtrack, Serverless v2
 * capacity, I/O-Optimized storage, backups, windows, tags. No members.
 * Encryption (KmsKeyId there): an encrypted snapshot gives a cluster encrypted
 * with its key unless KmsKeyId names another; KmsKeyId encrypts a restore of an
 * unencrypted snapshot. BackupRetentionPeriod 1 when not given is assumed.
 */
export function restoredCluster(sim: SimState, id: string, snap: ClusterSnapshotRecord, input: Record<string, any>): DBCluster {
  const s = snap.data;
  const c = clusterDefaults(sim, id, s.Engine!, input.EngineVersion ?? s.EngineVersion);
  Object.assign(c, {
    MasterUsername: s.MasterUsername,
    DatabaseName: input.DatabaseName ?? snap.source.DatabaseName,
    StorageEncrypted: s.StorageEncrypted === true || input.KmsKeyId !== undefined,
    KmsKeyId: input.KmsKeyId ?? s.KmsKeyId,
    Port: input.Port ?? s.Port,
    EngineMode: input.EngineMode ?? s.EngineMode ?? 'provisioned',
    AvailabilityZones: input.AvailabilityZones ?? sim.availabilityZones(),
    BackupRetentionPeriod: input.BackupRetentionPeriod ?? 1,
    // RDS picks windows of its own: a restore that does not pass them does not get the original's
    PreferredBackupWindow: input.PreferredBackupWindow ?? '07:13-07:43',
    PreferredMaintenanceWindow: 'wed:09:26-wed:09:56',
    TagList: [],
  });
  for (const [name, value] of Object.entries(input)) {
    if (value !== undefined && !CLUSTER_RESTORE_HANDLED.has(name)) setClusterAttribute(c, name, value, sim.env);
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
 * Deletion protection, SkipFinalSnapshot and FinalDBSnapshotIdentifier: as
 * DeleteDBInstance (API_DeleteDBCluster: "Specifying this parameter and also
 * skipping the final DB snapshot creation in SkipFinalShapshot results in an error").
 */
export function deleteDBCluster(sim: SimState, input: {
  DBClusterIdentifier?: string; SkipFinalSnapshot?: boolean; FinalDBSnapshotIdentifier?: string; DeleteAutomatedBackups?: boolean;
}): object {
  const rec = sim.requireCluster(input.DBClusterIdentifier);
  sim.checkState('DeleteDBCluster', rec);
  if (rec.data.DeletionProtection) {
    throw rdsFault('InvalidParameterCombination', 'Cannot delete protected Cluster, please disable deletion protection and try again.');
  }
  const members = sim.membersOf(rec);
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
  const before = viewCluster(sim, rec);
  if (finalId !== undefined) takeFinalClusterSnapshot(sim, rec, finalId);
  sim.retainBackups('cluster', rec.data, input.DeleteAutomatedBackups);
  if (members.length) rec.deleteRequested = true;
  else rec.life.run([{ status: 'deleting', seconds: sim.durations.clusterDelete }, { status: GONE }], sim.clock.elapsed);
  return { DBCluster: before };
}

/**
 * EnableHttpEndpoint / DisableHttpEndpoint: the RDS Data API of a cluster, by
 * its ARN (ResourceArn). "This operation applies only to Aurora Serverless v2
 * and provisioned DB clusters" (API_EnableHttpEndpoint, API_DisableHttpEndpoint).
 * Errors: ResourceNotFoundFault for no cluster with that ARN;
 * InvalidResourceStateFault, "another operation is in progress", when the
 * cluster is not available. The answer is { ResourceArn, HttpEndpointEnabled }.
 * No status change (the guide names none for it).
 */
export function setHttpEndpoint(sim: SimState, input: { ResourceArn?: string }, enabled: boolean): object {
  const rec = sim.clusterRecords().find(r => r.data.DBClusterArn === input.ResourceArn);
  if (!rec) throw rdsFault('ResourceNotFoundFault', `The specified resource ARN ${input.ResourceArn} was not found.`);
  if (rec.data.EngineMode === 'serverless' || !isAurora(rec.data.Engine!)) {
    throw rdsFault('InvalidParameterCombination', `${enabled ? 'EnableHttpEndpoint' : 'DisableHttpEndpoint'} applies only to Aurora Serverless v2 and provisioned DB clusters; `
      + `for ${rec.data.DBClusterIdentifier} use ModifyDBCluster's EnableHttpEndpoint.`);
  }
  sim.checkState('HttpEndpoint', rec);
  rec.data.HttpEndpointEnabled = enabled;
  return { ResourceArn: rec.data.DBClusterArn, HttpEndpointEnabled: enabled };
}
