import { copyShared, deleteCopies, findShared, sharedArn } from './rds/copies';
import { classify, isFault, PipelineError } from './rds/errors';
import { parseSnapshotArn } from '../src/input-sources';
import type { Job, SnapshotRef } from './rds/job';
import { logged } from './rds/log';
import { isPipelineSnapshotName, legacySnapshotIdentifier, snapshotIdentifier } from './rds/naming';
import { madeByPipeline, newestFirst, pipelineSnapshots, pipelineTags, Snap, SnapshotKind, snapshotKind } from './rds/snapshots';

/** The job's fields the snapshot steps read (the state machine passes the whole job). */
type JobFields = Partial<Pick<Job, 'snapshotIdentifier' | 'source' | 'restoreTime' | 'useLatestRestorableTime' | 'original' | 'snapshot'>>;

/**
 * `isCluster` picks DB cluster snapshots instead of DB snapshots; the rules are
 * the same. `job`: the input's `snapshotIdentifier` (the new snapshot's name, or
 * the snapshot to restore) and `source`.
 */
export type SnapshotEvent = { isCluster?: boolean; job?: JobFields } & (
  /** `source`: the DB to snapshot, when it is not `identifier` (a DNS alias: the serving one of its two identifiers). */
  | { op: 'create'; identifier: string; startedAt: string; source?: string }
  /** `sources`: the DBs whose snapshots count, the serving one first (default: `identifier`). */
  | { op: 'find'; identifier: string; engine: string; sources?: string[] }
  | { op: 'prune'; identifier: string; keep: string; sources?: string[] }
  // a snapshot shared from another account (found by 'find'): copied into this account; the copies deleted at the end
  | { op: 'copy'; identifier: string; startedAt: string }
  | { op: 'delete-copies'; identifier: string });

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function ref(s: Snap, created: boolean): SnapshotRef {
  return { id: s.id, arn: s.arn, createdAt: s.createdAt, created, ...(s.type && s.type !== 'manual' ? { type: s.type } : {}) };
}

/**
 * Make a new snapshot, named from the execution start so a retry finds it
 * instead of making another; or named `name` (the input's snapshotIdentifier),
 * which the refresh never prunes.
 */
async function create(kind: SnapshotKind, identifier: string, startedAt: string, name?: string, source = identifier): Promise<SnapshotRef> {
  const id = name ?? snapshotIdentifier(identifier, startedAt);
  try {
    return ref(await kind.create(id, source, pipelineTags(identifier)), true);
  } catch (err) {
    if (isFault(err, ...kind.alreadyExists)) {
      const existing = await kind.find(id);
      if (existing && madeByPipeline(existing, identifier)) return ref(existing, true);
    }
    throw classify(err, `Creating ${kind.noun} ${id} of ${identifier}`);
  }
}

/**
 * `db_restore`: what to restore from. `source` "snapshot": the input's
 * `snapshotIdentifier`, else the newest available snapshot this pipeline
 * made, else `<identifier>-snapshot`; "latest-automated": the newest available
 * automated snapshot of the database (every page); "point-in-time": no
 * snapshot (the pre-flight has checked the time against the restorable window).
 */
