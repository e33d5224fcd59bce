/**
 * DB snapshots and DB cluster snapshots: taking one (CreateDBSnapshot,
 * CreateDBClusterSnapshot, final snapshots on delete), describing and
 * deleting them, and seeding them.
 */
import { DBClusterSnapshot, DBSnapshot, Filter, RDSServiceException, Tag } from '@aws-sdk/client-rds';
import { visible } from './copies';
import { engineInfo } from './engines';
import { rdsFault } from './faults';
import {
  applyFilters, ClusterRecord, ClusterSnapshotRecord, FilterTable, GONE, identifierOf, InstanceRecord, invalidIdentifier, Lifecycle,
  paginate, SnapshotRecord, validIdentifier,
} from './lifecycle';
import type { SimState } from './state';
import { ClusterSnapshotSpec, SnapshotSpec } from './types';

/** Filters DescribeDBSnapshots understands. */
export const SNAPSHOT_FILTERS: FilterTable<DBSnapshot> = {
  'db-instance-id': s => [s.DBInstanceIdentifier],
  'db-snapshot-id': s => [s.DBSnapshotIdentifier, s.DBSnapshotArn],
  'dbi-resource-id': s => [s.DbiResourceId],
  'snapshot-type': s => [s.SnapshotType],
  'engine': s => [s.Engine],
};

/** Filters DescribeDBClusterSnapshots understands. */
export const CLUSTER_SNAPSHOT_FILTERS: FilterTable<DBClusterSnapshot> = {
  'db-cluster-id': s => [s.DBClusterIdentifier],
  'db-cluster-snapshot-id': s => [s.DBClusterSnapshotIdentifier, s.DBClusterSnapshotArn],
  'snapshot-type': s => [s.SnapshotType],
  'engine': s => [s.Engine],
};

/**
 * `type`: the SnapshotType (`manual`, or `automated` for an automated backup's
 * snapshot); `register: false`: the data as of now, not a snapshot that
 * exists (the source of a point-in-time restore, backups.ts).
 */
export interface SnapshotOptions {
  status?: string;
  created?: Date;
  type?: 'manual' | 'automated';
  register?: boolean;
}

// ===========================================================================
// DB snapshots
// ===========================================================================

/** A snapshot of `inst` as it is now, 'creating' for snapshotCreate then 'available' (API_CreateDBSnapshot; attributes: API_DBSnapshot). */
export function takeSnapshot(
  sim: SimState, inst: InstanceRecord, id: string, tags: Tag[], opts: SnapshotOptions = {},
): SnapshotRecord {
  const i = inst.data;
  const now = sim.clock.elapsed;
  const created = opts.created ?? sim.clock.now();
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
      SnapshotType: opts.type ?? 'manual',
      Iops: i.Iops,
      StorageThroughput: i.StorageThroughput,
      OptionGroupName: i.OptionGroupMemberships?.[0]?.OptionGroupName,
      PercentProgress: 0,
      StorageType: i.StorageType,
      Encrypted: i.StorageEncrypted,
      KmsKeyId: i.KmsKeyId,
      DBSnapshotArn: sim.arn('snapshot', id),
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
    ? [{ status: 'creating', seconds: sim.durations.snapshotCreate }, { status: 'available' }]
    : [{ status }], now);
  if (opts.register === false) return rec;
  sim.records.push(rec);
  sim.claim(rec, id);
  return rec;
}

export function viewSnapshot(sim: SimState, rec: SnapshotRecord): DBSnapshot {
  const s = structuredClone(rec.data);
  s.Status = rec.life.status;
  s.PercentProgress = rec.life.status === 'creating' ? Math.floor(100 * rec.life.progress(sim.clock.elapsed)) : 100;
  return s;
}

