import { clusterMembers, findCluster } from './rds/clusters';
import { findInstance } from './rds/instances';
import { errorMessage, Job } from './rds/job';
import { log, logged } from './rds/log';
import { tempIdentifier } from './rds/naming';

/**
 * Where the failure path ended:
 * - `refused`: the input was invalid; no RDS call was made;
 * - `unchanged`: failed before the rename; the database was not touched;
 * - `rolled-back`: failed between the rename and a verified restore; rollback finished;
 * - `rollback-failed`: as above, but the rollback itself failed;
 * - `restored`: failed after the restored DB became available; no rollback.
 */
export type Phase = 'refused' | 'unchanged' | 'rolled-back' | 'rollback-failed' | 'restored';

/** What the delete steps put in the job: the final snapshot asked for, if the old-database policy wants one. */
interface DeleteResults {
  readonly deletedOld?: { readonly finalSnapshot?: string };
  readonly deletedOldCluster?: { readonly finalSnapshot?: string };
}

export interface OutcomeEvent {
  readonly phase: Phase;
  readonly job: Job & DeleteResults;
}

export interface Outcome {
  /** The original error's name: what the execution fails with. */
  readonly error: string;
  /** What failed, and what state the database was left in. */
  readonly cause: string;
  readonly phase: Phase;
}

/** What is under `identifier` now: its resource id, whether it serves, and a sentence. */
interface Found { resourceId?: string; available: boolean; status?: string; endpoint?: string; text: string }

async function instanceState(identifier: string): Promise<Found> {
  const db = await findInstance(identifier);
  if (!db) return { available: false, text: `${identifier} does not exist` };
  return {
    resourceId: db.DbiResourceId,
    available: db.DBInstanceStatus === 'available',
    status: db.DBInstanceStatus,
    endpoint: db.Endpoint?.Address,
    text: `${identifier} is ${db.DBInstanceStatus}`,
  };
}

async function clusterState(identifier: string): Promise<Found> {
  const cluster = await findCluster(identifier);
  if (!cluster) return { available: false, text: `cluster ${identifier} does not exist` };
  const members = await clusterMembers(cluster);
  const list = members.map((m) => `${m.DBInstanceIdentifier} ${m.DBInstanceStatus}`).join(', ') || 'none';
  return {
    resourceId: cluster.DbClusterResourceId,
    available: cluster.Status === 'available' && members.every((m) => m.DBInstanceStatus === 'available'),
    status: cluster.Status,
    endpoint: cluster.Endpoint,
    text: `cluster ${identifier} is ${cluster.Status} (members: ${list})`,
  };
}

async function state(identifier: string, isCluster: boolean): Promise<Found> {
  try {
    return await (isCluster ? clusterState(identifier) : instanceState(identifier));
  } catch (err) {
    return { available: false, text: `${identifier} could not be described (${(err as Error).name})` };
  }
}

/**
 * This run's copy of a snapshot shared from another account: deleted only after
 * a successful restore, so every failure after the copy leaves it, and says so.
 */
function copyLeft(job: Job): string {
  const s = job.snapshot;
  return s?.copyOf ? ` The copy ${s.id} of the shared snapshot ${s.copyOf} is left in this account: `
    + 'the next successful db_restore from a shared snapshot deletes it (unless keepSnapshotCopies).' : '';
}

/** The execution's final error and cause. It never throws: the report must get out. */
export const handler = logged('outcome', async (event: OutcomeEvent): Promise<Outcome> => {
  const { job, phase } = event;
  const error = job.error?.Error ?? 'Unknown';
  const what = errorMessage(job.error).replace(/\.?\s*$/, '.');
  // A DNS alias: the original kept its identifier (dns.serving), the restored DB has the other one (dns.next)
  const id = job.dns && phase !== 'unchanged' ? (phase === 'restored' ? job.dns.next : job.dns.serving) : job.identifier;
  const temp = job.dns ? (phase === 'restored' ? job.dns.serving : job.dns.next) : job.temp?.identifier ?? (typeof id === 'string' ? tempIdentifier(id) : '');
  const originalId = job.original?.resourceId;
  const cluster = job.isCluster === true;
  const noun = cluster ? 'DB cluster' : 'DB instance';
  let left: string;
  switch (phase) {
    case 'refused':
      left = 'The input was refused before any RDS call; nothing was changed.';
      break;
    case 'unchanged':
      left = `${id} was not changed.`
        + (job.snapshot?.created && !job.snapshot.copyOf ? ` Snapshot ${job.snapshot.id} was kept.` : '');
      break;
    case 'rolled-back': {
      const now = await state(id, cluster);
      left = now.resourceId === originalId && now.available
        ? `Rolled back: ${id} is the original ${noun} again, available at ${now.endpoint ?? 'its endpoint'}.`
        : `Rollback finished but needs attention: ${now.text}${now.resourceId && now.resourceId !== originalId ? ' and is not the original' : ''}.`;
      break;
    }
    case 'rollback-failed': {
      // a staged copy (cutover RESTORE_THEN_SWAP) that is still there is named too
      const staging = job.original?.staging && job.original.staging !== temp ? job.original.staging : undefined;
      const [main, old, staged] = await Promise.all([state(id, cluster), state(temp, cluster), staging ? state(staging, cluster) : undefined]);
      const holder = old.resourceId === originalId ? temp : main.resourceId === originalId ? id : undefined;
      left = `ROLLBACK FAILED (${errorMessage(job.rollbackError)}): needs attention. Now ${main.text}; ${old.text}${staged?.resourceId ? `; the staged copy: ${staged.text}` : ''}.`
        + (holder ? ` The original ${noun} is ${holder}.` : ` The original ${noun} was not found under either name.`)
        + (holder === temp ? ` To recover, once ${id} is free, rename ${temp} back to ${id}${cluster ? ' (and each member <name>-trapheus-old back to <name>)' : ''}.` : '');
      break;
    }
    case 'restored': {
      const [main, old] = await Promise.all([state(id, cluster), state(temp, cluster)]);
      const finalSnapshot = job.deletedOld?.finalSnapshot ?? job.deletedOldCluster?.finalSnapshot;
      const kept = old.resourceId !== originalId
        ? `The original ${temp} is no longer there (${old.text}).`
        : old.status === 'deleting'
          ? `The original ${temp} is being deleted (${old.text}).`
          : `The original is kept as ${temp} (${old.text}); delete it once you no longer need it.`;
      const snapshot = finalSnapshot ? ` Its final ${cluster ? 'cluster snapshot' : 'snapshot'} was requested as ${finalSnapshot}.` : '';
      left = `No rollback: the restored ${noun} serves as ${id} (${main.text}). ${kept}${snapshot}`;
      break;
    }
  }
  const outcome = { error, cause: `${what} ${left}${copyLeft(job)}`, phase };
  log('ERROR', { handler: 'outcome', identifier: id, task: job.task, ...outcome });
  return outcome;
});
