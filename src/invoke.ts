import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RDS_THROTTLED, RDS_UNAVAILABLE } from './error-names';

/**
 * A Lambda task of the pipeline: the handler gets `payload` (or the whole job),
 * its result goes under `resultPath` (or replaces the state), and RDS throttling and transient faults
 * are retried with exponential back-off and jitter (6 tries over about 2 minutes).
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

/** The validated input fields, as a payload. */
export const INPUT = { 'identifier.$': '$.identifier', 'task.$': '$.task', 'isCluster.$': '$.isCluster' };
