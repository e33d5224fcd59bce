import { Io, Out, println } from './io';
import { formatDuration } from '../test/sim/clock';
import type { TimelineEntry } from '../test/sim/template-pipeline';
import { clockTime, formatStep, Step, steps } from '../test/sim/timeline';

/** Prints the steps of a growing timeline once each, as text or JSON lines. */
export class StepPrinter {
  private printed = 0;

  constructor(private readonly write: (text: string) => void, private readonly json: boolean) {}

  /**
   * Print the steps not printed yet. While the execution runs the last step
   * may still change (a wait being folded), so it waits for the next one.
   */
  update(timeline: TimelineEntry[], final: boolean): void {
    const all = steps(timeline);
    const upTo = final ? all.length : all.length - 1;
    for (; this.printed < upTo; this.printed++) this.write(this.render(all[this.printed]));
  }

  private render(step: Step): string {
    return this.json ? JSON.stringify({ event: 'step', at: step.at, time: clockTime(step.at), text: step.text }) : formatStep(step);
  }
}

/** How an execution (real or simulated) ended. */
export interface Outcome {
  readonly status: string;
  readonly seconds?: number;
  readonly error?: string;
  readonly cause?: string;
  /** Extra fields for --json (executionArn, output...). */
  readonly details?: Record<string, unknown>;
  /** Extra lines for text output (`Downtime:  …`). */
  readonly lines?: string[];
}

/** The result: one JSON object, or a few lines with the failure report on stderr. */
export function printOutcome(io: Io, outcome: Outcome, json: boolean, simulated = false): void {
  if (json) {
    const { status, seconds, error, cause } = outcome;
    println(io.stdout, JSON.stringify({ event: 'result', status, seconds, error, cause, ...outcome.details }));
    return;
  }
  const took = outcome.seconds === undefined ? '' : ` in ${formatDuration(outcome.seconds)}${simulated ? ' (simulated)' : ''}`;
  println(io.stdout);
  println(io.stdout, `Result:    ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}${took}`);
  for (const line of outcome.lines ?? []) println(io.stdout, line);
  if (outcome.cause) failureReport(io.stderr, outcome.cause);
}

/** The execution's cause, as the pipeline wrote it (its outcome step writes a report; a raw Lambda error is JSON). */
function failureReport(out: Out, cause: string): void {
  let text = cause;
  try {
    const parsed = JSON.parse(cause);
    if (parsed && typeof parsed.errorMessage === 'string') text = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage}`;
  } catch {
    // not JSON: the outcome step's sentence report
  }
  println(out, '');
  println(out, 'Failure report:');
  println(out, text.split('\n').map((l) => `  ${l}`).join('\n'));
}
