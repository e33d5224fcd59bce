/**
 * How a wait polls, step by step: plain TypeScript, shared by the construct
 * (which sizes the history and the timeout with it, `polling.ts`) and the
 * `check-status` handler (which follows it).
 */

/** Resolved polling settings, in seconds. The `check-status` handler gets it in its payload. */
export interface PollPolicy {
  readonly first: number;
  readonly max: number;
  readonly rate: number;
  readonly maxWait: number;
}

/**
 * Learned waits: a wait whose step has a history (the durations of its last
 * runs for this database) sleeps `LEARNED_LEAD` of the expected duration in
 * one go, then closes in on it, polling every `NEAR_INTERVAL` seconds around it.
 */
export const LEARNED_LEAD = 0.85;
/** Seconds between polls around the expected end of a learned wait (at most `pollInterval`). */
export const NEAR_INTERVAL = 20;
/**
 * A wait's interval from which it sleeps in a callback task (woken by RDS
 * events, `wakeOnRdsEvents`) instead of a Wait state: the learned sleep and
 * the long back-off intervals. Shorter polls stay Wait states (a callback
 * costs a Lambda invocation and 4 history events more).
 */
export const WAKE_MIN_SLEEP = 120;

/**
 * Whether a sleep of `interval` seconds, `elapsed` seconds into a wait, is a
 * callback task that RDS events may end (with `wakeOnRdsEvents`): from
 * WAKE_MIN_SLEEP, in the first half of `maxWait`. Past it the wait polls with
 * Wait states only, so that a long wait's history events (a callback costs 4
 * more) stay within Step Functions' limit.
 */
export function wakeableSleep(policy: PollPolicy, elapsed: number, interval: number): boolean {
  return interval >= WAKE_MIN_SLEEP && elapsed < policy.maxWait / 2;
}

/** Where a wait stands after a status check (seconds). */
export interface PollProgress {
  /** Seconds waited so far, the Wait just done included. */
  readonly elapsed: number;
  /** The Wait just done. */
  readonly interval: number;
  /** The expected duration of the wait, from its history (undefined: no history, back-off). */
  readonly expected?: number;
  /**
   * RDS events may end this wait's long sleeps (`wakeOnRdsEvents`), and one
   * ended its last run: a learned wait then sleeps in one go to a margin past
   * its expected end (`wakeMargin`; the event of the resource being ready
   * wakes it), instead of closing in.
   */
  readonly wakeable?: boolean;
}

/**
 * How far past its expected end E a wakeable learned wait sleeps: 5 % of E,
 * at least NEAR_INTERVAL and at most `max`. It covers a run a little slower
 * than its history (the event still ends the sleep); it is the latency when
 * the event goes missing.
 */
export function wakeMargin(policy: PollPolicy, expected: number): number {
  return Math.min(policy.max, Math.max(Math.min(NEAR_INTERVAL, policy.first), Math.round(0.05 * expected)));
}

/** Whether a history's expected duration is worth a learned schedule (else: back-off from `pollInterval`). */
export function usefulExpectation(policy: PollPolicy, expected: number | undefined): expected is number {
  return expected !== undefined && expected >= 2 * policy.first;
}

/**
 * The next interval of a wait. Without history: the last one times the
 * back-off rate, up to `max`. With an expected duration E, at `elapsed` t:
 * - wakeable (an RDS event ends its sleep) and t before E: sleep until
 *   `wakeMargin` past E (one callback sleep, which the event ends);
 * - t well before LEARNED_LEAD × E: sleep until then (one Wait, however long);
 * - then until E: half the time left, at least NEAR_INTERVAL;
 * - past E (this run is slower): a quarter of the overrun, from NEAR_INTERVAL
 *   up to `max`, so a long overrun costs few more polls than the back-off.
 * Never past `maxWait`.
 */
export function nextInterval(policy: PollPolicy, p: PollProgress): number {
  const left = Math.max(1, policy.maxWait - p.elapsed);
  let next: number;
  if (!usefulExpectation(policy, p.expected)) {
    next = Math.min(policy.max, Math.max(1, Math.round(p.interval * policy.rate)));
  } else {
    const near = Math.min(NEAR_INTERVAL, policy.first);
    const e = p.expected;
    const t = p.elapsed;
    if (p.wakeable && t < e) next = Math.round(e + wakeMargin(policy, e) - t);
    else if (t < LEARNED_LEAD * e - near) next = Math.round(LEARNED_LEAD * e - t);
    else if (t < e) next = Math.max(near, Math.round((e - t) / 2));
    else next = Math.min(policy.max, Math.max(near, Math.round((t - e) / 4)));
  }
  return Math.max(1, Math.min(next, left));
}

