/**
 * One line per fleet target, from the fleet Map's results: what each child
 * execution ended with, how long it ran, how long its database was down, and
 * the child's ARN. Plain functions: the `fleet-summary` handler and the alert
 * renderer share them.
 */

/** A Map result: the child's description (succeeded) or its caught error (failed). */
export interface FleetResult {
  readonly input: { readonly identifier: string; readonly isCluster: boolean; readonly task: string };
  readonly execution?: {
    readonly executionArn: string;
    readonly status: string;
    readonly startDate: string | number;
    readonly stopDate: string | number;
  };
  readonly failed?: boolean;
  readonly error?: string;
  /** For a failed child: DescribeExecution's response as JSON (`startExecution.sync:2`); otherwise a message. */
  readonly cause?: string;
}

export interface TargetSummary {
  readonly identifier: string;
  readonly isCluster: boolean;
  readonly task: string;
  /** SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or NOT_STARTED (the child could not be started). */
  readonly result: string;
  readonly error?: string;
  readonly cause?: string;
  readonly durationSeconds?: number;
  /** From the rename of the original to the restored database seen ready (an upper bound); absent when it never went down. */
  readonly downtimeSeconds?: number;
  readonly execution?: string;
}

export interface FleetSummary {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly targets: TargetSummary[];
  /** The summary in a few lines: the fleet's failure cause and the alert's text. */
  readonly text: string;
}

const MAX_CAUSE = 300;

function millis(d: string | number | undefined): number | undefined {
  if (d === undefined || d === null) return undefined;
  const n = typeof d === 'number' ? d : Date.parse(d);
  return Number.isFinite(n) ? n : undefined;
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_CAUSE ? `${one.slice(0, MAX_CAUSE - 1)}…` : one;
}

/** The child's description out of a failed `.sync:2` task's cause, when it is one. */
function describedChild(cause: string | undefined): Record<string, any> | undefined {
  if (!cause?.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(cause);
    return typeof parsed?.ExecutionArn === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** One target's line, before its downtime is known. */
export function targetSummary(r: FleetResult): TargetSummary {
  const base = { identifier: r.input.identifier, isCluster: r.input.isCluster, task: r.input.task };
  if (!r.failed && r.execution) {
    const from = millis(r.execution.startDate);
    const to = millis(r.execution.stopDate);
    return {
      ...base,
      result: r.execution.status,
      durationSeconds: from !== undefined && to !== undefined ? Math.round((to - from) / 1000) : undefined,
      execution: r.execution.executionArn,
    };
  }
  const child = describedChild(r.cause);
  if (!child) return { ...base, result: 'NOT_STARTED', error: r.error, cause: clip(r.cause) };
  const from = millis(child.StartDate);
  const to = millis(child.StopDate);
  return {
    ...base,
    result: child.Status ?? 'FAILED',
    error: child.Error ?? r.error,
    cause: clip(child.Cause),
    durationSeconds: from !== undefined && to !== undefined ? Math.round((to - from) / 1000) : undefined,
    execution: child.ExecutionArn,
  };
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** The summary of every target, in the fleet's order. */
export function fleetSummary(targets: TargetSummary[]): FleetSummary {
  const succeeded = targets.filter((t) => t.result === 'SUCCEEDED').length;
  const failed = targets.length - succeeded;
  const lines = targets.map((t) => `${t.identifier}${t.isCluster ? ' (cluster)' : ''} ${t.task}: ${t.result}`
    + `${t.error ? ` ${t.error}` : ''} in ${duration(t.durationSeconds)}`
    + `${t.downtimeSeconds !== undefined ? `, down ${duration(t.downtimeSeconds)}` : ''}`
    + `${t.cause ? ` (${t.cause})` : ''}`);
  const head = failed > 0 ? `${failed} of ${targets.length} targets failed; ${succeeded} succeeded.` : `All ${targets.length} targets succeeded.`;
  return { total: targets.length, succeeded, failed, targets, text: [head, ...lines].join('\n') };
}
