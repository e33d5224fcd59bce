import {
  AddTagsToResourceCommand, DBCluster, DBInstance, DeleteDBClusterCommand, DeleteDBInstanceCommand, DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand, Tag,
} from '@aws-sdk/client-rds';
import { OLD_DATABASE_BUSY } from '../src/error-names';
import { rds } from './rds/client';
import { clusterMembers, findCluster } from './rds/clusters';
import { attempt, classify, isFault, PipelineError } from './rds/errors';
import { findInstance, instanceOf } from './rds/instances';
import type { Job, OriginalCluster } from './rds/job';
import { logged } from './rds/log';
import { TAG_PIPELINE, TAG_SOURCE, tempIdentifier } from './rds/naming';
import { pipelineId } from './rds/snapshots';
import { allows } from './rds/statuses';

/**
 * What happens to the old DB, as the construct's `oldDatabase` and
 * `deleteOldAutomatedBackups` props say (in the task payload). Without it:
 * no final snapshot, automated backups kept.
 */
export interface OldDatabaseHandling {
  readonly finalSnapshot: boolean;
  readonly deleteAutomatedBackups: boolean;
}

const DEFAULT_HANDLING: OldDatabaseHandling = { finalSnapshot: false, deleteAutomatedBackups: false };

/** Tag key on a final snapshot: the identifier the old DB had before the restore. */
export const TAG_FINAL_SNAPSHOT_OF = 'trapheus:final-snapshot-of';

/**
 * The final snapshot of the old DB: `<identifier>-trapheus-final-YYYYMMDD-HHMMSS`
 * from the execution's start time (so a retried call asks for the same name), at
 * most 63 + 31 characters: within RDS's 255, a letter first, no `--`.
 */
