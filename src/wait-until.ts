import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { invoke, retryLambdaFaults } from './invoke';
import { WAKE_MIN_SLEEP } from './poll-schedule';
import type { PollPolicy } from './polling';

/** What a wait checks: the payload of the `check-status` handler, less the progress. */
export interface WaitCheck {
  /** `export`: a snapshot export task, `available` when COMPLETE. */
  readonly resource: 'instance' | 'instances' | 'snapshot' | 'cluster-snapshot' | 'cluster' | 'export';
  /** JSONPath of the identifier to look up. */
  readonly identifierPath?: string;
  /** `instances`: JSONPath of the list of identifiers that must all meet the condition. */
  readonly identifiersPath?: string;
  /** JSONPath of the resource id (DbiResourceId, DbClusterResourceId) it must have. */
  readonly resourceIdPath?: string;
  /** `cluster`: JSONPath of the list of members it must have, all available (default: its current members). */
  readonly membersPath?: string;
  /**
   * Instances: JSONPath of the ModifyDBInstance parameters applied immediately
   * that must have left PendingModifiedValues before the wait is over.
   */
  readonly pendingPath?: string;
  /**
   * What the wait waits for. For an instance, the readiness the step after the
   * wait needs: `available` (exactly; a final snapshot), `modifiable` (a rename
   * or a settings change), `serving` (clients can use it); for clusters and
   * snapshots `available`. `settled`: RDS will not change it by itself; `gone`:
   * the identifier is free; `empty`: a cluster without members.
   */
  readonly until: 'available' | 'modifiable' | 'serving' | 'settled' | 'gone' | 'empty';
}

export interface WaitUntilProps {
  readonly check: WaitCheck;
  readonly checkFunction: lambda.IFunction;
  /** With it, sleeps of `WAKE_MIN_SLEEP` seconds or more are callback tasks that RDS events end early (`ReadinessEvents`). */
  readonly sleepFunction?: lambda.IFunction;
  readonly policy: PollPolicy;
  /** Where an error (a failed status, `WaitTimedOut`) goes. */
  readonly onError: sfn.IChainable;
  /** Where the error is put for `onError`. */
  readonly errorPath: string;
}

/**
 * The one wait fragment: Wait (back-off interval) → status check → done?
 * No Lambda sleeps: each poll is a Wait state plus a short check, and past the
 * maximum wait the check raises `WaitTimedOut` into `onError`.
 *
 * `subject` names the states: "Wait for renamed instance", "Check renamed
 * instance", "Is renamed instance ready?".
 */
export function waitUntil(scope: Construct, subject: string, props: WaitUntilProps): sfn.Chain {
  const start = new sfn.Pass(scope, `Start waiting for ${subject}`, {
    result: sfn.Result.fromObject({ elapsed: 0, interval: props.policy.first }),
    resultPath: '$.wait',
  });
  const wait = new sfn.Wait(scope, `Wait for ${subject}`, {
    time: sfn.WaitTime.secondsPath('$.wait.interval'),
  });
  const payload: Record<string, unknown> = {
    subject,
    resource: props.check.resource,
    until: props.check.until,
    wait: sfn.JsonPath.objectAt('$.wait'),
    policy: props.policy,
    // the execution's database: the wait learns how long this step takes for it (history in the lock table)
    database: sfn.JsonPath.stringAt('$.identifier'),
    // the least interval between checks: a fleet's targets poll less often (validate-input sets it; 0 alone)
    pace: sfn.JsonPath.numberAt('$.pace'),
    // when the check runs: a fleet's targets share one recent instance listing (lambda-src/rds/status-cache.ts)
    now: sfn.JsonPath.stringAt('$$.State.EnteredTime'),
  };
  // the check plans the long sleeps knowing that RDS events may end them
  if (props.sleepFunction) payload.wakeable = true;
  if (props.check.identifierPath) payload.identifier = sfn.JsonPath.stringAt(props.check.identifierPath);
  if (props.check.resourceIdPath) payload.resourceId = sfn.JsonPath.stringAt(props.check.resourceIdPath);
  if (props.check.identifiersPath) payload.identifiers = sfn.JsonPath.listAt(props.check.identifiersPath);
  if (props.check.membersPath) payload.members = sfn.JsonPath.listAt(props.check.membersPath);
  if (props.check.pendingPath) payload.pending = sfn.JsonPath.listAt(props.check.pendingPath);
  const check = invoke(scope, `Check ${subject}`, props.checkFunction, payload, '$.wait');
  check.addCatch(props.onError, { resultPath: props.errorPath });
  const ready = new sfn.Choice(scope, `Is ${subject} ready?`);
  if (props.sleepFunction) {
    // poll-schedule.ts, wakeableSleep: a long sleep in the first half of maxWait
    ready.when(sfn.Condition.and(sfn.Condition.booleanEquals('$.wait.done', false),
      sfn.Condition.numberGreaterThanEquals('$.wait.interval', WAKE_MIN_SLEEP),
      sfn.Condition.numberLessThan('$.wait.elapsed', props.policy.maxWait / 2)), callbackSleep(scope, subject, props.sleepFunction, payload, check));
  }
  ready.when(sfn.Condition.booleanEquals('$.wait.done', false), wait);
  start.next(wait).next(check).next(ready);
  // The Choice's default (the wait is over) becomes whatever follows this chain.
  return sfn.Chain.custom(start, ready.afterwards({ includeOtherwise: true }).endStates, ready);
}

/**
 * A long sleep that an RDS event may end early: a callback task whose function
 * (`sleep`) leaves the task token under the identifiers the check looks at, and
 * whose timeout is the interval. Woken (`wake` sends how long it slept, put at
 * `$.wait.woken`), timed out, or failed, the status check follows: the check
 * decides whether the wait is over, never the event.
 */
function callbackSleep(scope: Construct, subject: string, fn: lambda.IFunction, check: Record<string, unknown>,
  next: sfn.IChainable): sfn.IChainable {
  const payload: Record<string, unknown> = {
    'token': sfn.JsonPath.taskToken,
    'seconds': sfn.JsonPath.numberAt('$.wait.interval'),
    'since': sfn.JsonPath.stringAt('$$.State.EnteredTime'),
    'subject': subject,
    '_execution.$': '$$.Execution.Id',
  };
  for (const k of ['identifier', 'identifiers', 'members']) if (check[k] !== undefined) payload[k] = check[k];
  const sleep = new tasks.LambdaInvoke(scope, `Wait for ${subject} or an RDS event`, {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject(payload),
    taskTimeout: sfn.Timeout.at('$.wait.interval'),
    resultPath: '$.wait.woken',
  });
  retryLambdaFaults(sleep);
  // States.Timeout (no event came) and any failure: the check runs, as after a Wait state.
  sleep.addCatch(next, { resultPath: '$.wait.woken' });
  return sleep.next(next);
}
