import { DBInstance, DeleteDBInstanceCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { attempt, isFault, PipelineError } from './rds/errors';
import { findInstance } from './rds/instances';
import type { Job } from './rds/job';

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

export async function handler(event: DeleteEvent): Promise<unknown> {
  return event.op === 'old' ? deleteOld(event) : deletePartial(event);
}
