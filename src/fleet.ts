import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { concurrencyProblem, DEFAULT_FLEET_CONCURRENCY, MAX_FLEET_TARGETS } from './fleet-input';
import { invoke, retryLambdaFaults } from './invoke';

/** Fleet options of `TrapheusRestore`. */
export interface FleetOptions {
  /**
   * How many targets of a fleet execution (`{"targets": [...]}`) are restored
   * at the same time, when its input gives no `maxConcurrency`. At most
   * 50, the largest fleet.
   * @default 5
   */
  readonly fleetConcurrency?: number;
}

/** Props for `RestoreFleet`. */
export interface RestoreFleetProps extends FleetOptions {
  /** Writes the fleet's summary (the `fleet-summary` handler). */
  readonly summaryFunction: lambda.IFunction;
  /** Checks the fleet against the account's RDS quotas (the `fleet-preflight` handler). */
  readonly preflightFunction: lambda.IFunction;
  /**
   * Sends the one alert of the fleet (the `notify` handler).
   * @default - no alert
   */
  readonly notifyFunction?: lambda.IFunction;
  /**
   * Also alert when every target succeeded.
   * @default false
   */
  readonly notifyOnSuccess?: boolean;
}

/** Checks `fleetConcurrency`; returns it resolved. */
export function checkFleetOptions(options: FleetOptions): number {
  const n = options.fleetConcurrency ?? DEFAULT_FLEET_CONCURRENCY;
  const why = concurrencyProblem(n);
  if (why) throw new Error(`fleetConcurrency ${why} (a fleet has at most ${MAX_FLEET_TARGETS} targets)`);
  return n;
}

/** The integration that starts an execution and waits for it, its output as JSON (Step Functions, "Start a new AWS Step Functions state machine execution"). */
const START_EXECUTION_SYNC = `arn:${Aws.PARTITION}:states:::states:startExecution.sync:2`;

/**
 * The fleet branch: a validated fleet (`targets`, `maxConcurrency`) runs each
 * target as a child execution of the same state machine
 * (`startExecution.sync:2`), at most `maxConcurrency` at a time, so each child
 * has its own history and its own lock. A target's failure is caught in its
 * iteration: the others go on. Then one summary of every target (result,
 * downtime, duration, child execution), one alert, and the fleet ends FAILED
 * if any target failed.
 *
 * The Map is a Distributed Map: an inline Map runs at most 40 iterations at a
 * time and adds every iteration's events to the fleet's history; a Distributed
 * Map runs each iteration as its own child workflow, so the fleet's history
 * stays small whatever its size. The fleet's size is bounded by the Map's
 * output (256 KiB): see `MAX_FLEET_TARGETS`.
 */
export class RestoreFleet extends Construct {
  /** The first state of the fleet branch. */
  public readonly startState: sfn.State;
  /** The Map state that runs the targets. */
  public readonly map: sfn.DistributedMap;

