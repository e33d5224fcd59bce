/**
 * The simulated clock shared by the in-memory RDS and the pipeline runner.
 * Nothing in the simulation reads the wall clock: time moves only when the
 * runner advances it (at Wait states, retries and Lambda invocations).
 */
export class SimClock {
  private seconds = 0;

  /** @param start the wall-clock instant that simulated second 0 stands for */
  constructor(readonly start: Date = new Date('2026-01-09T08:00:00Z')) {}

  /** Simulated seconds since the start. */
  get elapsed(): number {
    return this.seconds;
  }

  /** The simulated instant. */
  now(): Date {
    return new Date(this.start.getTime() + this.seconds * 1000);
  }

  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new Error(`SimClock.advance: ${seconds} is not a duration`);
    this.seconds += seconds;
  }
}

/** "1h 02m 05s" style rendering of a duration in seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${String(r).padStart(2, '0')}s`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
