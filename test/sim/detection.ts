import type { RdsSimulator } from './rds-sim';
import type { CheckRecord, RunResult } from './template-pipeline';

/** One wait of a run, and how long the pipeline took to notice that it was over. */
export interface Detection {
  /** The wait's subject: "restored instance". */
  subject: string;
  /** When the awaited resource entered the status that ended the wait (simulated seconds since the run began). */
  readyAt: number;
  /** When the step after the wait began. */
  nextStepAt: number;
  /** nextStepAt - readyAt. */
  latency: number;
  checks: number;
}

const identifiersOf = (payload: any): string[] => [payload.identifier, ...(payload.identifiers ?? []), ...(payload.members ?? [])]
  .filter((x): x is string => typeof x === 'string')
  .map((x) => x.toLowerCase());

/**
 * Detection latency of each wait of `result` that ended done: from "ready" on
 * the simulator's clock (the first status change of an awaited resource after
 * the last check that found it not ready) to the start of the step after the
 * wait. Conservative: when several changes fall in that window the earliest
 * counts, and a wait with none in it counts from the last "not ready" check.
 * `startedAt`: the simulator's clock when the run began (0 for a fresh simulator).
 */
export function detections(result: RunResult, sim: RdsSimulator, lambdaSeconds = 1, startedAt = 0): Detection[] {
  const out: Detection[] = [];
  let previous: CheckRecord | undefined;
  let count = 0;
  for (const c of result.checks) {
    const subject = String(c.payload.subject);
    const sameWait = previous?.payload.subject === subject && previous.result?.done === false;
    count = sameWait ? count + 1 : 1;
    if (c.result?.done === true) {
      // The wait began with its first Wait state: the check ran `elapsed` seconds of Waits after it.
      const notReadyAt = sameWait ? previous!.at + lambdaSeconds : c.at - c.result.elapsed;
      const ids = identifiersOf(c.payload);
      const change = sim.statusChanges
        .map((s) => ({ ...s, at: s.at - startedAt }))
        .find((s) => s.at > notReadyAt && s.at <= c.at && (ids.length === 0 || ids.includes(s.identifier)));
      const readyAt = change?.at ?? notReadyAt;
      const nextStepAt = c.at + lambdaSeconds;
      out.push({ subject, readyAt, nextStepAt, latency: nextStepAt - readyAt, checks: count });
    }
    previous = c;
  }
  return out;
}

/** The median of the run's detection latencies, in seconds (undefined without a finished wait). */
export function medianLatency(list: Detection[]): number | undefined {
  if (list.length === 0) return undefined;
  const s = list.map((d) => d.latency).sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
