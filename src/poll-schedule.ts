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

/** Where a wait stands after a status check (seconds). */
export interface PollProgress {
  /** Seconds waited so far, the Wait just done included. */
  readonly elapsed: number;
  /** The Wait just done. */
  readonly interval: number;
  /** The expected duration of the wait, from its history (undefined: no history, back-off). */
  readonly expected?: number;
}

/** Whether a history's expected duration is worth a learned schedule (else: back-off from `pollInterval`). */
export function usefulExpectation(policy: PollPolicy, expected: number | undefined): expected is number {
  return expected !== undefined && expected >= 2 * policy.first;
}

/**
 * The next interval of a wait. Without history: the last one times the
 * back-off rate, up to `max`. With an expected duration E, at `elapsed` t:
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
    if (t < LEARNED_LEAD * e - near) next = Math.round(LEARNED_LEAD * e - t);
    else if (t < e) next = Math.max(near, Math.round((e - t) / 2));
    else next = Math.min(policy.max, Math.max(near, Math.round((t - e) / 4)));
  }
  return Math.max(1, Math.min(next, left));
}

