import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { estimate } from './eta';
import { Out, println } from './io';
import { formatDuration } from '../test/sim/clock';
import type { TimelineEntry } from '../test/sim/template-pipeline';

/**
 * A live progress bar under the timeline lines, with an ETA from the typical
 * durations (`eta.ts`), on a terminal only. Elsewhere (a pipe, a file, `--json`,
 * `--no-progress`) lines are written as they are and there is no bar.
 */
export class Progress {
  private readonly bars?: MultiBar;
  private readonly bar?: SingleBar;

  constructor(private readonly out: Out, enabled: boolean, private readonly input: { task: string; isCluster: boolean }) {
    if (!enabled || !out.isTTY) return;
    this.bars = new MultiBar({
      stream: out,
      // {eta} is cli-progress's own (from the bar's speed): ours is `left`.
      format: '  {bar} {percentage}% | {elapsed} | {left}',
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
      fps: 4,
    }, Presets.shades_classic);
    this.bar = this.bars.create(1000, 0, { elapsed: '0s', left: 'ETA …' });
  }

  /** A timeline line, above the bar. */
  line(text: string): void {
    if (this.bars) this.bars.log(`${text}\n`);
    else println(this.out, text);
  }

  /** The execution so far: `elapsed` seconds since it started. */
  update(timeline: TimelineEntry[], elapsed: number): void {
    if (!this.bar) return;
    const e = estimate(timeline, elapsed, this.input);
    this.bar.update(Math.round(e.fraction * 1000), {
      elapsed: formatDuration(elapsed),
      left: etaText(e.remaining),
    });
  }

  /** Remove the bar; lines still waiting for its next redraw are written first. */
  stop(): void {
    if (!this.bars) return;
    this.bars.update();
    this.bars.stop();
  }
}

/** `ETA ~25m 10s (typical durations)`, or why there is none. */
export function etaText(remaining: number | undefined): string {
  if (remaining === undefined) return 'ETA unknown (off the typical path)';
  return `ETA ~${formatDuration(remaining)} (typical durations)`;
}