  constructor(scope: Construct, id: string, props: RestoreFleetProps) {
    super(scope, id);
    const start = new sfn.CustomState(this, 'Restore the target', {
      stateJson: {
        Type: 'Task',
        Resource: START_EXECUTION_SYNC,
        Parameters: { 'StateMachineArn.$': '$.stateMachine', 'Input.$': '$.input' },
        ResultSelector: { 'executionArn.$': '$.ExecutionArn', 'status.$': '$.Status', 'startDate.$': '$.StartDate', 'stopDate.$': '$.StopDate' },
        ResultPath: '$.execution',
      },
    });
    // Starting a child may be throttled or refused for a moment (StartExecution's limits): retry; the child's own failure is not retried.
    start.addRetry({
      errors: ['StepFunctions.ExecutionLimitExceededException', 'StepFunctions.SfnException', 'StepFunctions.ThrottlingException'],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(120),
      jitterStrategy: sfn.JitterType.FULL,
    });
    const keep = new sfn.Pass(this, 'Keep the target\'s failure', {
      parameters: { 'input.$': '$.input', 'failed': true, 'error.$': '$.error.Error', 'cause.$': '$.error.Cause' },
    });
    start.addCatch(keep, { resultPath: '$.error' });

    this.map = new sfn.DistributedMap(this, 'Restore each target', {
      itemsPath: '$.targets',
      maxConcurrencyPath: '$.maxConcurrency',
      itemSelector: { 'input.$': '$$.Map.Item.Value', 'stateMachine.$': '$$.StateMachine.Id' },
      resultPath: '$.results',
      mapExecutionType: sfn.StateMachineType.STANDARD,
      label: 'FleetTarget',
    });
    this.map.itemProcessor(start, { mode: sfn.ProcessorMode.DISTRIBUTED, executionType: sfn.ProcessorType.STANDARD });

    const summarize = invoke(this, 'Summarize the fleet', props.summaryFunction, { 'results.$': '$.results' }, '$.summary');
    const failed = new sfn.Fail(this, 'Fleet failed', { error: 'FleetTargetsFailed', causePath: '$.summary.text' });
    const done = new sfn.Succeed(this, 'Every target restored');
    const unsummarized = new sfn.Fail(this, 'Fleet failed without a summary', { errorPath: '$.summaryError.Error', causePath: '$.summaryError.Cause' });
    // One alert for the whole fleet, summarizing every target (its children send none, unless one needs attention).
    const alert = (name: string, kind: 'failure' | 'success', end: sfn.State, ending?: string, fleet: unknown = sfn.JsonPath.objectAt('$.summary')): sfn.IChainable => {
      if (!props.notifyFunction) return end;
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: props.notifyFunction,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({
          kind,
          ...(ending ? { ending } : {}),
          fleet,
          job: {},
          execution: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime' },
        }),
        resultPath: '$.alert',
      });
      // A throttled alert never ran: retry it. A lost one (timed out) may have sent: don't send twice.
      retryLambdaFaults(task, false);
      task.addCatch(end, { resultPath: '$.alertError' });
      return task.next(end);
    };
    const verdict = new sfn.Choice(this, 'Did every target succeed?')
      .when(sfn.Condition.numberGreaterThan('$.summary.failed', 0), alert('Send the failure alert (fleet)', 'failure', failed))
      .otherwise(props.notifyOnSuccess ? alert('Send the success alert (Every target restored)', 'success', done, 'Every target restored') : done);
    this.map.next(summarize).next(verdict);
    // A summary that cannot be written still ends the fleet FAILED, with its error.
    summarize.addCatch(alert('Send the failure alert (fleet without a summary)', 'failure', unsummarized, undefined,
      { error: sfn.JsonPath.objectAt('$.summaryError') }), { resultPath: '$.summaryError' });
    // Before any target starts: the account's RDS quotas. A refusal changes nothing.
    const preflight = invoke(this, 'Check the fleet against the RDS quotas', props.preflightFunction,
      { 'targets.$': '$.targets', 'maxConcurrency.$': '$.maxConcurrency' }, '$.preflight');
    preflight.addCatch(alert('Send the failure alert (fleet refused)', 'failure', new sfn.Fail(this, 'Fleet refused', {
      errorPath: '$.preflightError.Error', causePath: '$.preflightError.Cause',
    }), undefined, { error: sfn.JsonPath.objectAt('$.preflightError'), refused: true }), { resultPath: '$.preflightError' });
    const refused = new sfn.Fail(this, 'Fleet refused for the quotas', { error: 'QuotaExceeded', causePath: '$.preflight.message' });
    preflight.next(new sfn.Choice(this, 'Does the fleet fit the quotas?')
      .when(sfn.Condition.booleanEquals('$.preflight.refused', true), alert('Send the failure alert (fleet over the quotas)', 'failure', refused,
        undefined, { error: { 'Error': 'QuotaExceeded', 'Cause.$': '$.preflight.message' }, refused: true }))
      .otherwise(this.map));
    this.startState = preflight;
  }

  /**
   * What the state machine's role needs to run each target as its own child
   * execution (`startExecution.sync:2`; Step Functions Developer Guide, "IAM
   * policies for AWS Step Functions", Synchronous): StartExecution on itself,
   * DescribeExecution and StopExecution on its executions, and the managed
   * EventBridge rule that reports their ends. A separate policy, created after
   * the state machine: naming its own ARN in its default policy would be a
   * dependency cycle, and it keeps its name generated (several pipelines per account).
   */
  public grantChildExecutions(stateMachine: sfn.StateMachine, summaryFunction: lambda.IFunction): void {
    const stack = Stack.of(this);
    const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    stateMachine.role.attachInlinePolicy(new iam.Policy(this, 'ChildExecutionsPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executions] }),
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule' })],
        }),
      ],
    }));
    // The summary reads each child's history for its downtime (from the rename to the restored database seen ready).
    summaryFunction.role?.attachInlinePolicy(new iam.Policy(this, 'SummaryPolicy', {
      statements: [new iam.PolicyStatement({ actions: ['states:GetExecutionHistory'], resources: [executions] })],
    }));
  }
}