export function finalSnapshotIdentifier(identifier: string, startedAt: string | Date): string {
  const time = new Date(startedAt);
  if (Number.isNaN(time.getTime())) throw new PipelineError('InvalidDeleteEvent', `startedAt ${String(startedAt)} is not a time`);
  const iso = time.toISOString(); // 2026-01-09T08:00:00.000Z
  return `${identifier}-trapheus-final-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** The final snapshot to ask for, if the policy wants one. */
function finalSnapshotFor(identifier: string, handling: OldDatabaseHandling, startedAt: string | undefined): string | undefined {
  if (!handling.finalSnapshot) return undefined;
  if (!startedAt) throw new PipelineError('InvalidDeleteEvent', 'A final snapshot needs the execution start time (startedAt)');
  return finalSnapshotIdentifier(identifier, startedAt);
}

export type DeleteEvent =
  /** The renamed original (`job.temp`), once its replacement (`job.restored`) is verified. */
  | {
    op: 'old';
    job: Job;
    /** What happens to it. */
    oldDatabase?: OldDatabaseHandling;
    /** With a final snapshot: the execution's start time, which names it. */
    startedAt?: string;
  }
  /** Rollback: the partly restored DB under the original identifier. */
  | { op: 'partial'; job: Job }
  | FinalSnapshotEvent;

/** After the old DB (cluster) is gone: check that its final snapshot is of the original, and tag it. */
export interface FinalSnapshotEvent {
  readonly op: 'final-snapshot';
  readonly isCluster: boolean;
  readonly identifier: string;
  /** The renamed original the snapshot was taken of. */
  readonly temp: string;
  readonly snapshotId: string;
  /** DbiResourceId (DbClusterResourceId) of the original. */
  readonly sourceResourceId: string;
}

/**
 * RDS takes a final snapshot only of an `available` DB instance or cluster: a
 * `backing-up` one (after a rename or a restore, or in its backup window) is
 * refused, "not currently in the available state". The state machine retries.
 */
function notYetForFinalSnapshot(what: string, status: string): PipelineError {
  return new PipelineError(OLD_DATABASE_BUSY,
    `The ${what} is ${status}; RDS takes its final snapshot only once it is available, so its deletion is retried.`);
}

interface DeleteOptions {
  readonly finalSnapshot?: string;
  readonly deleteAutomatedBackups: boolean;
}

/** The DeleteDBInstance / DeleteDBCluster fields for a final snapshot (or none) and the automated backups. */
function deleteFields(opts: DeleteOptions) {
  return {
    ...(opts.finalSnapshot ? { FinalDBSnapshotIdentifier: opts.finalSnapshot } : { SkipFinalSnapshot: true }),
    DeleteAutomatedBackups: opts.deleteAutomatedBackups,
  };
}

async function deleteInstance(db: DBInstance, opts: DeleteOptions = { deleteAutomatedBackups: false }): Promise<void> {
  const id = db.DBInstanceIdentifier!;
  if (db.DeletionProtection) {
    await attempt(`Turning off deletion protection on ${id}`, () => rds().send(new ModifyDBInstanceCommand({
      // Deletion protection changes at once whatever ApplyImmediately says; false keeps
      // any other pending modification from starting (and blocking the delete).
      DBInstanceIdentifier: id, DeletionProtection: false, ApplyImmediately: false,
    })));
  }
  try {
    await rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id, ...deleteFields(opts) }));
  } catch (err) {
    if (isFault(err, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return; // deleted by an earlier attempt
    if (isFault(err, 'InvalidDBInstanceStateFault', 'InvalidDBInstanceState')) {
      const status = (await findInstance(id))?.DBInstanceStatus;
      if (status === 'deleting') return;
      // it left `available` between the check and the call: retried
      if (opts.finalSnapshot) throw notYetForFinalSnapshot(`DB instance ${id}`, status ?? 'absent');
    }
    throw classify(err, `Deleting DB instance ${id}`);
  }
}

/**
 * Delete the renamed original only when the DB under its identifier is the verified, available replacement.
 * With a final snapshot, its name is in the result (`finalSnapshot`) for the steps after.
 */
async function deleteOld(event: Extract<DeleteEvent, { op: 'old' }>): Promise<{ deleted: string | null; finalSnapshot?: string }> {
  const { job } = event;
  // A DNS alias: the old DB is the one the record pointed at (it kept its identifier); the replacement is the other
  const temp = job.dns?.serving ?? job.temp?.identifier;
  if (!temp) throw new PipelineError('InvalidJob', `The job for ${job.identifier} has no renamed original (temp) to delete.`);
  const e = {
    identifier: job.dns?.next ?? job.identifier,
    temp,
    originalResourceId: instanceOf(job).original.resourceId,
    restoredResourceId: job.restored?.resourceId,
    startedAt: event.startedAt,
  };
  const handling = event.oldDatabase ?? DEFAULT_HANDLING;
  const finalSnapshot = finalSnapshotFor(job.identifier, handling, e.startedAt);
  const named = finalSnapshot ? { finalSnapshot } : {};
  const replacement = await findInstance(e.identifier);
  // it must serve (rds/statuses.ts): storage-optimization ("fully operational"), backing-up and a change being applied do
  if (!replacement || replacement.DbiResourceId !== e.restoredResourceId || !allows(replacement.DBInstanceStatus, 'serve')) {
    throw new PipelineError('ReplacementNotVerified',
      `${e.identifier} is not the serving restored DB (${replacement?.DBInstanceStatus ?? 'absent'}); the original ${e.temp} is kept.`);
  }
  const old = await findInstance(e.temp);
  // Gone already (an earlier attempt's deletion finished): its final snapshot, if any, is checked after.
  if (!old) return { deleted: null, ...named };
  if (old.DbiResourceId !== e.originalResourceId) {
    throw new PipelineError('UnexpectedDBInstance', `${e.temp} is not the original DB instance (${old.DbiResourceId}); it is left alone.`);
  }
  if (old.DBInstanceStatus === 'deleting') return { deleted: e.temp, ...named };
  if (finalSnapshot && old.DBInstanceStatus !== 'available') throw notYetForFinalSnapshot(`old DB instance ${e.temp}`, old.DBInstanceStatus ?? 'unknown');
  await deleteInstance(old, { finalSnapshot, deleteAutomatedBackups: handling.deleteAutomatedBackups });
  return { deleted: e.temp, ...named };
}

/** Delete what a failed restore left under the original identifier: only the DB the restore created. */
async function deletePartial({ job }: Extract<DeleteEvent, { op: 'partial' }>): Promise<{ deleted: string | null }> {
  const e = { identifier: job.identifier, originalResourceId: job.original?.resourceId, restoredResourceId: job.restored?.resourceId };
  const db = await findInstance(e.identifier);
  if (!db || db.DbiResourceId === e.originalResourceId) return { deleted: null };
  if (db.DbiResourceId !== e.restoredResourceId) {
    throw new PipelineError('UnexpectedDBInstance',
      `${e.identifier} is held by a DB instance this pipeline did not create (${db.DbiResourceId}); it is left alone.`);
  }
  if (db.DBInstanceStatus === 'deleting') return { deleted: e.identifier };
  await deleteInstance(db);
  return { deleted: e.identifier };
}

/** Aurora: the old members then the old cluster, or in rollback the partly restored members then cluster. */
/** Cutover RESTORE_THEN_SWAP, rollback: the staged DB, only the one this run restored. */
export interface StagedDeleteEvent {
  readonly op: 'staged';
  readonly job: Job;
}

async function deleteStaged(job: Job): Promise<{ deleted: string | null }> {
  const staging = (job.original as { staging?: string } | undefined)?.staging;
  if (!staging) return { deleted: null };
  const db = await findInstance(staging);
  if (!db) return { deleted: null };
  if (db.DbiResourceId !== job.restored?.resourceId) {
    throw new PipelineError('UnexpectedDBInstance', `${staging} is held by a DB instance this run did not restore (${db.DbiResourceId}); it is left alone.`);
  }
  if (db.DBInstanceStatus !== 'deleting') await deleteInstance(db);
  return { deleted: staging };
}

export interface ClusterDeleteEvent {
  readonly op: 'old-members' | 'old-cluster' | 'partial-members' | 'partial-cluster';
  readonly job: Job;
  /** `old-members`, `old-cluster`: what happens to the old cluster. */
  readonly oldDatabase?: OldDatabaseHandling;
  /** `old-cluster` with a final snapshot: the execution's start time, which names it. */
  readonly startedAt?: string;
}

/** The restored cluster must be available, with every original member available under its identifier. */
async function verifiedReplacement(job: Job): Promise<void> {
  const original = job.original as OriginalCluster;
  const cluster = await findCluster(job.identifier);
  const members = cluster ? new Map((await clusterMembers(cluster)).map((m) => [m.DBInstanceIdentifier, m])) : new Map();
  const ok = cluster?.DbClusterResourceId === job.restored?.resourceId && cluster?.Status === 'available'
    && original.members.every((m) => members.get(m.identifier)?.DBInstanceStatus === 'available');
  if (!ok) {
    throw new PipelineError('ReplacementNotVerified',
      `${job.identifier} is not the available restored cluster with all its members (${cluster?.Status ?? 'absent'}); the original is kept.`);
  }
}

/** The old members: never a final snapshot (Aurora refuses one for a member; the cluster's covers them). */
async function deleteOldMembers(job: Job, handling: OldDatabaseHandling): Promise<{ deleted: string[] }> {
  await verifiedReplacement(job);
  const deleted: string[] = [];
  for (const m of (job.original as OriginalCluster).members) {
    const temp = tempIdentifier(m.identifier);
    const old = await findInstance(temp);
    if (!old) continue;
    if (old.DbiResourceId !== m.resourceId) {
      throw new PipelineError('UnexpectedDBInstance', `${temp} is not the original member ${m.identifier} (${old.DbiResourceId}); it is left alone.`);
    }
    if (old.DBInstanceStatus !== 'deleting') await deleteInstance(old, { deleteAutomatedBackups: handling.deleteAutomatedBackups });
    deleted.push(temp);
  }
  return { deleted };
}

/** Without options (rollback): no final snapshot, and RDS's default for the automated backups (deleted). */
async function deleteCluster(cluster: DBCluster, opts?: DeleteOptions): Promise<void> {
  const id = cluster.DBClusterIdentifier!;
  if (cluster.Status === 'deleting') return;
  if (cluster.DeletionProtection) {
    await attempt(`Turning off deletion protection on cluster ${id}`, () => rds().send(new ModifyDBClusterCommand({
      DBClusterIdentifier: id, DeletionProtection: false, ApplyImmediately: false,
    })));
  }
  try {
    await rds().send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, ...(opts ? deleteFields(opts) : { SkipFinalSnapshot: true }) }));
  } catch (err) {
    if (isFault(err, 'DBClusterNotFoundFault', 'DBClusterNotFound')) return;
    if (opts?.finalSnapshot && isFault(err, 'InvalidDBClusterStateFault', 'InvalidDBClusterState')) {
      const status = (await findCluster(id))?.Status ?? 'absent';
      if (status !== 'available' && status !== 'deleting') throw notYetForFinalSnapshot(`DB cluster ${id}`, status);
    }
    throw classify(err, `Deleting DB cluster ${id}`);
  }
}

async function deleteOldCluster(e: ClusterDeleteEvent): Promise<{ deleted: string | null; finalSnapshot?: string }> {
  const job = e.job;
  const handling = e.oldDatabase ?? DEFAULT_HANDLING;
  const finalSnapshot = finalSnapshotFor(job.identifier, handling, e.startedAt);
  const named = finalSnapshot ? { finalSnapshot } : {};
  await verifiedReplacement(job);
  const original = job.original as OriginalCluster;
  const temp = tempIdentifier(job.identifier);
  const old = await findCluster(temp);
  if (!old) return { deleted: null, ...named };
  if (old.DbClusterResourceId !== original.resourceId) {
    throw new PipelineError('UnexpectedDBCluster', `${temp} is not the original cluster (${old.DbClusterResourceId}); it is left alone.`);
  }
  if (finalSnapshot && old.Status !== 'available' && old.Status !== 'deleting') throw notYetForFinalSnapshot(`old DB cluster ${temp}`, old.Status ?? 'unknown');
  await deleteCluster(old, { finalSnapshot, deleteAutomatedBackups: handling.deleteAutomatedBackups });
  return { deleted: temp, ...named };
}

/**
 * The final snapshot of the old DB (cluster), once it is available: it must be
 * of the original (by resource id). Tagged like the pipeline's snapshots, but
 * without `trapheus:source-identifier` = the identifier, so refresh never prunes
 * it: `trapheus:final-snapshot-of` = the identifier, `trapheus:pipeline` = this
 * pipeline. A `trapheus:source-identifier` copied from the DB's own tags
 * (CopyTagsToSnapshot) is overwritten with a value no identifier can have.
 */
async function tagFinalSnapshot(e: FinalSnapshotEvent): Promise<{ id: string; arn?: string; status?: string; of: string; takenOf: string }> {
  const noun = e.isCluster ? 'cluster snapshot' : 'snapshot';
  let found: { arn?: string; status?: string; resourceId?: string; tags?: Tag[] } | undefined;
  try {
    if (e.isCluster) {
      const out = await rds().send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: e.snapshotId }));
      const s = out.DBClusterSnapshots?.[0];
      found = s && { arn: s.DBClusterSnapshotArn, status: s.Status, resourceId: s.DbClusterResourceId, tags: s.TagList };
    } else {
      const out = await rds().send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: e.snapshotId }));
      const s = out.DBSnapshots?.[0];
      found = s && { arn: s.DBSnapshotArn, status: s.Status, resourceId: s.DbiResourceId, tags: s.TagList };
    }
  } catch (err) {
    if (!isFault(err, 'DBSnapshotNotFoundFault', 'DBSnapshotNotFound', 'DBClusterSnapshotNotFoundFault', 'DBClusterSnapshotNotFound')) {
      throw classify(err, `Describing the final ${noun} ${e.snapshotId}`);
    }
  }
  if (!found) {
    throw new PipelineError('FinalSnapshotMissing', `The final ${noun} ${e.snapshotId} of ${e.temp} was not found.`);
  }
  if (found.resourceId !== e.sourceResourceId) {
    throw new PipelineError('UnexpectedSnapshot',
      `The ${noun} ${e.snapshotId} is not of the original ${e.identifier} (${found.resourceId}); it is left untagged.`);
  }
  const tags: Tag[] = [{ Key: TAG_FINAL_SNAPSHOT_OF, Value: e.identifier }, { Key: TAG_PIPELINE, Value: pipelineId() }];
  if ((found.tags ?? []).some((t) => t.Key === TAG_SOURCE)) tags.push({ Key: TAG_SOURCE, Value: `final-snapshot-of:${e.identifier}` });
  await attempt(`Tagging the final ${noun} ${e.snapshotId}`, () => rds().send(new AddTagsToResourceCommand({ ResourceName: found!.arn, Tags: tags })));
  return { id: e.snapshotId, arn: found.arn, status: found.status, of: e.identifier, takenOf: e.temp };
}

/** The cluster under the identifier, if it is the one this run restored; undefined if there is none or it is the original. */
async function partialCluster(job: Job): Promise<DBCluster | undefined> {
  const cluster = await findCluster(job.identifier);
  if (!cluster || cluster.DbClusterResourceId === job.original?.resourceId) return undefined;
  if (cluster.DbClusterResourceId !== job.restored?.resourceId) {
    throw new PipelineError('UnexpectedDBCluster',
      `${job.identifier} is held by a DB cluster this pipeline did not create (${cluster.DbClusterResourceId}); it is left alone.`);
  }
  return cluster;
}

async function deletePartialMembers(job: Job): Promise<{ deleted: string[] }> {
  const cluster = await partialCluster(job);
  if (!cluster) return { deleted: [] };
  const deleted: string[] = [];
  for (const db of await clusterMembers(cluster)) {
    if (db.DBInstanceStatus !== 'deleting') await deleteInstance(db);
    deleted.push(db.DBInstanceIdentifier!);
  }
  return { deleted };
}

async function deletePartialCluster(job: Job): Promise<{ deleted: string | null }> {
  const cluster = await partialCluster(job);
  if (!cluster) return { deleted: null };
  await deleteCluster(cluster);
  return { deleted: job.identifier };
}

export const handler = logged('delete', async (event: DeleteEvent | ClusterDeleteEvent | StagedDeleteEvent): Promise<unknown> => {
  switch (event.op) {
    case 'old': return deleteOld(event);
    case 'partial': return deletePartial(event);
    case 'staged': return deleteStaged(event.job);
    case 'final-snapshot': return tagFinalSnapshot(event);
    case 'old-members': return deleteOldMembers(event.job, event.oldDatabase ?? DEFAULT_HANDLING);
    case 'old-cluster': return deleteOldCluster(event);
    case 'partial-members': return deletePartialMembers(event.job);
    case 'partial-cluster': return deletePartialCluster(event.job);
  }
});
