import { TYPICAL_PATHS } from './typical-durations';
import type { TimelineEntry } from '../test/sim/template-pipeline';

/**
 * One path through the pipeline with its typical timing: each state the first
 * time it is entered, in seconds from the start, and the total.
 */
export interface TypicalPath {
  readonly kind: 'instance' | 'cluster';
  readonly task: string;
  readonly cutover?: string;
  readonly total: number;
  readonly states: ReadonlyArray<readonly [state: string, at: number]>;
}

export interface Estimate {
  /** 0 to 1: how much of the typical run is behind. */
  readonly fraction: number;
  /** Seconds left in a typical run from here; undefined off every known path (a rollback, say). */
  readonly remaining?: number;
  /** What the durations come from. */
  readonly basis: 'typical';
}

/** Each state the first time it was entered, with that time, in order. */
export function pathOf(timeline: TimelineEntry[]): Array<[string, number]> {
  const seen = new Map<string, number>();
  for (const e of timeline) if (e.type !== 'Retry' && !seen.has(e.state)) seen.set(e.state, e.at);
  return [...seen];
}

/**
 * How far an execution is, and how long it has left, judged against the
 * typical paths (`typical-durations.ts`: the simulator's default RDS durations,
 * the ones the bench and the demo use). No durations have been learned from
 * real runs yet; with some, pass them as `paths`.
 *
 * The last state entered for the first time that a typical path knows marks
 * the position; time spent there counts up to the typical gap to the next
 * state, so a slow wait holds the estimate instead of making it negative.
 */
export function estimate(timeline: TimelineEntry[], elapsed: number, input: { task: string; isCluster: boolean },
  paths: readonly TypicalPath[] = TYPICAL_PATHS): Estimate {
  const kind = input.isCluster ? 'cluster' : 'instance';
  const live = pathOf(timeline);
  const candidates = paths.filter((p) => p.kind === kind && p.task === input.task);
  if (candidates.length === 0) return { fraction: 0, basis: 'typical' };
  const overlap = (p: TypicalPath) => live.filter(([s]) => p.states.some(([t]) => t === s)).length;
  const path = candidates.reduce((best, p) => (overlap(p) > overlap(best) ? p : best));
  const at = new Map(path.states.map(([s, t]) => [s, t]));
  const last = live[live.length - 1];
  if (last && !at.has(last[0])) {
    const known = [...live].reverse().find(([s]) => at.has(s));
    return { fraction: known ? at.get(known[0])! / path.total : 0, basis: 'typical' };
  }
  if (!last) return { fraction: 0, remaining: path.total, basis: 'typical' };
  const typicalAt = at.get(last[0])!;
  const next = Math.min(path.total, ...path.states.map(([, t]) => t).filter((t) => t > typicalAt));
  const done = typicalAt + Math.min(Math.max(0, elapsed - last[1]), next - typicalAt);
  return { fraction: path.total > 0 ? done / path.total : 1, remaining: path.total - done, basis: 'typical' };
}
