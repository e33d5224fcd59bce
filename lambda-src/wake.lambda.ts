import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { log, logged } from './rds/log';
import { readWaiters, removeWaiters } from './rds/wake-tokens';

/**
 * An RDS event as EventBridge delivers it (RDS User Guide, "Overview of events
 * for Amazon RDS", the example events): `detail.SourceIdentifier` names the
 * instance, cluster or snapshot, `detail.SourceArn` its ARN, `detail.EventID`
 * the event (`RDS-EVENT-0043`).
 */
export interface RdsEvent {
  readonly 'source'?: string;
  readonly 'detail-type'?: string;
  readonly 'time'?: string;
  readonly 'detail'?: { SourceIdentifier?: string; SourceArn?: string; EventID?: string; Message?: string; Date?: string };
}

export interface WakeResult {
  /** The identifiers looked up. */
  readonly identifiers: string[];
  /** Sleeping waits resumed. */
  readonly woken: number;
  /** Waiters dropped: ended already, or their execution has moved on. */
  readonly dropped: number;
}

/** SendTaskSuccess errors meaning the task no longer waits for this token (Step Functions API Reference, SendTaskSuccess). */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

let sfn: SFNClient | undefined;

/**
 * The identifiers an event is about. The user guide's example shows
 * `SourceIdentifier` as `rds:my-db-instance` while `SourceArn` ends in
 * `db:my-db-instance`; both readings are looked up (an automated snapshot's
 * own name starts with `rds:`, so the prefix is not stripped blindly).
 */
export function eventIdentifiers(e: RdsEvent): string[] {
  const d = e.detail ?? {};
  const fromArn = /^arn:[^:]+:rds:[^:]*:\d*:(?:db|cluster|snapshot|cluster-snapshot):(.+)$/.exec(d.SourceArn ?? '')?.[1];
  return [...new Set([d.SourceIdentifier, fromArn]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .map((x) => x.toLowerCase()))];
}

/**
 * The target of the readiness-events rule: an RDS event about a database or
 * snapshot resumes every wait sleeping on it (SendTaskSuccess with how long it
 * slept: from the task's start to the event's Date), so that its status check
 * runs now instead of at the end of the sleep. An event never ends a wait by
 * itself: the check decides, and a wait woken too early sleeps again. Waiters
 * whose task has ended are dropped.
 * Best effort: a failure is logged, and the sleep ends by its timeout.
 */
export const handler = logged('wake', async (e: RdsEvent): Promise<WakeResult> => {
  const identifiers = eventIdentifiers(e);
  // When RDS reported the change (the event's Date): the sleep lasted until then, and a sleep that had ended before it is gone.
  const reported = Date.parse(e.detail?.Date ?? e.time ?? '');
  const now = Math.floor((Number.isFinite(reported) ? reported : Date.now()) / 1000);
  let woken = 0;
  let dropped = 0;
  sfn ??= new SFNClient({});
  for (const id of identifiers) {
    const waiters = await readWaiters(id);
    const done: string[] = [];
    for (const { stored, waiter } of waiters) {
      if (waiter.until < now) {
        done.push(stored);
        continue;
      }
      try {
        await sfn.send(new SendTaskSuccessCommand({
          taskToken: waiter.token,
          output: JSON.stringify({ slept: Math.max(0, now - waiter.since), event: e.detail?.EventID ?? null }),
        }));
        woken += 1;
        done.push(stored);
      } catch (err) {
        const name = (err as Error)?.name;
        if (GONE.has(name)) done.push(stored);
        else log('ERROR', { handler: 'wake', message: 'the wait was not woken; it ends by its timeout', identifier: id, error: name });
      }
    }
    dropped += done.length;
    await removeWaiters(id, done);
  }
  log('INFO', { handler: 'wake', event: e.detail?.EventID, identifiers, woken });
  return { identifiers, woken, dropped: dropped - woken };
});
