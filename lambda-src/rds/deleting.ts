import { DBCluster, DBInstance, DeleteDBClusterCommand, DeleteDBInstanceCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { rds } from './client';
import { findCluster } from './clusters';
import { attempt, classify, isFault, PipelineError } from './errors';
import { findInstance } from './instances';
import { OLD_DATABASE_BUSY } from '../../src/error-names';

/** How the delete steps delete a DB instance or cluster, and name a final snapshot (shared by lambda-src/delete.lambda.ts and staged-cluster-delete.ts). */

/**
 * What happens to the old DB, as the construct's `oldDatabase` and
 * `deleteOldAutomatedBackups` props say (in the task payload). Without it:
 * no final snapshot, automated backups kept.
 */
export interface OldDatabaseHandling {
  readonly finalSnapshot: boolean;
  readonly deleteAutomatedBackups: boolean;
}

export const DEFAULT_HANDLING: OldDatabaseHandling = { finalSnapshot: false, deleteAutomatedBackups: false };

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
export function finalSnapshotFor(identifier: string, handling: OldDatabaseHandling, startedAt: string | undefined): string | undefined {
  if (!handling.finalSnapshot) return undefined;
  if (!startedAt) throw new PipelineError('InvalidDeleteEvent', 'A final snapshot needs the execution start time (startedAt)');
  return finalSnapshotIdentifier(identifier, startedAt);
}

/**
 * RDS takes a final snapshot only of an `available` DB instance or cluster: a
 * `backing-up` one (after a rename or a restore, or in its backup window) is
 * refused, "not currently in the available state". The state machine retries.
 */
export function notYetForFinalSnapshot(what: string, status: string): PipelineError {
  return new PipelineError(OLD_DATABASE_BUSY,
    `The ${what} is ${status}; RDS takes its final snapshot only once it is available, so its deletion is retried.`);
}

export interface DeleteOptions {
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

export async function deleteInstance(db: DBInstance, opts: DeleteOptions = { deleteAutomatedBackups: false }): Promise<void> {
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

/** Without options (rollback): no final snapshot, and RDS's default for the automated backups (deleted). */
export async function deleteCluster(cluster: DBCluster, opts?: DeleteOptions): Promise<void> {
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