async function find(kind: SnapshotKind, identifier: string, engine: string, job: JobFields = {}, sources = [identifier]): Promise<SnapshotRef> {
  const isCluster = kind === snapshotKind(true);
  const notFound = isCluster ? 'DBClusterSnapshotNotFoundFault' : 'DBSnapshotNotFoundFault';
  if (job.source === 'point-in-time') {
    return { created: false, pointInTime: job.useLatestRestorableTime ? 'latest' : job.restoreTime! };
  }
  // a snapshot of another account (sourceAccounts lists it, or the first state refused it): copied next
  const shared = job.source === undefined || job.source === 'snapshot' ? sharedArn(job.snapshotIdentifier) : undefined;
  if (shared) return findShared(isCluster, shared, identifier, engine);
  let chosen: Snap | undefined;
  if (job.source === 'latest-automated') {
    // only the database's own: a retained backup of a deleted DB that had this identifier is another database
    const mine = (s: Snap) => !job.original?.resourceId || !s.sourceResourceId || s.sourceResourceId === job.original.resourceId;
    chosen = newestFirst((await kind.list(sources[0], 'automated')).filter((s) => s.status === 'available' && mine(s)))[0];
    if (!chosen) {
      throw new PipelineError(notFound, `${identifier} has no available automated ${kind.noun}: automated backups are off (backup retention 0) `
        + 'or none has been taken yet. Use "source": "snapshot" with a manual snapshot, or turn automated backups on.');
    }
  } else if (job.snapshotIdentifier) {
    // an ARN of this account (a shared one was refused by the first state) is looked up by its name
    const name = parseSnapshotArn(job.snapshotIdentifier)?.name ?? job.snapshotIdentifier;
    chosen = await kind.find(name);
    if (!chosen) {
      throw new PipelineError(notFound, `There is no ${kind.noun} "${name}" in this account and Region: check "snapshotIdentifier" `
        + `(a ${isCluster ? 'DB cluster snapshot, for "isCluster": true' : 'DB snapshot of a DB instance, for "isCluster": false'}).`);
    }
    if (chosen.type === 'automated') {
      throw new PipelineError('InvalidSnapshotIdentifier', `${capitalized(kind.noun)} ${chosen.id} is an automated snapshot: use "source": "latest-automated".`);
    }
  } else {
    const legacyId = legacySnapshotIdentifier(identifier);
    chosen = (await pipelineSnapshots(kind, identifier, sources)).find((s) => s.status === 'available') ?? await kind.find(legacyId);
    if (!chosen) {
      throw new PipelineError(notFound,
        `No ${kind.noun} to restore ${identifier} from: none made by this pipeline and no ${legacyId}. Run the task "create_snapshot" (or "create_snapshot_only") first, `
        + 'or give "snapshotIdentifier".');
    }
  }
  if (chosen.status !== 'available') {
    throw new PipelineError(isCluster ? 'InvalidDBClusterSnapshotStateFault' : 'InvalidDBSnapshotStateFault',
      `${capitalized(kind.noun)} ${chosen.id} is ${chosen.status}, not available; wait for it and run again.`);
  }
  if (chosen.engine && chosen.engine !== engine) {
    throw new PipelineError('SnapshotEngineMismatch', `${capitalized(kind.noun)} ${chosen.id} is of engine ${chosen.engine} but ${identifier} runs ${engine}.`);
  }
  return ref(chosen, false);
}

/** Delete the older snapshots this pipeline made, only once `keep` is verified available. */
async function prune(kind: SnapshotKind, identifier: string, keep: string, sources = [identifier]): Promise<{ deleted: string[] }> {
  // A snapshot named by the input is the user's: keeping it does not make the pipeline's own ones older.
  if (!isPipelineSnapshotName(keep, identifier)) return { deleted: [] };
  const kept = await kind.find(keep);
  if (kept?.status !== 'available') {
    throw new PipelineError('SnapshotNotVerified', `${capitalized(kind.noun)} ${keep} is ${kept?.status ?? 'missing'}; older snapshots of ${identifier} are kept.`);
  }
  // Only older ones: an overlapping execution's newer snapshot is not ours to delete.
  const keptAt = new Date(kept.createdAt ?? 0).getTime();
  const older = (await pipelineSnapshots(kind, identifier, sources))
    .filter((s) => s.id !== keep && s.status === 'available' && new Date(s.createdAt ?? 0).getTime() < keptAt);
  const deleted: string[] = [];
  for (const s of older) {
    try {
      await kind.remove(s.id);
    } catch (err) {
      if (isFault(err, ...kind.notFound)) continue; // already gone (a retry)
      throw classify(err, `Deleting older ${kind.noun} ${s.id}`);
    }
    deleted.push(s.id);
  }
  return { deleted };
}

export const handler = logged('snapshot', async (event: SnapshotEvent): Promise<unknown> => {
  const kind = snapshotKind(event.isCluster);
  switch (event.op) {
    case 'create': return create(kind, event.identifier, event.startedAt, event.job?.snapshotIdentifier, event.source);
    case 'find': return find(kind, event.identifier, event.engine, event.job, event.sources);
    case 'prune': return prune(kind, event.identifier, event.keep, event.sources);
    case 'copy': return copyShared(event.isCluster === true, event.identifier, event.startedAt, event.job!.snapshot!);
    case 'delete-copies': return deleteCopies(kind, event.identifier);
  }
});
