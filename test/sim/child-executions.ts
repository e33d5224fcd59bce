import { gateCall, setCaller } from './aws-calls';
import type { SimClock } from './clock';
import type { SimScheduler } from './scheduler';
import type { TimelineEntry } from './template-pipeline';

/**
 * Child executions in the pipeline runner: the `startExecution.sync:2`
 * integration (a fleet runs each target as an execution of the same state
 * machine), answered as Step Functions answers it (Developer Guide, "Start a
 * new AWS Step Functions state machine execution"; API reference,
 * DescribeExecution): the task's result is the child's DescribeExecution
 * response with `Output` (and `Input`) as JSON, not strings; a child that did
 * not succeed fails the task with `States.TaskFailed`, whose cause is that
 * response as a JSON string, the child's `Error` and `Cause` included.
 */

/** The resource of the integration, in any partition. */
export const START_EXECUTION_SYNC = /^arn:aws[a-z-]*:states:::states:startExecution\.sync:2$/;

/** A finished execution: what DescribeExecution and GetExecutionHistory answer from. */
export interface FinishedExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: Date;
  readonly stopDate: Date;
  readonly timeline: TimelineEntry[];
}

/** Every child execution the runner finished in this process, by ARN (cleared by `AwsSims.install`). */
export const finishedExecutions = new Map<string, FinishedExecution>();

/** DescribeExecution's response for `e` (dates as epoch milliseconds, as the integration's JSON carries them). */
export function describe(e: FinishedExecution): Record<string, unknown> {
  return {
    ExecutionArn: e.executionArn,
    StateMachineArn: e.stateMachineArn,
    Name: e.name,
    Status: e.status,
    StartDate: e.startDate.getTime(),
    StopDate: e.stopDate.getTime(),
    Input: e.input,
    ...(e.status === 'SUCCEEDED' ? { Output: e.output } : { Error: e.error, Cause: e.cause }),
  };
}

/** The task's result, or the error it fails with. */
export function syncResult(e: FinishedExecution): Record<string, unknown> {
  if (e.status === 'SUCCEEDED') return describe(e);
  const err = new Error(JSON.stringify(describe(e)));
  err.name = 'States.TaskFailed';
  throw err;
}

/**
 * GetExecutionHistory's events of `e` (the states entered, with their
 * timestamps on the simulated clock), oldest first, `maxResults` a page
 * (API reference: 1 to 1000, default 100), `nextToken` the next page's index.
 */
export function historyPage(e: FinishedExecution, maxResults = 100, nextToken?: string): { events: any[]; nextToken?: string } {
  const events = e.timeline.filter((t) => t.type !== 'Retry').map((t, i) => ({
    id: i + 2,
    timestamp: new Date(e.startDate.getTime() + t.at * 1000),
    type: `${t.type}StateEntered`,
    stateEnteredEventDetails: { name: t.state },
  }));
  const from = nextToken ? Number(nextToken) : 0;
  const page = events.slice(from, from + maxResults);
  return { events: page, ...(from + maxResults < events.length ? { nextToken: String(from + maxResults) } : {}) };
}

/** What a parent execution shares with its `startExecution.sync:2` handler. */
export interface ParentExecution<R> {
  readonly machineArn: string;
  /** The state machine's logical id: the caller of its own StartExecution calls (the IAM check). */
  readonly stateMachineId?: string;
  readonly name: string;
  readonly scheduler: SimScheduler;
  readonly clock: SimClock;
  /** The parent's own time: a child starts at it (or later, when a slot freed); the parent goes on after its last child. */
  time: number;
  /** Its children's results, in the order they ended. */
  readonly children: R[];
  /** Children running now: while any runs, the parent waits for them without holding the clock. */
  inFlight: number;
}

interface ChildResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  seconds: number;
  executionArn?: string;
  timeline: TimelineEntry[];
}

/**
 * The handler of a `startExecution.sync:2` task (`state`): a child execution
 * of the same definition (`run`), started now (the Map's start, or when a
 * slot freed) on the parent's scheduler, answered as the integration answers.
 */
export function startExecutionSync<R extends ChildResult>(state: string, parent: ParentExecution<R>,
  run: (input: unknown, name: string, startAt: number) => Promise<R>): (payload: any) => Promise<Record<string, unknown>> {
  return async (payload: any) => {
    if (payload.StateMachineArn !== parent.machineArn) throw new Error(`run-pipeline: "${state}" starts ${payload.StateMachineArn}, not this state machine`);
    // The integration calls StartExecution with the state machine's role: through the gate (the IAM check), as a function's call.
    setCaller(parent.stateMachineId);
    try {
      gateCall({ service: 'states', action: 'StartExecution', input: { stateMachineArn: payload.StateMachineArn } });
    } finally {
      setCaller(undefined);
    }
    const index = parent.children.length + parent.inFlight;
    const startAt = Math.max(parent.time, parent.clock.elapsed);
    if (parent.inFlight++ === 0) parent.scheduler.leave();
    const name = `${parent.name}-${index + 1}`;
    let result: R;
    try {
      result = await run(payload.Input, name, startAt);
    } finally {
      if (--parent.inFlight === 0) parent.scheduler.enter();
    }
    parent.children.push(result);
    parent.time = Math.max(parent.time, startAt + result.seconds);
    const at = (s: number) => new Date(parent.clock.start.getTime() + s * 1000);
    const finished: FinishedExecution = {
      executionArn: result.executionArn!,
      stateMachineArn: parent.machineArn,
      name,
      status: result.status,
      input: payload.Input,
      output: result.output,
      error: result.error,
      cause: result.cause,
      startDate: at(startAt),
      stopDate: at(startAt + result.seconds),
      timeline: result.timeline,
    };
    finishedExecutions.set(finished.executionArn, finished);
    return syncResult(finished);
  };
}
