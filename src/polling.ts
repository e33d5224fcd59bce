import { Duration } from 'aws-cdk-lib';
import { nextInterval, PollPolicy, usefulExpectation, wakeableSleep } from './poll-schedule';

export type { PollPolicy } from './poll-schedule';

/** How every wait of the pipeline polls. */
export interface PollingOptions {
  /**
   * The first interval between status checks.
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
  /**
   * The longest interval between status checks; the interval grows by
   * `pollBackoffRate` up to this.
   * @default Duration.minutes(5)
   */
  readonly maxPollInterval?: Duration;
  /**
   * How much the interval grows after each check (1 = no back-off).
   * @default 1.5
   */
  readonly pollBackoffRate?: number;
  /**
   * The longest any one wait may last (a rename, a restore, a deletion...).
   * Past it the execution takes its failure path (rollback when the database
   * was renamed). A restore that takes 3 hours fits the default.
   * @default Duration.hours(6)
   */
  readonly maxWait?: Duration;
  /**
   * Wake a sleeping wait as soon as RDS reports a change of what it waits for:
   * an EventBridge rule on the RDS events of DB instances, clusters and their
   * snapshots (created, restored, deleted, backed up, renamed...) ends the
   * wait's long sleeps (from 2 minutes: the learned sleep, the long back-off
   * intervals) at once, and the status check runs. RDS events are best
   * effort: a sleep no event ends lasts its interval, as without events.
   * Adds two functions (sleep, wake) and the rule. Past half of `maxWait` a
   * wait polls with Wait states only (a callback sleep has 4 history events
   * more: the history limit holds for every wait at `maxWait`).
   * @default true
   */
  readonly wakeOnRdsEvents?: boolean;
}

/** Step Functions' limit of events in one Standard execution's history. */
export const HISTORY_EVENT_LIMIT = 25_000;
/** History events one poll costs: Wait (2), Lambda Task (5), Choice (2). */
export const EVENTS_PER_POLL = 9;
/**
 * History events a callback sleep costs more than a Wait state: a Lambda
 * callback task has 6 (entered, scheduled, started, submitted, succeeded or
 * timed out, exited), a Wait 2.
 */
export const CALLBACK_EXTRA_EVENTS = 4;

/** The sleeps of a wait of `maxWait` seconds (each with the seconds waited before it), with a schedule expecting `expected` seconds (or none). */
function intervalsUntilMaxWait(policy: PollPolicy, expected?: number): { elapsed: number; interval: number }[] {
  const out: { elapsed: number; interval: number }[] = [];
  let elapsed = 0;
  let interval = policy.first;
  while (elapsed < policy.maxWait) {
    out.push({ elapsed, interval });
    elapsed += interval;
    interval = nextInterval(policy, { elapsed, interval, expected });
  }
  return out;
}

/**
 * How many history events a wait of `maxWait` seconds costs at most (any
 * history, as `pollsForWait`); with `wake`, its long sleeps in the first half
 * of `maxWait` are callback tasks (`wakeableSleep`).
 */
export function eventsForWait(policy: PollPolicy, wake: boolean): number {
  const cost = (sleeps: { elapsed: number; interval: number }[]) => sleeps
    .reduce((sum, x) => sum + EVENTS_PER_POLL + (wake && wakeableSleep(policy, x.elapsed, x.interval) ? CALLBACK_EXTRA_EVENTS : 0), 0);
  let most = cost(intervalsUntilMaxWait(policy));
  for (let expected = policy.maxWait; usefulExpectation(policy, expected); expected = Math.floor(expected / 2)) {
    most = Math.max(most, cost(intervalsUntilMaxWait(policy, expected)));
  }
  return most;
}

/** How many polls a wait of `maxWait` seconds makes, with a schedule expecting `expected` seconds (or none). */
export function pollsUntilMaxWait(policy: PollPolicy, expected?: number): number {
  return intervalsUntilMaxWait(policy, expected).length;
}

/**
 * How many polls a wait of `maxWait` seconds makes at most: with the back-off,
 * or with any history (a learned wait that runs past its expected duration
 * closes in, then backs off again: a few more polls than the back-off alone).
 */
export function pollsForWait(policy: PollPolicy): number {
  let most = pollsUntilMaxWait(policy);
  for (let expected = policy.maxWait; usefulExpectation(policy, expected); expected = Math.floor(expected / 2)) {
    most = Math.max(most, pollsUntilMaxWait(policy, expected));
  }
  return most;
}

/**
 * Resolve and check the polling props. `waitsInOneRun` is how many waits the
 * longest path through the state machine has, so that even if every one of
 * them ran to `maxWait` the execution stays far below the history limit.
 */
export function resolvePolling(options: PollingOptions, waitsInOneRun: number): PollPolicy {
  const seconds = (d: Duration) => d.toMilliseconds() / 1000;
  const first = seconds(options.pollInterval ?? Duration.seconds(30));
  const max = seconds(options.maxPollInterval ?? Duration.minutes(5));
  const rate = options.pollBackoffRate ?? 1.5;
  const maxWait = seconds(options.maxWait ?? Duration.hours(6));
  if (first < 1 || !Number.isInteger(first)) throw new Error(`pollInterval must be a whole number of seconds, at least 1 (got ${first} s)`);
  if (!Number.isInteger(max) || !Number.isInteger(maxWait)) throw new Error('maxPollInterval and maxWait must be whole numbers of seconds');
  if (max < first) throw new Error(`maxPollInterval (${max} s) must be at least pollInterval (${first} s)`);
  if (!(rate >= 1 && rate <= 10)) throw new Error(`pollBackoffRate must be between 1 and 10 (got ${rate})`);
  if (maxWait < first) throw new Error(`maxWait (${maxWait} s) must be at least pollInterval (${first} s)`);
  if (maxWait > 7 * 24 * 3600) throw new Error(`maxWait must be at most 7 days (got ${maxWait} s)`);
  const policy = { first, max, rate, maxWait };
  const events = eventsForWait(policy, options.wakeOnRdsEvents ?? true) * waitsInOneRun;
  if (events > HISTORY_EVENT_LIMIT * 0.8) {
    throw new Error(`maxWait / maxPollInterval allow ${events} history events in one execution, past 80% of Step Functions' ${HISTORY_EVENT_LIMIT}: `
      + 'raise maxPollInterval or pollBackoffRate, or lower maxWait');
  }
  return policy;
}
