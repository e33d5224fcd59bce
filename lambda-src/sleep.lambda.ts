import { log, logged } from './rds/log';
import { addWaiter } from './rds/wake-tokens';

export interface SleepEvent {
  /** The callback task's token (`$$.Task.Token`). */
  readonly token: string;
  /** How long the task sleeps unless woken: its TimeoutSecondsPath, the wait's interval. */
  readonly seconds: number;
  /** When the task began (`$$.State.EnteredTime`, ISO 8601). */
  readonly since?: string;
  /** What the wait is for, for the logs: "restored instance". */
  readonly subject?: string;
  /** The identifiers the wait checks: an RDS event about any of them wakes it. */
  readonly identifier?: string;
  readonly identifiers?: string[];
  readonly members?: string[];
}

/**
 * The start of a long sleep of a wait (`lambda:invoke.waitForTaskToken`): leaves
 * the task token under each identifier the wait checks, for the `wake`
 * function, and returns. The task then sleeps until `wake` resumes it or its
 * timeout (the wait's interval) passes; either way the status check follows.
 *
 * Never fails on the table: a token not stored only means no early wake-up
 * (the sleep ends by its timeout, as a Wait state would).
 */
export const handler = logged('sleep', async (e: SleepEvent): Promise<{ registered: string[] }> => {
  const ids = [...new Set([e.identifier, ...(e.identifiers ?? []), ...(e.members ?? [])]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .map((x) => x.toLowerCase()))];
  const entered = Date.parse(e.since ?? '');
  const since = Math.floor((Number.isFinite(entered) ? entered : Date.now()) / 1000);
  const waiter = { token: e.token, since, until: since + Math.max(1, Math.ceil(e.seconds)) };
  const registered: string[] = [];
  for (const id of ids) {
    try {
      await addWaiter(id, waiter);
      registered.push(id);
    } catch (err) {
      log('ERROR', { handler: 'sleep', message: 'the wake-up was not registered; the sleep ends by its timeout', identifier: id, error: (err as Error)?.name });
    }
  }
  return { registered };
});
