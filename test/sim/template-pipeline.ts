import { setCaller } from './aws-calls';
import { CALLBACK_RESOURCE, ENTERED_PLACEHOLDER, engineDefinition, runCallbackTask, TOKEN_PLACEHOLDER, withEnteredTime } from './callbacks';
import { ParentExecution, START_EXECUTION_SYNC, startExecutionSync } from './child-executions';
import { eventBus } from './eventbridge';
import type { RdsSimulator } from './rds-sim';
import type { CheckRecord, HandlerModule, LambdaFault, RunOptions, RunResult, TimelineEntry } from './run-types';
import { SimScheduler } from './scheduler';
import { ACCOUNT, Definition, REGION } from './template-definition';
// aws-local-stepfunctions is an ES module with a CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions', { with: { 'resolution-mode': 'import' } });

/**
 * Runs the REAL synthesized state machine definition with the REAL handlers
 * from lambda-src/ against the in-memory RDS, on its simulated clock:
 * - the definition is the `DefinitionString` of the synthesized template;
 * - each Lambda task runs the module named by its function (the generated
 *   function constructs describe themselves as `lambda-src/<name>.lambda.ts`),
 *   with the function's environment, JSON in and out, and errors shaped as
 *   Lambda shapes them (Cause is the JSON envelope with a stack trace);
 * - each Wait advances the execution's time by its real duration (no real
 *   sleeping), and so does each retry interval and each Lambda invocation;
 *   the shared simulated clock follows it through a discrete-event scheduler
 *   (scheduler.ts), so concurrent executions (a fleet's children, run by the
 *   `startExecution.sync:2` integration: child-executions.ts) interleave.
 *
 * This module reads a template and needs no CDK: the CLI's `simulate` bundles
 * it. `run-pipeline.ts` adds what starts from a CDK Stack.
 */

export { ACCOUNT, definitionFromTemplate, REGION, resolve } from './template-definition';
export type { Definition, LambdaResource, TemplateOptions } from './template-definition';
export type { CheckRecord, HandlerModule, LambdaFault, RunOptions, RunResult, TimelineEntry } from './run-types';

/** The error Step Functions reports for a Lambda fault (name and cause as the service words them). */
function lambdaFaultError(fault: LambdaFault, fn: string): Error {
  const err = new Error(fault === 'throttled'
    ? 'Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: sim; Proxy: null)'
    : `The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorMessage":"Task timed out after 60.00 seconds"} (${fn})`);
  err.name = fault === 'throttled' ? 'Lambda.TooManyRequestsException' : 'Lambda.Unknown';
  return err;
}

function valueAt(doc: any, jsonPath: string): any {
  return jsonPath.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce((v, k) => v?.[k], doc);
}

/** Every state of the definition, nested ones included, by name. */
function allStates(asl: any, into = new Map<string, any>()): Map<string, any> {
  for (const [name, state] of Object.entries<any>(asl.States)) {
    into.set(name, state);
    for (const branch of state.Branches ?? []) allStates(branch, into);
    if (state.Iterator) allStates(state.Iterator, into);
    if (state.ItemProcessor) allStates(state.ItemProcessor, into);
  }
  return into;
}

/** The definitions (as JSON) asl-validator has accepted in this process. */
const VALIDATED = new Set<string>();

const HISTORY_EVENTS: Record<string, number> = { Task: 5, Wait: 2, Choice: 2, Pass: 2, Succeed: 2, Fail: 1, Parallel: 2, Map: 2 };

function lambdaError(err: unknown): Error {
  const e = err as Error;
  const envelope = { errorType: e?.name ?? 'Error', errorMessage: e?.message ?? String(err), trace: String(e?.stack ?? '').split('\n') };
  const out = new Error(JSON.stringify(envelope));
  out.name = envelope.errorType;
  return out;
}

/**
 * Run one execution of `definition` with `input`, against `sim` (which must be
 * installed). Resolves when the execution ends, SUCCEEDED or FAILED.
 */
