import type { SimScheduler } from './scheduler';

/** What the pipeline runner (template-pipeline.ts) takes and gives back: handler modules, options, results. */

/** A handler module as the pipeline runner calls it. */
export interface HandlerModule {
  handler(event: any): Promise<any>;
}

export interface TimelineEntry {
  /** Simulated seconds since the start of the execution. */
  at: number;
  state: string;
  type: string;
  /** For Wait states: seconds waited. For retries: the retry interval. */
  seconds?: number;
  /** For tasks: the error, when the handler threw. */
  error?: string;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: any;
  error?: string;
  cause?: string;
  timeline: TimelineEntry[];
  /** States entered plus retries: what Step Functions bills as state transitions. */
  transitions: number;
  /** History events the execution would have in Step Functions (approximate: per state type). */
  historyEvents: number;
  lambdaInvocations: number;
  /** Simulated seconds from start to end. */
  seconds: number;
  /** The names of the states entered, in order. */
  path: string[];
  /** Every status check of the waits (`check-status`): when it ran, what it was asked, what it answered. */
  checks: CheckRecord[];
  /** The child executions it started (`startExecution.sync:2`: a fleet's targets), in the order they ended. */
  children?: RunResult[];
  /** The execution's ARN. */
  executionArn?: string;
}

export interface CheckRecord {
  state: string;
  /** Simulated seconds since the start of the execution, when the check began. */
  at: number;
  payload: any;
  result: any;
}

export interface RunOptions {
  /** Simulated duration of one Lambda invocation. @default 1 */
  lambdaSeconds?: number;
  /** Execution name (the snapshot name uses its start time). */
  name?: string;
  /** Called before and after each Lambda task runs (fault injection keys on the state). */
  onTask?: (state: string, phase: 'start' | 'end') => void;
  /**
   * A fault of Lambda itself at the `invocation`-th invocation of `state` (1-based, retries included):
   * - `throttled`: Lambda refuses the invocation (`Lambda.TooManyRequestsException`); the handler does not run;
   * - `timed out`: the handler does its work, then the function times out before answering (`Lambda.Unknown`).
   * Step Functions reports both under these names (Developer Guide, "Handle Lambda service exceptions").
   */
  lambdaFault?: (state: string, invocation: number) => LambdaFault | undefined;
  /**
   * The handler module of each function, by handler name (`restore`...).
   * @default `require` of the module in lambda-src/ (a test fixture's: its module in test/)
   */
  loadHandler?: (name: string) => HandlerModule;
  /** @internal A child execution's: the scheduler its parent runs on, and its start (simulated seconds). */
  child?: { scheduler: SimScheduler; startAt: number };
}

export type LambdaFault = 'throttled' | 'timed out';
