import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { retryLambdaFaults } from './invoke';

/** Options of an after-restore hook. */
export interface AfterRestoreOptions {
  /**
   * How long the hook may run. Past it the step fails with `States.Timeout`
   * and the run rolls back, like any other failure before the old database is deleted.
   * @default - 15 minutes for a Lambda function (its longest run), 1 hour for a state machine
   */
  readonly timeout?: Duration;
}

/** Where the hook runs on the restored database: the states read these paths of the job (not exported). */
export interface AfterRestoreTarget {
  /** What the hook runs on: the state's name says it. */
  readonly kind: 'instance' | 'staged instance' | 'cluster' | 'staged cluster';
  /** The identifier the restored database has while the hook runs. */
  readonly identifierPath: string;
  /** The verify step's result, with `endpoint: { address, port }`. */
  readonly verifiedPath: string;
}

/**
 * A step run against the restored database once it is verified, before the
 * old database is deleted (prop `afterRestore`): sanitize data, run smoke
 * tests, reset passwords. It gets, as its event (the Lambda payload, or the
 * state machine's execution input):
 *
 * ```json
 * { "identifier": "orders-db", "isCluster": false,
 *   "endpoint": { "address": "orders-db.c1ab.us-east-1.rds.amazonaws.com", "port": 5432 },
 *   "source": { "id": "orders-db-trapheus-20260109-080000", "arn": "arn:aws:rds:...", "created": false },
 *   "execution": "arn:aws:states:...:execution:...:..." }
 * ```
 *
 * `source` is the job's snapshot: `id` (and `arn`, `type`) for a snapshot,
 * `pointInTime` for a point-in-time restore. A cluster's `endpoint` is its
 * writer (cluster) endpoint. With cutover `RESTORE_THEN_SWAP`, the hook runs
 * on the staged instance (`identifier` is `<id>-trapheus-new`, with its own
 * endpoint), before the original is touched.
 *
 * If it fails (throws, or the state machine execution does not succeed) or
 * times out, the run rolls back: the restored database is deleted and the
 * original comes back under its identifier. The failure names the hook's error.
 */
export abstract class AfterRestore {
  /**
   * Invoke a Lambda function (synchronously; its result goes to `$.afterRestore`).
   * Lambda's service errors, throttling and lost invocations (`Lambda.Unknown`:
   * the function timed out or ran out of memory) are retried, as for every
   * step of the pipeline: the function must be idempotent. An error it throws is not retried.
   */
  public static lambda(fn: lambda.IFunction, options: AfterRestoreOptions = {}): AfterRestore {
    return new LambdaHook(fn, options);
  }

  /**
   * Start an execution of a Step Functions state machine and wait for it to
   * end (`.sync`): the pipeline's role gets `states:StartExecution` on it, and
   * `states:DescribeExecution` / `states:StopExecution` on its executions.
   */
  public static stateMachine(stateMachine: sfn.IStateMachine, options: AfterRestoreOptions = {}): AfterRestore {
    return new StateMachineHook(stateMachine, options);
  }

  /** The step, against `target`; its failures are caught by the caller. @internal */
  public abstract _task(scope: Construct, target: AfterRestoreTarget): sfn.TaskStateBase;
}

/** The hook's event, from the job. */
function hookPayload(target: AfterRestoreTarget): Record<string, unknown> {
  return {
    'identifier.$': target.identifierPath,
    'isCluster.$': '$.isCluster',
    'endpoint.$': `${target.verifiedPath}.endpoint`,
    'source.$': '$.snapshot',
    'execution.$': '$$.Execution.Id',
  };
}

function stateName(target: AfterRestoreTarget): string {
  return `Run the after-restore hook on the ${target.kind}`;
}

class LambdaHook extends AfterRestore {
  constructor(private readonly fn: lambda.IFunction, private readonly options: AfterRestoreOptions) {
    super();
  }

  public _task(scope: Construct, target: AfterRestoreTarget): sfn.TaskStateBase {
    const task = new tasks.LambdaInvoke(scope, stateName(target), {
      lambdaFunction: this.fn,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject(hookPayload(target)),
      resultPath: '$.afterRestore',
      taskTimeout: sfn.Timeout.duration(this.options.timeout ?? Duration.minutes(15)),
    });
    // As every step: throttling and lost invocations (Lambda.Unknown: the function's own
    // timeout, out of memory) are retried, 6 tries, so a transient fault never wastes the
    // restore; the hook must therefore be idempotent. Its own errors are not retried.
    retryLambdaFaults(task);
    return task;
  }
}

class StateMachineHook extends AfterRestore {
  constructor(private readonly machine: sfn.IStateMachine, private readonly options: AfterRestoreOptions) {
    super();
  }

  public _task(scope: Construct, target: AfterRestoreTarget): sfn.TaskStateBase {
    return new tasks.StepFunctionsStartExecution(scope, stateName(target), {
      stateMachine: this.machine,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      input: sfn.TaskInput.fromObject(hookPayload(target)),
      associateWithParent: true,
      resultSelector: { 'executionArn.$': '$.ExecutionArn', 'output.$': '$.Output' },
      resultPath: '$.afterRestore',
      taskTimeout: sfn.Timeout.duration(this.options.timeout ?? Duration.hours(1)),
    });
  }
}

/** True when `hook` starts executions of a state machine (its IAM has a wildcard cdk-nag flags). */
export function startsExecutions(hook: AfterRestore | undefined): boolean {
  return hook instanceof StateMachineHook;
}
