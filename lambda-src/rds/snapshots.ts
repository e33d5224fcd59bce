import {
  CreateDBClusterSnapshotCommand, CreateDBSnapshotCommand, DBClusterSnapshot, DBSnapshot,
  DeleteDBClusterSnapshotCommand, DeleteDBSnapshotCommand, DescribeDBClusterSnapshotsCommand, DescribeDBSnapshotsCommand, Tag,
} from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, unlessAbsent } from './errors';
import { isPipelineSnapshotName, TAG_PIPELINE, TAG_SOURCE } from './naming';

/** A DB snapshot or a DB cluster snapshot, as the pipeline needs it. */
export interface Snap {
  readonly id: string;
  readonly arn?: string;
  readonly status?: string;
  readonly engine?: string;
  readonly createdAt?: string;
  /** `manual`, `automated`, `shared`… (API_DBSnapshot, SnapshotType). */
  readonly type?: string;
  /** DbiResourceId (DbClusterResourceId) of the DB it was taken of. */
  readonly sourceResourceId?: string;
  readonly tags: Tag[];
}

/** The calls for one kind of snapshot: DB instance snapshots or DB cluster snapshots. */
export interface SnapshotKind {
  readonly noun: string;
  readonly notFound: string[];
  readonly alreadyExists: string[];
  find(id: string): Promise<Snap | undefined>;
  /** Snapshots taken of `source`: manual ones unless `type` says otherwise (every page). */
  list(source: string, type?: 'manual' | 'automated'): Promise<Snap[]>;
  /** Every manual snapshot of this account, of any source (every page). */
  listManual(): Promise<Snap[]>;
  create(id: string, source: string, tags: Tag[]): Promise<Snap>;
  remove(id: string): Promise<void>;
}

const time = (d: Date | undefined) => (d ? new Date(d).toISOString() : undefined);

function fromDb(s: DBSnapshot): Snap {
  return {
    id: s.DBSnapshotIdentifier!,
    arn: s.DBSnapshotArn,
    status: s.Status,
    engine: s.Engine,
    createdAt: time(s.SnapshotCreateTime),
    type: s.SnapshotType,
    sourceResourceId: s.DbiResourceId,
    tags: s.TagList ?? [],
  };
}

function fromCluster(s: DBClusterSnapshot): Snap {
  return {
    id: s.DBClusterSnapshotIdentifier!,
    arn: s.DBClusterSnapshotArn,
    status: s.Status,
    engine: s.Engine,
    createdAt: time(s.SnapshotCreateTime),
    type: s.SnapshotType,
    sourceResourceId: s.DbClusterResourceId,
    tags: s.TagList ?? [],
  };
}

export const DB_SNAPSHOTS: SnapshotKind = {
  noun: 'snapshot',
  notFound: ['DBSnapshotNotFoundFault', 'DBSnapshotNotFound'],
  alreadyExists: ['DBSnapshotAlreadyExistsFault', 'DBSnapshotAlreadyExists'],
  async find(id) {
    const out = await unlessAbsent(this.notFound, `Describing snapshot ${id}`, () => rds().send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id })));
    const s = out?.DBSnapshots?.[0];
    return s ? fromDb(s) : undefined;
  },
  async list(source, type = 'manual') {
    const found: Snap[] = [];
    let marker: string | undefined;
    do {
      const out = await attempt(`Listing the ${type} snapshots of ${source}`, () => rds().send(new DescribeDBSnapshotsCommand({
        DBInstanceIdentifier: source, SnapshotType: type, Marker: marker,
      })));
      found.push(...(out.DBSnapshots ?? []).map(fromDb));
      marker = out.Marker;
    } while (marker);
    return found;
  },
  async listManual() {
    const found: Snap[] = [];
    let marker: string | undefined;
    do {
      const out = await attempt('Listing the manual snapshots', () => rds().send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', Marker: marker })));
      found.push(...(out.DBSnapshots ?? []).map(fromDb));
      marker = out.Marker;
    } while (marker);
    return found;
  },
  async create(id, source, tags) {
    const out = await rds().send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: id, DBInstanceIdentifier: source, Tags: tags }));
    return fromDb(out.DBSnapshot!);
  },
  async remove(id) {
    await rds().send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }));
  },
};

