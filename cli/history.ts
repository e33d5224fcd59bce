import { GetExecutionHistoryCommand, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { TimelineEntry } from '../test/sim/template-pipeline';

/** How an execution ended, from its last history event. */
export interface Ending {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** Seconds from the start. */
  readonly at: number;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** An execution's history read so far, as the simulator's timeline (what `steps()` formats). */
export interface History {
  readonly startedAt?: Date;
  readonly timeline: TimelineEntry[];
  readonly ending?: Ending;
}

const FAILURES = new Set(['LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed', 'TaskFailed', 'TaskTimedOut', 'TaskScheduleFailed', 'TaskStartFailed']);
const SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);

/** The error name of a failure event, whichever of its detail fields carries it. */
function failureError(e: HistoryEvent): string | undefined {
  const d = e.lambdaFunctionFailedEventDetails ?? e.lambdaFunctionTimedOutEventDetails ?? e.lambdaFunctionScheduleFailedEventDetails
    ?? e.lambdaFunctionStartFailedEventDetails ?? e.taskFailedEventDetails ?? e.taskTimedOutEventDetails
    ?? e.taskStartFailedEventDetails ?? e.taskSubmitFailedEventDetails;
  return d?.error ?? (e.type?.endsWith('TimedOut') ? 'States.Timeout' : undefined);
}

/**
 * The timeline of an execution from its Step Functions history events (any
 * order; read by id), with the entries the simulator's runner makes:
 * - a `<Type>StateEntered` event is an entry of that type;
 * - a Task that fails carries the error's name;
 * - a Task scheduled again without leaving its state is a retry: a `Retry`
 *   entry (its seconds: the gap between the failure and the new attempt), then
 *   the task again.
 */
export function historyOf(events: HistoryEvent[]): History {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const start = sorted.find((e) => e.type === 'ExecutionStarted')?.timestamp;
  const t0 = start?.getTime() ?? sorted[0]?.timestamp?.getTime() ?? 0;
  const at = (e: HistoryEvent) => Math.max(0, Math.round(((e.timestamp?.getTime() ?? t0) - t0) / 1000));
  const timeline: TimelineEntry[] = [];
  let task: { entry: TimelineEntry; failedAt?: number; scheduled: number } | undefined;
  let ending: Ending | undefined;
  for (const e of sorted) {
    const type = e.type ?? '';
    if (type.endsWith('StateEntered')) {
      const entry: TimelineEntry = { at: at(e), state: e.stateEnteredEventDetails?.name ?? '?', type: type.slice(0, -'StateEntered'.length) };
      timeline.push(entry);
      task = entry.type === 'Task' ? { entry, scheduled: 0 } : undefined;
    } else if (type.endsWith('StateExited')) {
      task = undefined;
    } else if (task && SCHEDULED.has(type)) {
      task.scheduled += 1;
      if (task.scheduled > 1) {
        const failedAt = task.failedAt ?? at(e);
        timeline.push({ at: failedAt, state: task.entry.state, type: 'Retry', seconds: at(e) - failedAt });
        task.entry = { at: at(e), state: task.entry.state, type: 'Task' };
        timeline.push(task.entry);
      }
    } else if (task && FAILURES.has(type)) {
      task.entry.error = failureError(e);
      task.failedAt = at(e);
    } else if (type === 'ExecutionSucceeded') {
      ending = { status: 'SUCCEEDED', at: at(e), output: e.executionSucceededEventDetails?.output };
    } else if (type === 'ExecutionFailed') {
      ending = { status: 'FAILED', at: at(e), error: e.executionFailedEventDetails?.error, cause: e.executionFailedEventDetails?.cause };
    } else if (type === 'ExecutionTimedOut') {
      ending = { status: 'TIMED_OUT', at: at(e), error: e.executionTimedOutEventDetails?.error ?? 'States.Timeout', cause: e.executionTimedOutEventDetails?.cause };
    } else if (type === 'ExecutionAborted') {
      ending = { status: 'ABORTED', at: at(e), error: e.executionAbortedEventDetails?.error, cause: e.executionAbortedEventDetails?.cause };
    }
  }
  return { startedAt: start, timeline, ending };
}

/**
 * The events of `executionArn` newer than event id `after`: pages of the
 * history newest first (GetExecutionHistory, reverseOrder), until a known one.
 */
export async function eventsAfter(sfn: SFNClient, executionArn: string, after: number): Promise<HistoryEvent[]> {
  const found: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1000, nextToken }));
    for (const e of page.events ?? []) {
      if ((e.id ?? 0) <= after) return found.reverse();
      found.push(e);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found.reverse();
}

/** Every event of `executionArn`. */
export function allEvents(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  return eventsAfter(sfn, executionArn, 0);
}
