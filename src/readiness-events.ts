import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SleepFunction } from './handlers/sleep-function';
import { WakeFunction } from './handlers/wake-function';


/**
 * The EventBridge detail types of RDS events about DB instances, clusters and
 * their snapshots (EventBridge events reference, "Amazon Relational Database
 * Service events"; RDS User Guide, "Overview of events for Amazon RDS").
 */
export const RDS_EVENT_DETAIL_TYPES = ['RDS DB Instance Event', 'RDS DB Cluster Event', 'RDS DB Snapshot Event', 'RDS DB Cluster Snapshot Event'];

/**
 * The RDS events that may end a wait of the pipeline: a resource created,
 * restored, deleted, backed up, started, renamed or reconfigured, or failed
 * (so the check reports the failure at once). From the RDS User Guide and the
 * Aurora User Guide, "Amazon RDS event categories and event messages"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html).
 * No DB instance "renamed" event is listed there: a rename ends by polling.
 */
export const WAKE_EVENT_IDS: Record<string, string> = {
  // DB instance
  'RDS-EVENT-0002': 'backup: Finished DB instance backup',
  'RDS-EVENT-0003': 'deletion: The DB instance has been deleted',
  'RDS-EVENT-0005': 'creation: DB instance created',
  'RDS-EVENT-0006': 'availability: The DB instance restarted',
  'RDS-EVENT-0014': 'configuration change: The DB instance class for this DB instance has changed',
  'RDS-EVENT-0017': 'configuration change: The storage settings for this DB instance have changed',
  'RDS-EVENT-0019': 'restoration: The DB instance has been restored from a point-in-time backup',
  'RDS-EVENT-0025': 'configuration change: The DB instance has been converted to a Multi-AZ DB instance',
  'RDS-EVENT-0029': 'configuration change: The DB instance has been converted to a Single-AZ DB instance',
  'RDS-EVENT-0031': 'failure: The DB instance has failed due to an incompatible configuration or an underlying storage issue',
  'RDS-EVENT-0035': 'failure: The DB instance has invalid parameters',
  'RDS-EVENT-0036': 'failure: The DB instance is in an incompatible network',
  'RDS-EVENT-0043': 'restoration: Restored from snapshot',
  'RDS-EVENT-0088': 'notification: The DB instance has been started',
  'RDS-EVENT-0092': 'configuration change: A parameter group for this DB instance has finished updating',
  // DB snapshot
  'RDS-EVENT-0041': 'deletion: A DB snapshot has been deleted',
  'RDS-EVENT-0042': 'creation: A manual DB snapshot has been created',
  'RDS-EVENT-0060': 'notification: Finished copy of snapshot (cross-Region)',
  'RDS-EVENT-0091': 'creation: An automated DB snapshot has been created',
  'RDS-EVENT-0197': 'notification: Finished copy of snapshot (local)',
  // DB cluster (Aurora)
  'RDS-EVENT-0170': 'creation: DB cluster created',
  'RDS-EVENT-0171': 'deletion: DB cluster deleted',
  'RDS-EVENT-0172': 'notification: Renamed DB cluster',
  // DB cluster snapshot
  'RDS-EVENT-0075': 'backup: A manual DB cluster snapshot has been created',
  'RDS-EVENT-0169': 'backup: Automated cluster snapshot created',
};

/** Props for `ReadinessEvents`. */
export interface ReadinessEventsProps {
  /** The table the sleeping waits leave their task tokens in (the lock table). */
  readonly table: dynamodb.ITable;
  /** What the functions run with (network, log group, environment). */
  readonly functionOptions: lambda.FunctionOptions;
}

/**
 * Waits woken by RDS events. A long sleep of a wait is a callback task: the
 * `sleep` function leaves its task token in `table` under the identifiers the
 * wait checks. An EventBridge rule sends the RDS events that may end a wait
 * (`WAKE_EVENT_IDS`) to the `wake` function, which resumes the waits sleeping
 * on the event's source (SendTaskSuccess); their status check runs at once.
 * Events are best effort (RDS User Guide, "Overview of events for Amazon
 * RDS": they "might be out of sequence or missing"): a sleep that no event
 * ends lasts its interval, and the check stays the judge.
 */
export class ReadinessEvents extends Construct {
  /** Leaves a sleeping wait's task token in the table (the callback task's function). */
  public readonly sleep: lambda.Function;
  /** Resumes the waits an RDS event is about. */
  public readonly wake: lambda.Function;
  /** Sends the RDS events that may end a wait to `wake`. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReadinessEventsProps) {
    super(scope, id);
    this.sleep = new SleepFunction(this, 'Sleep', props.functionOptions);
    this.sleep.addEnvironment('WAKE_TABLE', props.table.tableName);
    props.table.grant(this.sleep, 'dynamodb:UpdateItem');

    this.wake = new WakeFunction(this, 'Wake', props.functionOptions);
    this.wake.addEnvironment('WAKE_TABLE', props.table.tableName);
    props.table.grant(this.wake, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    // SendTaskSuccess has no resource type in the Service Authorization Reference (AWS Step Functions:
    // "Actions defined by AWS Step Functions"): it is authorized by the task token itself, so Resource is *.
    this.wake.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: ['*'] }));

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Trapheus: RDS events that may end a wait of the restore pipeline wake it early',
      eventPattern: {
        source: ['aws.rds'],
        detailType: RDS_EVENT_DETAIL_TYPES,
        detail: { EventID: Object.keys(WAKE_EVENT_IDS) },
      },
    });
    // A missed event only delays a wait (its sleep ends by its timeout): few retries, none late.
    this.rule.addTarget(new targets.LambdaFunction(this.wake, { retryAttempts: 2, maxEventAge: Duration.minutes(5) }));
  }
}