export const CLUSTER_SNAPSHOTS: SnapshotKind = {
  noun: 'cluster snapshot',
  notFound: ['DBClusterSnapshotNotFoundFault', 'DBClusterSnapshotNotFound'],
  alreadyExists: ['DBClusterSnapshotAlreadyExistsFault', 'DBClusterSnapshotAlreadyExists'],
  async find(id) {
    const out = await unlessAbsent(this.notFound, `Describing cluster snapshot ${id}`,
      () => rds().send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id })));
    const s = out?.DBClusterSnapshots?.[0];
    return s ? fromCluster(s) : undefined;
  },
  async list(source, type = 'manual') {
    const found: Snap[] = [];
    let marker: string | undefined;
    do {
      const out = await attempt(`Listing the ${type} cluster snapshots of ${source}`, () => rds().send(new DescribeDBClusterSnapshotsCommand({
        DBClusterIdentifier: source, SnapshotType: type, Marker: marker,
      })));
      found.push(...(out.DBClusterSnapshots ?? []).map(fromCluster));
      marker = out.Marker;
    } while (marker);
    return found;
  },
  async listManual() {
    const found: Snap[] = [];
    let marker: string | undefined;
    do {
      const out = await attempt('Listing the manual cluster snapshots',
        () => rds().send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual', Marker: marker })));
      found.push(...(out.DBClusterSnapshots ?? []).map(fromCluster));
      marker = out.Marker;
    } while (marker);
    return found;
  },
  async create(id, source, tags) {
    const out = await rds().send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id, DBClusterIdentifier: source, Tags: tags }));
    return fromCluster(out.DBClusterSnapshot!);
  },
  async remove(id) {
    await rds().send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }));
  },
};

export function snapshotKind(isCluster: boolean | undefined): SnapshotKind {
  return isCluster ? CLUSTER_SNAPSHOTS : DB_SNAPSHOTS;
}

/** The pipeline this deployment is: set by the construct, unique per TrapheusRestore. */
export function pipelineId(): string {
  const id = process.env.PIPELINE_ID;
  if (!id) throw new Error('PIPELINE_ID is not set: the handler runs outside its TrapheusRestore');
  return id;
}

export function pipelineTags(identifier: string): Tag[] {
  return [{ Key: TAG_SOURCE, Value: identifier }, { Key: TAG_PIPELINE, Value: pipelineId() }];
}

/** True when this pipeline made `snapshot` for `identifier`. */
export function madeByPipeline(snapshot: Snap, identifier: string): boolean {
  const tags = new Map(snapshot.tags.map((t) => [t.Key, t.Value]));
  return tags.get(TAG_SOURCE) === identifier && tags.get(TAG_PIPELINE) === pipelineId();
}

/** Newest first. */
export function newestFirst(snaps: Snap[]): Snap[] {
  const at = (s: Snap) => new Date(s.createdAt ?? 0).getTime();
  return [...snaps].sort((a, b) => at(b) - at(a));
}

/**
 * The manual snapshots this pipeline named and made of `identifier` (of `sources`, when given), newest
 * first: by the name pattern (`<snapshotNamePrefix><identifier>-trapheus-<time>`)
 * AND the pipeline's tags, never by name alone. A snapshot named by the input's
 * `snapshotIdentifier` does not have the pattern: it is never pruned.
 */
export async function pipelineSnapshots(kind: SnapshotKind, identifier: string, sources = [identifier]): Promise<Snap[]> {
  // a DNS alias database's snapshots are of either of its two identifiers (`sources`)
  const all = (await Promise.all(sources.map((source) => kind.list(source)))).flat();
  return newestFirst(all.filter((s) => isPipelineSnapshotName(s.id, identifier) && madeByPipeline(s, identifier)));
}
