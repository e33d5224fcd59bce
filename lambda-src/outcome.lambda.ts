import type { DBInstance } from '@aws-sdk/client-rds';
import { findInstance } from './rds/instances';
import { errorMessage, Job } from './rds/job';
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

export interface OutcomeEvent {
  readonly phase: Phase;
  readonly job: Job;
}

export interface Outcome {
  /** The original error's name: what the execution fails with. */
  readonly error: string;
  /** What failed, and what state the database was left in. */
  readonly cause: string;
  readonly phase: Phase;
}

async function state(identifier: string): Promise<{ db?: DBInstance; text: string }> {
  try {
    const db = await findInstance(identifier);
    return { db, text: db ? `${identifier} is ${db.DBInstanceStatus}` : `${identifier} does not exist` };
  } catch (err) {
    return { text: `${identifier} could not be described (${(err as Error).name})` };
  }
}

/** The execution's final error and cause. It never throws: the report must get out. */
export async function handler(event: OutcomeEvent): Promise<Outcome> {
  const { job, phase } = event;
  const error = job.error?.Error ?? 'Unknown';
  const what = errorMessage(job.error).replace(/\.?\s*$/, '.');
  const id = job.identifier;
  const temp = job.temp?.identifier ?? (typeof id === 'string' ? tempIdentifier(id) : '');
  const originalId = job.original?.resourceId;
  let left: string;
  switch (phase) {
    case 'refused':
      left = 'The input was refused before any RDS call; nothing was changed.';
      break;
    case 'unchanged':
      left = `${id} was not changed.`
        + (job.snapshot?.created ? ` Snapshot ${job.snapshot.id} was kept.` : '');
      break;
    case 'rolled-back': {
      const now = await state(id);
      left = now.db?.DbiResourceId === originalId && now.db?.DBInstanceStatus === 'available'
        ? `Rolled back: ${id} is the original DB instance again, available at ${now.db.Endpoint?.Address ?? 'its endpoint'}.`
        : `Rollback finished but needs attention: ${now.text}${now.db && now.db.DbiResourceId !== originalId ? ' and is not the original' : ''}.`;
      break;
    }
    case 'rollback-failed': {
      const [main, old] = await Promise.all([state(id), state(temp)]);
      const holder = old.db?.DbiResourceId === originalId ? temp : main.db?.DbiResourceId === originalId ? id : undefined;
      left = `ROLLBACK FAILED (${errorMessage(job.rollbackError)}): needs attention. Now ${main.text}; ${old.text}.`
        + (holder ? ` The original DB instance is ${holder}.` : ' The original DB instance was not found under either name.')
        + (holder === temp ? ` To recover, once ${id} is free, rename ${temp} back to ${id}.` : '');
      break;
    }
    case 'restored': {
      const [main, old] = await Promise.all([state(id), state(temp)]);
      left = `No rollback: the restored DB serves as ${id} (${main.text}). The original is kept as ${temp} (${old.text}); delete it once you no longer need it.`;
      break;
    }
  }
  const outcome = { error, cause: `${what} ${left}`, phase };
  console.log(JSON.stringify({ level: 'ERROR', identifier: id, task: job.task, ...outcome }));
  return outcome;
}