export async function runDefinition(definition: Definition, input: unknown, sim: RdsSimulator, options: RunOptions = {}): Promise<RunResult> {
  const states = allStates(definition.asl);
  const clock = sim.clock;
  // This execution's own time: concurrent executions (a fleet's) interleave on the shared clock through the scheduler.
  const scheduler = options.child?.scheduler ?? new SimScheduler(clock);
  scheduler.spawn();
  const startedAt = options.child?.startAt ?? clock.elapsed;
  let t = startedAt;
  const machineId = definition.stateMachineId ?? 'Restore';
  const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machineId}`;
  // A child is named after its state machine (the top-level execution keeps the name tests know it by).
  const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${options.child ? machineId : 'Restore'}:${options.name ?? 'sim'}`;
  // What the startExecution.sync:2 handler shares with this execution: its time, its children (child-executions.ts).
  const parent: ParentExecution<RunResult> = {
    machineArn,
    stateMachineId: definition.stateMachineId,
    name: options.name ?? 'sim',
    scheduler,
    clock,
    get time() { return t; },
    set time(v: number) { t = v; },
    children: [],
    inFlight: 0,
  };
  const children = parent.children;
  const lambdaSeconds = options.lambdaSeconds ?? 1;
  const timeline: TimelineEntry[] = [];
  const statesEntered: string[] = [];
  let transitions = 0;
  let historyEvents = 2;
  let lambdaInvocations = 0;
  const checks: CheckRecord[] = [];
  /** StateEntered + StateRetried events seen per state, and invocations made per state. */
  const seen = new Map<string, number>();
  const invoked = new Map<string, number>();
  const see = (name: string) => seen.set(name, (seen.get(name) ?? 0) + 1);
  const taskInputs = new Map<string, any>(); // each Task state's input as entered (a callback's TimeoutSecondsPath)
  let final: { status: 'SUCCEEDED' | 'FAILED'; output?: any; error?: string; cause?: string } | undefined;

  const handlers: Record<string, (payload: any) => Promise<any>> = {};
  for (const [name, state] of states) {
    if (state.Type !== 'Task') continue;
    if (START_EXECUTION_SYNC.test(state.Resource)) {
      handlers[name] = startExecutionSync(name, parent,
        (childInput, childName, startAt) => runDefinition(definition, childInput, sim,
          { ...options, name: childName, child: { scheduler, startAt } }));
      continue;
    }
    const arn = state.Parameters?.FunctionName ?? state.Resource;
    const fn = definition.functions.get(arn);
    if (!fn) throw new Error(`run-pipeline: task "${name}" calls ${arn}, which is not a pipeline function`);
    handlers[name] = async (payload: any) => {
      // The event log is read concurrently: let it catch up with this state
      // (and the Waits before it, which advance the clock) before running.
      const n = (invoked.get(name) ?? 0) + 1;
      invoked.set(name, n);
      for (let i = 0; i < 100 && (seen.get(name) ?? 0) < n; i++) await new Promise((r) => setImmediate(r));
      if ((seen.get(name) ?? 0) < n) throw new Error(`run-pipeline: the event log did not reach "${name}"`);
      const fault = options.lambdaFault?.(name, n);
      await scheduler.at(t);
      await eventBus(sim).deliverDue(definition, options.loadHandler); // RDS events due by now reach their rules first
      if (fault === 'throttled') {
        timeline.push({ at: t - startedAt, state: name, type: 'Task', error: 'Lambda.TooManyRequestsException' });
        throw lambdaFaultError(fault, fn.logicalId);
      }
      const env: Record<string, string> = { ...fn.env, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'ASIASIMULATED', AWS_SECRET_ACCESS_KEY: 'simulated' };
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      lambdaInvocations += 1;
      options.onTask?.(name, 'start');
      setCaller(fn.logicalId);
      const entry: TimelineEntry = { at: t - startedAt, state: name, type: 'Task' };
      timeline.push(entry);
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const module: HandlerModule = options.loadHandler ? options.loadHandler(fn.name) : require(fn.module);
        const entered = new Date(clock.start.getTime() + t * 1000).toISOString(); // $$.State.EnteredTime
        const result = await module.handler(withEnteredTime(JSON.parse(JSON.stringify(payload)), entered));
        if (fn.name === 'check-status') checks.push({ state: name, at: entry.at, payload, result });
        if (fault === 'timed out') {
          // the work is done, but the answer is lost: the function's timeout passes first
          t += 59;
          entry.error = 'Lambda.Unknown';
          throw lambdaFaultError(fault, fn.logicalId);
        }
        return result === undefined ? null : JSON.parse(JSON.stringify(result));
      } catch (err) {
        if (fault === 'timed out' && (err as Error).name === 'Lambda.Unknown') throw err;
        entry.error = (err as Error)?.name;
        throw lambdaError(err);
      } finally {
        setCaller(undefined);
        options.onTask?.(name, 'end');
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        t += lambdaSeconds;
      }
    };
    if (CALLBACK_RESOURCE.test(state.Resource)) {
      const invokeFunction = handlers[name];
      handlers[name] = (params: any) => runCallbackTask(name, params,
        () => state.TimeoutSeconds ?? valueAt(taskInputs.get(name), state.TimeoutSecondsPath), invokeFunction,
        { sim, scheduler, definition, executionArn, loadHandler: options.loadHandler, now: () => t, set: (v) => { t = v; } });
    }
  }
  const zero = (type: string) => Object.fromEntries([...states].filter(([, s]) => s.Type === type).map(([n]) => [n, 0]));
  const retryZero = Object.fromEntries([...states].filter(([, s]) => s.Retry).map(([n, s]) => [n, s.Retry.map(() => 0)]));

  // asl-validator compiles its JSON schemas on every validation (most of a short run's time): validate
  // each distinct definition once, on its first run, and run it unvalidated after that.
  const engineAsl = engineDefinition(definition.asl);
  const aslKey = JSON.stringify(engineAsl);
  const machine = new StateMachine(engineAsl, { validationOptions: VALIDATED.has(aslKey) ? { noValidate: true } : { checkArn: false } });
  VALIDATED.add(aslKey);
  // The engine stamps $$.Execution.StartTime with `new Date()` synchronously
  // inside run(): let that one reading come from the simulated clock.
  const RealDate = Date;
  const simNow = clock.start.getTime() + startedAt * 1000;
  (global as any).Date = class extends RealDate {
    constructor(...args: any[]) {
      if (args.length === 0) super(simNow);
      else super(...(args as [any]));
    }
  };
  let execution: ReturnType<typeof machine.run>;
  try {
    execution = machine.run(input as any, {
      overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: zero('Wait'), retryIntervalOverrides: retryZero },
      context: {
        Execution: {
          Id: executionArn,
          Name: options.name ?? 'sim',
          StartTime: new RealDate(simNow).toISOString(),
          Input: input as any,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/sim`,
        } as any,
        StateMachine: { Id: machineArn, Name: machineId } as any,
        State: { EnteredTime: ENTERED_PLACEHOLDER }, // not in the engine's context object: callbacks.ts
        Task: { Token: TOKEN_PLACEHOLDER },
      },
    });
  } finally {
    (global as any).Date = RealDate;
  }

  const consume = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as any;
      switch (e.type) {
        case 'StateEntered': {
          const state = states.get(e.state.name);
          see(e.state.name);
          transitions += 1;
          historyEvents += (HISTORY_EVENTS[state?.Type] ?? 2) + (CALLBACK_RESOURCE.test(state?.Resource ?? '') ? 1 : 0); // + TaskSubmitted
          if (state?.Type === 'Task') taskInputs.set(e.state.name, e.state.input);
          statesEntered.push(e.state.name);
          if (state?.Type === 'Wait') {
            const seconds = state.Seconds ?? valueAt(e.state.input, state.SecondsPath);
            if (typeof seconds !== 'number') throw new Error(`run-pipeline: Wait "${e.state.name}" has no seconds`);
            timeline.push({ at: t - startedAt, state: e.state.name, type: 'Wait', seconds });
            t += seconds;
          } else if (state?.Type !== 'Task') {
            timeline.push({ at: t - startedAt, state: e.state.name, type: state?.Type ?? '?' });
          }
          break;
        }
        case 'StateRetried': {
          const r = e.retry.retrier;
          const interval = Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** (e.retry.attempt - 1), r.MaxDelaySeconds ?? Infinity);
          timeline.push({ at: t - startedAt, state: e.state.name, type: 'Retry', seconds: interval });
          t += interval;
          transitions += 1;
          historyEvents += 3;
          see(e.state.name);
          break;
        }
        case 'ExecutionSucceeded':
          final = { status: 'SUCCEEDED', output: e.output };
          break;
        case 'ExecutionFailed':
          final = { status: 'FAILED', error: e.Error, cause: e.Cause };
          break;
      }
    }
  })();

  try {
    await execution.result;
  } catch {
    // The outcome comes from the event log's ExecutionFailed.
  }
  await consume;
  // The clock reaches this execution's end before it ends (alone: at once).
  await scheduler.at(t);
  scheduler.exit();
  if (!final) throw new Error('run-pipeline: the execution did not end');
  return {
    ...final,
    timeline,
    transitions,
    historyEvents,
    lambdaInvocations,
    seconds: t - startedAt,
    path: statesEntered,
    checks,
    executionArn,
    ...(children.length > 0 ? { children } : {}),
  };
}