/** Seed a manual snapshot (default 'available') of the named instance as it is now. */
export function seedSnapshot(sim: SimState, spec: SnapshotSpec): DBSnapshot {
  sim.advance();
  const inst = sim.findInstance(spec.DBInstanceIdentifier.toLowerCase());
  if (!inst) throw new Error(`addSnapshot: no instance '${spec.DBInstanceIdentifier}'`);
  if (!validIdentifier(spec.DBSnapshotIdentifier, 255)) throw new Error(`addSnapshot: invalid identifier '${spec.DBSnapshotIdentifier}'`);
  const id = spec.DBSnapshotIdentifier.toLowerCase();
  if (sim.findSnapshot(id)) throw new Error(`addSnapshot: a snapshot '${id}' already exists`);
  const rec = takeSnapshot(sim, inst, id, spec.Tags ?? [], { status: spec.Status ?? 'available', created: spec.SnapshotCreateTime });
  return viewSnapshot(sim, rec);
}

export function snapshotExists(id: string): RDSServiceException {
  return rdsFault('DBSnapshotAlreadyExistsFault', `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`);
}

export function createDBSnapshot(sim: SimState, input: { DBSnapshotIdentifier?: string; DBInstanceIdentifier?: string; Tags?: Tag[] }): object {
  if (!validIdentifier(input.DBSnapshotIdentifier, 255)) throw invalidIdentifier('DBSnapshotIdentifier');
  const rec = sim.requireInstance(input.DBInstanceIdentifier);
  // an Aurora member has no snapshot of its own: its data is the cluster's (CreateDBClusterSnapshot); message observed
  if (sim.clusterOf(rec)) {
    throw rdsFault('InvalidDBInstanceStateFault',
      'The specified instance is a member of a cluster and a snapshot cannot be created directly. Please use the CreateDBClusterSnapshot API instead.');
  }
  const id = input.DBSnapshotIdentifier.toLowerCase();
  if (sim.findSnapshot(id)) throw snapshotExists(id);
  sim.checkState('CreateDBSnapshot', rec);
  // CopyTagsToSnapshot: "copy all tags from the DB instance to snapshots of the DB instance. By default, tags aren't
  // copied" (API_ModifyDBInstance); that tags given with the request replace the copied ones is assumed
  const tags = input.Tags?.length ? input.Tags : rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : [];
  return { DBSnapshot: viewSnapshot(sim, takeSnapshot(sim, rec, id, tags)) };
}

