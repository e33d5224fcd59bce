import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * The state machine's execution log group. Its name starts with
 * `/aws/vendedlogs/states/`, so Step Functions delivers to it without growing
 * the account's CloudWatch Logs resource policy (which has a size limit);
 * the rest of the name is unique to this construct, so several pipelines fit
 * in one account. `removalPolicy` is the one the handlers' log group has too
 * (`logRemovalPolicy`).
 */
export function executionLogGroup(scope: Construct, id: string, retention: logs.RetentionDays, removalPolicy: RemovalPolicy): logs.LogGroup {
  const group = new logs.LogGroup(scope, id, {
    logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(scope, { maxLength: 400, separator: '-' })}`,
    retention,
    removalPolicy,
  });
  return group;
}

/** Refuse a removal policy log groups do not support (at synth). */
export function checkLogRemovalPolicy(policy: RemovalPolicy | undefined): void {
  if (policy === RemovalPolicy.SNAPSHOT) {
    throw new Error('logRemovalPolicy: CloudWatch Logs log groups cannot be snapshotted; use RemovalPolicy.DESTROY or RemovalPolicy.RETAIN');
  }
}

/**
 * An alarm on failed or timed-out executions (sum over 5 minutes, at least
 * one) that notifies `topic`. It is the backstop of the alerts: it fires even
 * when an execution ended in a way that sent no alert (a timeout, or an alert
 * that could not be sent).
 */
export function executionFailureAlarm(scope: Construct, id: string, machine: sfn.StateMachine, topic: sns.ITopic): cloudwatch.Alarm {
  const period = Duration.minutes(5);
  const failures = new cloudwatch.MathExpression({
    expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
    usingMetrics: {
      failed: machine.metricFailed({ statistic: cloudwatch.Stats.SUM, period }),
      timedOut: machine.metricTimedOut({ statistic: cloudwatch.Stats.SUM, period }),
    },
    label: 'Failed or timed-out restore executions',
    period,
  });
  const alarm = failures.createAlarm(scope, id, {
    alarmDescription: 'A Trapheus restore execution failed or timed out: see the alert, or the execution in the Step Functions console.',
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return alarm;
}
