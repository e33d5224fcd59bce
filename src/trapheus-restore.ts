import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { startsExecutions } from './after-restore';
import { RestoreAlerts } from './alerts';
import { ClusterRestorePipeline } from './cluster-pipeline';
import { ExecutionEndings, FailurePhase } from './endings';
import { checkProps } from './errors';
import { RestoreFleet } from './fleet';
import { InstanceRestorePipeline } from './instance-pipeline';
import { invoke } from './invoke';
import { DNS_CHANGES, HOOK_EXECUTIONS, suppressDeliberateNagFindings } from './nag-suppressions';
import { createInterfaceEndpoints } from './network';
import { executionFailureAlarm, executionLogGroup } from './observability';
import { RestoreHandlers } from './restore-handlers';
import { RestoreSchedules } from './schedules';
import { SnapshotExport } from './snapshot-export';
import { checkTrapheusRestoreProps, TrapheusRestoreProps } from './trapheus-restore-props';

/**
 * Restores an RDS DB instance, or an Aurora DB cluster with all its members,
 * from a snapshot in place: same identifier, so the same endpoint, and the
 * same configuration as before.
 *
 * Start an execution of `stateMachine` with
 * `{"identifier": "my-db", "task": "create_snapshot" | "db_restore" | "create_snapshot_only", "isCluster": false}`
 * (`"isCluster": true` for an Aurora cluster).
 */
export class TrapheusRestore extends Construct {
  /** The restore pipeline. */
  public readonly stateMachine: sfn.StateMachine;
  /** The handler functions, one per verb. */
  public readonly handlers: RestoreHandlers;
  /** The DB-instance branch. */
  public readonly instancePipeline: InstanceRestorePipeline;
  /** The Aurora cluster branch. */
  public readonly clusterPipeline: ClusterRestorePipeline;
  /** How every execution ends: failure reports, successes. */
  public readonly endings: ExecutionEndings;
  /** The `export_snapshot` task (its export role and function), when `exportTo` is given. */
  public readonly snapshotExport?: SnapshotExport;
  /** Receives every alert as JSON, and the failure alarm's notifications: subscribe to it. */
  public readonly alertTopic: sns.Topic;
  /** The execution log of the state machine (level ALL, with execution data). */
  public readonly logGroup: logs.LogGroup;
  /** The stack output holding the state machine's ARN (unless `stateMachineArnOutput` is false). */
  public readonly stateMachineArnOutput?: CfnOutput;
  /** Fires when an execution fails or times out; notifies `alertTopic`. */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** The EventBridge Scheduler schedules, when `schedules` is given. */
  public readonly schedules?: RestoreSchedules;
  /** The interface endpoints made with `createVpcEndpoints`. */
  public readonly vpcEndpoints: ec2.InterfaceVpcEndpoint[];
  /** The gateway endpoints made with `createVpcEndpoints` (DynamoDB, for the restore lock). */
  public readonly gatewayEndpoints: ec2.GatewayVpcEndpoint[];
  /**
   * The state machine's timeout, and the restore lock's lifetime: the longest
   * legitimate run (every wait of the longer branch at `maxWait` with its
   * status checks, the keep window of `OldDatabasePolicy.keepFor()`, two hours
   * for the other tasks and their retries), rounded up to whole hours.
   * 102 hours with the default props. An execution that passes it ends
   * TIMED_OUT (the failure alarm fires) and its lock is taken over.
   */
  public readonly executionTimeout: Duration;