export function describeDBSnapshots(sim: SimState, input: {
  DBSnapshotIdentifier?: string;
  DBInstanceIdentifier?: string;
  SnapshotType?: string;
  DbiResourceId?: string;
  Filters?: Filter[];
  MaxRecords?: number;
  Marker?: string;
  IncludeShared?: boolean;
}): object {
  let found = input.DBSnapshotIdentifier !== undefined
    ? [sim.requireSnapshot(input.DBSnapshotIdentifier)]
    : [...sim.snapshotRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
  // snapshots of other accounts: only those shared with this one, and only with SnapshotType shared or IncludeShared (copies.ts)
  found = found.filter(r => visible(sim, r) && (r.data.SnapshotType !== 'shared' || input.SnapshotType === 'shared' || input.IncludeShared === true));
  const instanceId = input.DBInstanceIdentifier?.toLowerCase();
  if (instanceId !== undefined) found = found.filter(r => r.data.DBInstanceIdentifier === instanceId);
  if (input.SnapshotType !== undefined) found = found.filter(r => r.data.SnapshotType === input.SnapshotType);
  if (input.DbiResourceId !== undefined) found = found.filter(r => r.data.DbiResourceId === input.DbiResourceId);
  const views = applyFilters(found.map(r => viewSnapshot(sim, r)), input.Filters, SNAPSHOT_FILTERS);
  const { page, Marker } = paginate(views, input);
  return { DBSnapshots: page, ...(Marker ? { Marker } : {}) };
}

export function deleteDBSnapshot(sim: SimState, input: { DBSnapshotIdentifier?: string }): object {
  const rec = sim.requireSnapshot(input.DBSnapshotIdentifier);
  sim.checkState('DeleteDBSnapshot', rec);
  rec.life.run([{ status: 'deleting', seconds: sim.durations.snapshotDelete }, { status: GONE }], sim.clock.elapsed);
  return { DBSnapshot: viewSnapshot(sim, rec) };
}

export function takeFinalSnapshot(sim: SimState, rec: InstanceRecord, finalId: string): void {
  if (!validIdentifier(finalId, 255)) throw invalidIdentifier('FinalDBSnapshotIdentifier');
  const id = finalId.toLowerCase();
  if (sim.findSnapshot(id)) throw snapshotExists(id);
  sim.checkState('FinalDBSnapshot', rec);
  takeSnapshot(sim, rec, id, rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : []);
}

// ===========================================================================
// DB cluster snapshots
// ===========================================================================

/** A snapshot of `cluster` as it is now, 'creating' for clusterSnapshotCreate then 'available' (API_CreateDBClusterSnapshot; attributes: API_DBClusterSnapshot). */
export function takeClusterSnapshot(
  sim: SimState, cluster: ClusterRecord, id: string, tags: Tag[], opts: SnapshotOptions = {},
): ClusterSnapshotRecord {
  const c = cluster.data;
  const now = sim.clock.elapsed;
  const created = opts.created ?? sim.clock.now();
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
      VpcId: sim.subnetGroup(c.DBSubnetGroup ?? 'default').VpcId,
      ClusterCreateTime: c.ClusterCreateTime,
      MasterUsername: c.MasterUsername,
      EngineVersion: c.EngineVersion,
      LicenseModel: engineInfo(c.Engine!).license,
      SnapshotType: opts.type ?? 'manual',
      PercentProgress: 0,
      StorageEncrypted: c.StorageEncrypted,
      KmsKeyId: c.KmsKeyId,
      DBClusterSnapshotArn: sim.arn('cluster-snapshot', id),
      IAMDatabaseAuthenticationEnabled: c.IAMDatabaseAuthenticationEnabled,
      TagList: structuredClone(tags),
      StorageType: c.StorageType,
      DbClusterResourceId: c.DbClusterResourceId,
    },
  };
  const status = opts.status ?? 'creating';
  rec.life.run(status === 'creating'
    ? [{ status: 'creating', seconds: sim.durations.clusterSnapshotCreate }, { status: 'available' }]
    : [{ status }], now);
  if (opts.register === false) return rec;
  sim.records.push(rec);
  sim.claim(rec, id);
  return rec;
}

export function viewClusterSnapshot(sim: SimState, rec: ClusterSnapshotRecord): DBClusterSnapshot {
  const s = structuredClone(rec.data);
  s.Status = rec.life.status;
  s.PercentProgress = rec.life.status === 'creating' ? Math.floor(100 * rec.life.progress(sim.clock.elapsed)) : 100;
  return s;
}

/** Seed a manual cluster snapshot (default 'available') of the named cluster as it is now. */
export function seedClusterSnapshot(sim: SimState, spec: ClusterSnapshotSpec): DBClusterSnapshot {
  sim.advance();
  const cluster = sim.findCluster(spec.DBClusterIdentifier.toLowerCase());
  if (!cluster) throw new Error(`addClusterSnapshot: no cluster '${spec.DBClusterIdentifier}'`);
  if (!validIdentifier(spec.DBClusterSnapshotIdentifier, 255)) {
    throw new Error(`addClusterSnapshot: invalid identifier '${spec.DBClusterSnapshotIdentifier}'`);
  }
  const id = spec.DBClusterSnapshotIdentifier.toLowerCase();
  if (sim.findClusterSnapshot(id)) throw new Error(`addClusterSnapshot: a cluster snapshot '${id}' already exists`);
  const rec = takeClusterSnapshot(sim, cluster, id, spec.Tags ?? [], { status: spec.Status ?? 'available', created: spec.SnapshotCreateTime });
  return viewClusterSnapshot(sim, rec);
}

