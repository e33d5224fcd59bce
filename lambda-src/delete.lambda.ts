import {
  DBCluster, DBInstance, DeleteDBClusterCommand, DeleteDBInstanceCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { clusterMembers, findCluster } from './rds/clusters';
import { attempt, isFault, PipelineError } from './rds/errors';
import { findInstance } from './rds/instances';
import type { Job, OriginalCluster } from './rds/job';
import { logged } from './rds/log';
import { tempIdentifier } from './rds/naming';

export type DeleteEvent =
  /** The renamed original, once its replacement is verified. */
  | { op: 'old'; identifier: string; temp: string; originalResourceId: string; restoredResourceId: string }
  /** Rollback: the partly restored DB under the original identifier. */
  | { op: 'partial'; job: Job };

async function deleteInstance(db: DBInstance): Promise<void> {
  const id = db.DBInstanceIdentifier!;
  if (db.DeletionProtection) {
    await attempt(`Turning off deletion protection on ${id}`, () => rds().send(new ModifyDBInstanceCommand({
      // Deletion protection changes at once whatever ApplyImmediately says; false keeps
      // any other pending modification from starting (and blocking the delete).
      DBInstanceIdentifier: id, DeletionProtection: false, ApplyImmediately: false,
    })));
  }
  try {
    await rds().send(new DeleteDBInstanceCommand({
      DBInstanceIdentifier: id, SkipFinalSnapshot: true, DeleteAutomatedBackups: false,
    }));
  } catch (err) {
    if (isFault(err, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return; // deleted by an earlier attempt
    if (isFault(err, 'InvalidDBInstanceStateFault', 'InvalidDBInstanceState') && (await findInstance(id))?.DBInstanceStatus === 'deleting') return;
    return attempt(`Deleting DB instance ${id}`, () => Promise.reject(err));
  }
}

/** Delete the renamed original only when the DB under its identifier is the verified, available replacement. */
async function deleteOld(e: Extract<DeleteEvent, { op: 'old' }>): Promise<{ deleted: string | null }> {
  const replacement = await findInstance(e.identifier);
  if (replacement?.DbiResourceId !== e.restoredResourceId || replacement.DBInstanceStatus !== 'available') {
    throw new PipelineError('ReplacementNotVerified',
      `${e.identifier} is not the available restored DB (${replacement?.DBInstanceStatus ?? 'absent'}); the original ${e.temp} is kept.`);
  }
  const old = await findInstance(e.temp);
  if (!old) return { deleted: null };
  if (old.DbiResourceId !== e.originalResourceId) {
    throw new PipelineError('UnexpectedDBInstance', `${e.temp} is not the original DB instance (${old.DbiResourceId}); it is left alone.`);
  }
  if (old.DBInstanceStatus === 'deleting') return { deleted: e.temp };
  await deleteInstance(old);
  return { deleted: e.temp };
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
export interface ClusterDeleteEvent {
  readonly op: 'old-members' | 'old-cluster' | 'partial-members' | 'partial-cluster';
  readonly job: Job;
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

async function deleteOldMembers(job: Job): Promise<{ deleted: string[] }> {
  await verifiedReplacement(job);
  const deleted: string[] = [];
  for (const m of (job.original as OriginalCluster).members) {
    const temp = tempIdentifier(m.identifier);
    const old = await findInstance(temp);
    if (!old) continue;
    if (old.DbiResourceId !== m.resourceId) {
      throw new PipelineError('UnexpectedDBInstance', `${temp} is not the original member ${m.identifier} (${old.DbiResourceId}); it is left alone.`);
    }
    if (old.DBInstanceStatus !== 'deleting') await deleteInstance(old);
    deleted.push(temp);
  }
  return { deleted };
}

async function deleteCluster(cluster: DBCluster): Promise<void> {
  const id = cluster.DBClusterIdentifier!;
  if (cluster.Status === 'deleting') return;
  if (cluster.DeletionProtection) {
    await attempt(`Turning off deletion protection on cluster ${id}`, () => rds().send(new ModifyDBClusterCommand({
      DBClusterIdentifier: id, DeletionProtection: false, ApplyImmediately: false,
    })));
  }
  try {
    await rds().send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true }));
  } catch (err) {
    if (isFault(err, 'DBClusterNotFoundFault', 'DBClusterNotFound')) return;
    return attempt(`Deleting DB cluster ${id}`, () => Promise.reject(err));
  }
}

async function deleteOldCluster(job: Job): Promise<{ deleted: string | null }> {
  await verifiedReplacement(job);
  const original = job.original as OriginalCluster;
  const temp = tempIdentifier(job.identifier);
  const old = await findCluster(temp);
  if (!old) return { deleted: null };
  if (old.DbClusterResourceId !== original.resourceId) {
    throw new PipelineError('UnexpectedDBCluster', `${temp} is not the original cluster (${old.DbClusterResourceId}); it is left alone.`);
  }
  await deleteCluster(old);
  return { deleted: temp };
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

export const handler = logged('delete', async (event: DeleteEvent | ClusterDeleteEvent): Promise<unknown> => {
  switch (event.op) {
    case 'old': return deleteOld(event);
    case 'partial': return deletePartial(event);
    case 'old-members': return deleteOldMembers(event.job);
    case 'old-cluster': return deleteOldCluster(event.job);
    case 'partial-members': return deletePartialMembers(event.job);
    case 'partial-cluster': return deletePartialCluster(event.job);
  }
});