  constructor(scope: Construct, id: string, props: TrapheusRestoreProps = {}) {
    super(scope, id);
    // Every prop is checked before anything is built; an error names this construct and its path.
    const checked = checkProps(this, () => checkTrapheusRestoreProps(this, props));
    const network = checked.network;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;
    this.executionTimeout = checked.timeout;
    this.handlers = new RestoreHandlers(this, 'Handlers', {
      vpc: network.vpc,
      vpcSubnets: network.vpcSubnets,
      logRetention,
      logRemovalPolicy,
      allowedIdentifiers: props.allowedIdentifiers,
      passableRoles: props.passableRoles,
      encryptionKeys: props.encryptionKeys,
      snapshotNamePrefix: props.snapshotNamePrefix,
      sourceAccounts: props.sourceAccounts,
      copyKey: props.copyKey,
      keepSnapshotCopies: props.keepSnapshotCopies,
      restoreManagedMasterPassword: props.restoreManagedMasterPassword,
      cutover: props.cutover,
      wakeOnRdsEvents: props.wakeOnRdsEvents,
      // The lock lives as long as the execution may: it cannot expire while its holder runs.
      lockSeconds: this.executionTimeout.toSeconds(),
    });
    const alerts = new RestoreAlerts(this, 'Alerts', {
      notifyFunction: this.handlers.notify,
      senderEmail: props.senderEmail,
      recipientEmails: props.recipientEmails,
      slackWebhookSecret: props.slackWebhookSecret,
      slackWebhookUrls: props.slackWebhookUrls,
    });
    this.alertTopic = alerts.topic;
    this.endings = new ExecutionEndings(this, 'Endings', {
      outcomeFunction: this.handlers.outcome,
      notifyFunction: this.handlers.notify,
      notifyOnSuccess: props.notifyOnSuccess,
      lockFunction: this.handlers.lock,
    });
    if (props.exportTo) {
      this.snapshotExport = new SnapshotExport(this, 'SnapshotExport', {
        destination: props.exportTo, handlers: this.handlers, endings: this.endings, polling: props,
      });
    }
    this.instancePipeline = new InstanceRestorePipeline(this, 'InstancePipeline', {
      handlers: this.handlers,
      endings: this.endings,
      polling: props,
      oldDatabase: props.oldDatabase,
      deleteOldAutomatedBackups: props.deleteOldAutomatedBackups,
      cutover: props.cutover,
      snapshotExport: this.snapshotExport,
      afterRestore: props.afterRestore,
    });
    this.clusterPipeline = new ClusterRestorePipeline(this, 'ClusterPipeline', {
      handlers: this.handlers,
      endings: this.endings,
      polling: props,
      oldDatabase: props.oldDatabase,
      deleteOldAutomatedBackups: props.deleteOldAutomatedBackups,
      cutover: props.cutover,
      snapshotExport: this.snapshotExport,
      afterRestore: props.afterRestore,
    });

    // The input may be anything (null, a string...): the handler reads it from
    // the context object, and a refusal replaces the state with an object
    // holding the error, so no path is ever applied to a non-object input.
    // Validation returns the clean input, which becomes the job document.
    // (No ResultPath on either means "$": the result, or the error, replaces the state.)
    const validate = invoke(this, 'Validate the input', this.handlers.validateInput, { 'input.$': '$$.Execution.Input' });
    const refusal = new sfn.Pass(this, 'Keep the refusal', { parameters: { 'error.$': '$' } });
    validate.addCatch(refusal.next(this.endings.report(FailurePhase.REFUSED)));
    // One restore per database at a time: a second execution for the same database fails fast.
    const lock = invoke(this, 'Take the restore lock', this.handlers.lock, {
      'op': 'acquire', 'identifier.$': '$.identifier', 'isCluster.$': '$.isCluster', 'execution.$': '$$.Execution.Id',
    }, '$.lock');
    lock.addCatch(this.endings.report(FailurePhase.UNCHANGED), { resultPath: '$.error' });
    // A fleet ({"targets": [...]}) runs each target as a child execution of this state machine.
    const fleet = new RestoreFleet(this, 'Fleet', {
      summaryFunction: this.handlers.fleetSummary,
      preflightFunction: this.handlers.fleetPreflight,
      notifyFunction: this.handlers.notify,
      notifyOnSuccess: props.notifyOnSuccess,
    });
    (this.handlers.validateInput as lambda.Function).addEnvironment('FLEET_CONCURRENCY', String(checked.fleetConcurrency));
    const definition = sfn.Chain.start(validate).next(new sfn.Choice(this, 'Is it a fleet?')
      .when(sfn.Condition.isPresent('$.targets'), fleet.startState)
      .otherwise(new sfn.Choice(this, 'Is it a fleet\'s target?')
        // A fleet's first targets start a few seconds apart (fleet-input.ts, START_SPACING): RDS's request budget.
        .when(sfn.Condition.isPresent('$.fleet'),
          new sfn.Wait(this, 'Wait for this target\'s turn', { time: sfn.WaitTime.secondsPath('$.fleet.delay') }).next(lock))
        .otherwise(lock)));
    lock.next(new sfn.Choice(this, 'Is it a cluster?')
      .when(sfn.Condition.booleanEquals('$.isCluster', true), this.clusterPipeline.startState)
      .otherwise(this.instancePipeline.startState));

    this.logGroup = executionLogGroup(this, 'ExecutionLogs', logRetention, logRemovalPolicy);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      timeout: this.executionTimeout,
    });
    fleet.grantChildExecutions(this.stateMachine, this.handlers.fleetSummary);
    this.failureAlarm = executionFailureAlarm(this, 'FailureAlarm', this.stateMachine, this.alertTopic);
    if (props.schedules?.length) {
      this.schedules = new RestoreSchedules(this, 'Schedules', {
        stateMachine: this.stateMachine,
        schedules: props.schedules,
        allowedIdentifiers: checked.allowedIdentifiers,
      });
    }
    if (props.stateMachineArnOutput ?? true) {
      this.stateMachineArnOutput = new CfnOutput(this, 'StateMachineArn', {
        value: this.stateMachine.stateMachineArn,
        description: `The Trapheus restore state machine ${this.node.path}: aws stepfunctions start-execution --state-machine-arn <this value>`,
      });
    }
    const endpoints = network.createVpcEndpoints
      ? createInterfaceEndpoints(this, network.vpc!, network.vpcSubnets, this.handlers.securityGroup!, {
        email: props.senderEmail !== undefined,
        secretsManager: props.slackWebhookSecret !== undefined,
        slack: props.slackWebhookSecret !== undefined || (props.slackWebhookUrls?.length ?? 0) > 0,
      })
      : { interfaces: [], gateways: [] };
    this.vpcEndpoints = endpoints.interfaces;
    this.gatewayEndpoints = endpoints.gateways;

    // Deliberate cdk-nag findings, suppressed on the exact resources and findings, with reasons.
    const extraWildcards = [...startsExecutions(props.afterRestore) ? [HOOK_EXECUTIONS] : [], ...this.handlers.dns ? [DNS_CHANGES] : []];
    suppressDeliberateNagFindings(this, extraWildcards);
  }

  /** Allow `grantee` to start restore executions. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }
}