export function clusterSnapshotExists(id: string): RDSServiceException {
  return rdsFault('DBClusterSnapshotAlreadyExistsFault', `Cannot create the cluster snapshot because one with the identifier ${id} already exists.`);
}

export function createDBClusterSnapshot(
  sim: SimState, input: { DBClusterSnapshotIdentifier?: string; DBClusterIdentifier?: string; Tags?: Tag[] },
): object {
  if (!validIdentifier(input.DBClusterSnapshotIdentifier, 255)) throw invalidIdentifier('DBClusterSnapshotIdentifier');
  const rec = sim.requireCluster(input.DBClusterIdentifier);
  const id = input.DBClusterSnapshotIdentifier.toLowerCase();
  if (sim.findClusterSnapshot(id)) throw clusterSnapshotExists(id);
  sim.checkState('CreateDBClusterSnapshot', rec);
  const tags = input.Tags?.length ? input.Tags : rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : [];
  return { DBClusterSnapshot: viewClusterSnapshot(sim, takeClusterSnapshot(sim, rec, id, tags)) };
}

export function describeDBClusterSnapshots(sim: SimState, input: {
  DBClusterSnapshotIdentifier?: string;
  DBClusterIdentifier?: string;
  SnapshotType?: string;
  DbClusterResourceId?: string;
  Filters?: Filter[];
  MaxRecords?: number;
  Marker?: string;
  IncludeShared?: boolean;
}): object {
  let found = input.DBClusterSnapshotIdentifier !== undefined
    ? [sim.requireClusterSnapshot(input.DBClusterSnapshotIdentifier)]
    : [...sim.clusterSnapshotRecords()].sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
  found = found.filter(r => visible(sim, r) && (r.data.SnapshotType !== 'shared' || input.SnapshotType === 'shared' || input.IncludeShared === true));
  const clusterId = input.DBClusterIdentifier?.toLowerCase();
  if (clusterId !== undefined) found = found.filter(r => r.data.DBClusterIdentifier === clusterId);
  if (input.SnapshotType !== undefined) found = found.filter(r => r.data.SnapshotType === input.SnapshotType);
  if (input.DbClusterResourceId !== undefined) found = found.filter(r => r.data.DbClusterResourceId === input.DbClusterResourceId);
  const views = applyFilters(found.map(r => viewClusterSnapshot(sim, r)), input.Filters, CLUSTER_SNAPSHOT_FILTERS);
  const { page, Marker } = paginate(views, input);
  return { DBClusterSnapshots: page, ...(Marker ? { Marker } : {}) };
}

export function deleteDBClusterSnapshot(sim: SimState, input: { DBClusterSnapshotIdentifier?: string }): object {
  const rec = sim.requireClusterSnapshot(input.DBClusterSnapshotIdentifier);
  sim.checkState('DeleteDBClusterSnapshot', rec);
  rec.life.run([{ status: 'deleting', seconds: sim.durations.snapshotDelete }, { status: GONE }], sim.clock.elapsed);
  return { DBClusterSnapshot: viewClusterSnapshot(sim, rec) };
}

/** The final snapshot DeleteDBCluster takes when it is given a FinalDBSnapshotIdentifier. */
export function takeFinalClusterSnapshot(sim: SimState, rec: ClusterRecord, finalId: string): void {
  if (!validIdentifier(finalId, 255)) throw invalidIdentifier('FinalDBSnapshotIdentifier');
  const id = finalId.toLowerCase();
  if (sim.findClusterSnapshot(id)) throw clusterSnapshotExists(id);
  sim.checkState('FinalDBClusterSnapshot', rec);
  takeClusterSnapshot(sim, rec, id, rec.data.CopyTagsToSnapshot ? rec.data.TagList ?? [] : []);
}
