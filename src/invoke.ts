import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LAMBDA_THROTTLED, LAMBDA_UNKNOWN, RDS_THROTTLED, RDS_UNAVAILABLE } from './error-names';

/**
 * A Lambda task of the pipeline: the handler gets `payload` (or the whole job),
 * its result goes under `resultPath` (or replaces the state). Retried with
 * exponential back-off and full jitter, before any Catch sees the error:
 * - Lambda's transient service errors (the LambdaInvoke default);
 * - Lambda throttling and lost invocations (`Lambda.TooManyRequestsException`,
 *   `Lambda.Unknown`: a timeout or out of memory), 6 tries over about 4 minutes,
 *   so a throttled status check never rolls back a healthy restore. Every
 *   handler is idempotent: a retry after a timeout finds its own earlier work;
 * - RDS throttling and transient faults, 6 tries over about 2 minutes.
 */
export function invoke(
  scope: Construct,
  name: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown> | undefined,
  resultPath?: string,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    // Every handler logs the execution it works for (lambda-src/rds/log.ts).
    payload: payload ? sfn.TaskInput.fromObject({ ...payload, '_execution.$': '$$.Execution.Id' }) : undefined,
    resultPath,
  });
  retryLambdaFaults(task);
  task.addRetry({
    errors: [RDS_THROTTLED, RDS_UNAVAILABLE],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * Retry Lambda throttling (the invocation never ran) and, with `lost`, lost
 * invocations (a timeout or out of memory: it may have run) with back-off,
 * 6 tries over about 4 minutes.
 */
export function retryLambdaFaults(task: tasks.LambdaInvoke, lost = true): void {
  task.addRetry({
    errors: lost ? [LAMBDA_THROTTLED, LAMBDA_UNKNOWN] : [LAMBDA_THROTTLED],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(90),
    jitterStrategy: sfn.JitterType.FULL,
  });
}
