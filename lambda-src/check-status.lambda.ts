import { DBInstance } from '@aws-sdk/client-rds';
import { WAIT_TIMED_OUT } from '../src/error-names';
import { PipelineError } from './rds/errors';
import { FAILED_STATUSES, findInstance, findInstanceByResourceId, isTransitional } from './rds/instances';
import { findSnapshot } from './rds/snapshots';

/** How a wait polls: seconds, from the construct's props. */
export interface PollPolicy {
  readonly first: number;
  readonly max: number;
  readonly rate: number;
  readonly maxWait: number;
}

export interface WaitProgress {
  /** Seconds waited so far (including the Wait just done). */
  readonly elapsed: number;
  /** The Wait before this check, in seconds. */
  readonly interval: number;
}

export interface CheckEvent {
  /** What is waited for, in words, for messages: "renamed instance". */
  readonly subject: string;
  readonly resource: 'instance' | 'snapshot';
  readonly identifier?: string;
  /**
   * With `available`: the instance must be this one (found by resource id when there is no identifier).
   * With `gone`: the identifier also counts as free when this instance holds it.
   */
  readonly resourceId?: string;
  readonly until: 'available' | 'settled' | 'gone';
  readonly wait: WaitProgress;
  readonly policy: PollPolicy;
}

export interface CheckResult extends WaitProgress {
  readonly done: boolean;
  readonly status: string;
}

async function instanceState(e: CheckEvent): Promise<{ done: boolean; status: string }> {
  const db: DBInstance | undefined = e.identifier
    ? await findInstance(e.identifier)
    : await findInstanceByResourceId(e.resourceId!);
  const status = db ? db.DBInstanceStatus ?? 'unknown' : 'absent';
  const isExpected = !e.resourceId || db?.DbiResourceId === e.resourceId;
  switch (e.until) {
    case 'gone':
      return { done: !db || (!!e.resourceId && isExpected), status };
    case 'settled':
      return { done: !db || !isTransitional(db.DBInstanceStatus), status };
    case 'available':
      if (db && isExpected && FAILED_STATUSES.has(status)) {
        throw new PipelineError('DBInstanceFailed', `The ${e.subject} ${db.DBInstanceIdentifier} entered status ${status}, which it will not leave by itself.`);
      }
      return {
        done: !!db && isExpected && status === 'available' && !db.PendingModifiedValues?.DBInstanceIdentifier,
        status: db && !isExpected ? `${status} (another DB instance)` : status,
      };
  }
}

async function snapshotState(e: CheckEvent): Promise<{ done: boolean; status: string }> {
  const s = await findSnapshot(e.identifier!);
  const status = s?.Status ?? 'absent';
  if (e.until === 'gone') return { done: !s, status };
  if (status === 'failed' || status === 'error' || (e.until === 'available' && !s)) {
    throw new PipelineError('SnapshotFailed', `The ${e.subject} ${e.identifier} is ${status}.`);
  }
  return { done: status === 'available', status };
}

function minutes(seconds: number): string {
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${Math.round(seconds / 60)} min`;
}

/**
 * The one status check every wait uses. It says whether the wait is over, and
 * the next poll interval (back-off); past the maximum wait it raises
 * `WaitTimedOut`, which sends the execution to its failure path.
 */
export async function handler(e: CheckEvent): Promise<CheckResult> {
  const { done, status } = e.resource === 'instance' ? await instanceState(e) : await snapshotState(e);
  const elapsed = e.wait.elapsed + e.wait.interval;
  if (!done && elapsed >= e.policy.maxWait) {
    throw new PipelineError(WAIT_TIMED_OUT,
      `Waited ${minutes(elapsed)} for the ${e.subject} ${e.identifier ?? e.resourceId} to be ${e.until}; it is still ${status}.`);
  }
  const next = Math.min(e.policy.max, Math.max(1, Math.round(e.wait.interval * e.policy.rate)), Math.max(1, e.policy.maxWait - elapsed));
  return { done, status, elapsed, interval: next };
}
