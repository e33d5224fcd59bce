import { AddTagsToResourceCommand, DBCluster, DescribeDBClusterSnapshotsCommand, DescribeDBSnapshotsCommand, Tag } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { clusterMembers, findCluster } from './rds/clusters';
import {
  DEFAULT_HANDLING, deleteCluster, deleteInstance, finalSnapshotFor, notYetForFinalSnapshot, OldDatabaseHandling, TAG_FINAL_SNAPSHOT_OF,
} from './rds/deleting';
import { attempt, classify, isFault, PipelineError } from './rds/errors';
import { findInstance, instanceOf } from './rds/instances';
import type { Job, OriginalCluster } from './rds/job';
import { logged } from './rds/log';
import { TAG_PIPELINE, TAG_SOURCE, tempIdentifier } from './rds/naming';
import { pipelineId } from './rds/snapshots';
import { stagedView } from './rds/staged-cluster';

export { finalSnapshotIdentifier, TAG_FINAL_SNAPSHOT_OF } from './rds/deleting';
export type { OldDatabaseHandling } from './rds/deleting';
import { allows } from './rds/statuses';

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
  /** `staged-partial-…`: rollback of the staged cluster (cutover RESTORE_THEN_SWAP, a DNS alias), under its staging names. */
  readonly op: 'old-members' | 'old-cluster' | 'partial-members' | 'partial-cluster' | 'staged-partial-members' | 'staged-partial-cluster';
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

/**
 * Where the old cluster and its members are, and the job as the replacement's
 * check sees it: renamed to their temporary names; or with a DNS alias, under
 * their own names (the record pointed at them), the replacement being the staged cluster.
 */
function oldLayout(job: Job): { replacement: Job; oldCluster: string; oldMember: (id: string) => string } {
  return job.dns
    ? { replacement: stagedView(job), oldCluster: job.dns.serving, oldMember: (id) => id }
    : { replacement: job, oldCluster: tempIdentifier(job.identifier), oldMember: tempIdentifier };
}

/** The old members: never a final snapshot (Aurora refuses one for a member; the cluster's covers them). */
async function deleteOldMembers(job: Job, handling: OldDatabaseHandling): Promise<{ deleted: string[] }> {
  const layout = oldLayout(job);
  await verifiedReplacement(layout.replacement);
  const deleted: string[] = [];
  for (const m of (job.original as OriginalCluster).members) {
    const temp = layout.oldMember(m.identifier);
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

async function deleteOldCluster(e: ClusterDeleteEvent): Promise<{ deleted: string | null; finalSnapshot?: string }> {
  const job = e.job;
  const handling = e.oldDatabase ?? DEFAULT_HANDLING;
  const finalSnapshot = finalSnapshotFor(job.identifier, handling, e.startedAt);
  const named = finalSnapshot ? { finalSnapshot } : {};
  const layout = oldLayout(job);
  await verifiedReplacement(layout.replacement);
  const original = job.original as OriginalCluster;
  const temp = layout.oldCluster;
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
    case 'staged-partial-members': return deletePartialMembers(stagedView(event.job));
    case 'staged-partial-cluster': return deletePartialCluster(stagedView(event.job));
  }
});
