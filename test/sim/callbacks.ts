import { eventBus } from './eventbridge';
import type { RdsSimulator } from './rds-sim';
import type { SimScheduler } from './scheduler';
import { closeTask, openTask, taskOutput } from './task-tokens';
import type { Definition, HandlerModule } from './template-pipeline';

/**
 * Callback tasks (`arn:aws:states:::lambda:invoke.waitForTaskToken`) in the
 * pipeline runner. aws-local-stepfunctions runs a task's override and applies
 * its TimeoutSeconds in real milliseconds; it has no task tokens and no
 * `$$.Task` nor `$$.State.EnteredTime` in its context object. So the runner
 * gives the context placeholders, and this module plays the service
 * (Step Functions Developer Guide, "Wait for a Callback with Task Token"):
 * - the function is invoked with the payload, the placeholders replaced by a
 *   fresh token (task-tokens.ts) and the simulated entered time;
 * - the task then waits on the simulated clock: RDS events are delivered to
 *   the template's rules as they fall due (eventbridge.ts), until the token is
 *   answered by SendTaskSuccess (the task's result: the output, parsed) or the
 *   task's timeout passes (`States.Timeout`).
 */
export const CALLBACK_RESOURCE = /^arn:aws:states:::lambda:invoke\.waitForTaskToken$/;
/** What `$$.Task.Token` reads in the runner, replaced by a fresh token in each callback payload. */
export const TOKEN_PLACEHOLDER = 'sim-task-token-placeholder';
/** What `$$.State.EnteredTime` reads in the runner, replaced by the simulated time the task began. */
export const ENTERED_PLACEHOLDER = 'sim-state-entered-time-placeholder';

export interface CallbackContext {
  readonly sim: RdsSimulator;
  readonly scheduler: SimScheduler;
  readonly definition: Definition;
  readonly executionArn: string;
  readonly loadHandler?: (name: string) => HandlerModule;
  /** The execution's own time (simulated seconds), and moving it. */
  now(): number;
  set(seconds: number): void;
}

function replacePlaceholders(value: any, token: string, entered: string): any {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (value === ENTERED_PLACEHOLDER) return entered;
  if (Array.isArray(value)) return value.map((v) => replacePlaceholders(v, token, entered));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replacePlaceholders(v, token, entered)]));
  return value;
}

/** A task's payload with `$$.State.EnteredTime` read as `entered` (ISO 8601), for every task: the engine's context has none. */
export function withEnteredTime(payload: any, entered: string): any {
  return replacePlaceholders(payload, TOKEN_PLACEHOLDER, entered);
}

function timeoutError(): Error {
  const err = new Error('States.Timeout');
  err.name = 'States.Timeout';
  return err;
}

/**
 * Run the callback task `state` with its evaluated Parameters
 * ({ FunctionName, Payload }) and its timeout in seconds (read once the function
 * ran: the state's input is known by then); `invoke` runs the
 * function (the runner's Lambda path: gate, environment, counts).
 */
export async function runCallbackTask(state: string, params: any, timeoutSeconds: () => number,
  invoke: (payload: any) => Promise<unknown>, ctx: CallbackContext): Promise<unknown> {
  const token = openTask(ctx.executionArn, state);
  const enteredAt = ctx.now();
  const entered = new Date(ctx.sim.clock.start.getTime() + enteredAt * 1000).toISOString();
  await invoke(replacePlaceholders(params?.Payload ?? {}, token, entered));
  // The timeout counts from the task's start (TimeoutSeconds: "the maximum time that a task can run").
  const seconds = timeoutSeconds();
  if (!(typeof seconds === 'number' && seconds >= 1)) throw new Error(`run-pipeline: callback task "${state}" has no timeout (got ${seconds})`);
  const deadline = enteredAt + seconds;
  const bus = eventBus(ctx.sim);
  for (;;) {
    await ctx.scheduler.at(ctx.now());
    await bus.deliverDue(ctx.definition, ctx.loadHandler);
    const output = taskOutput(token);
    if (output !== undefined) {
      closeTask(token, 'resumed');
      return JSON.parse(output);
    }
    if (ctx.now() >= deadline) {
      closeTask(token, 'timed out');
      throw timeoutError();
    }
    ctx.set(Math.max(ctx.now(), Math.min(deadline, bus.nextAt())));
  }
}

/**
 * The definition as the engine runs it: callback tasks without their timeout
 * fields, which the runner applies on the simulated clock instead (the engine
 * would evaluate TimeoutSecondsPath against the task's Parameters rather than
 * the state input, and count real milliseconds).
 */
export function engineDefinition(asl: any): any {
  // (a JSON copy: structuredClone's objects come from another realm under jest, which the engine takes for non-plain objects)
  const copy = JSON.parse(JSON.stringify(asl));
  const strip = (machine: any) => {
    for (const state of Object.values<any>(machine.States ?? {})) {
      if (state.Type === 'Task' && CALLBACK_RESOURCE.test(state.Resource ?? '')) {
        delete state.TimeoutSecondsPath;
        delete state.TimeoutSeconds;
      }
      for (const branch of state.Branches ?? []) strip(branch);
      if (state.Iterator) strip(state.Iterator);
      if (state.ItemProcessor) strip(state.ItemProcessor);
    }
  };
  strip(copy);
  return copy;
}
