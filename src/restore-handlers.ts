import { Duration, Names } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApplyConfigFunction } from './handlers/apply-config-function';
import { CaptureFunction } from './handlers/capture-function';
import { CheckStatusFunction } from './handlers/check-status-function';
import { DeleteFunction } from './handlers/delete-function';
import { NotifyFunction } from './handlers/notify-function';
import { OutcomeFunction } from './handlers/outcome-function';
import { RenameFunction } from './handlers/rename-function';
import { RestoreFunction } from './handlers/restore-function';
import { SnapshotFunction } from './handlers/snapshot-function';
import { ValidateInputFunction } from './handlers/validate-input-function';

/** Props for `RestoreHandlers`: where the functions run and where they log. */
export interface RestoreHandlersProps {
  /**
   * Run the functions in this VPC, with a dedicated security group that
   * allows only HTTPS (443) out.
   * @default - the Lambda-owned network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The subnets of `vpc` to run in.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * How long the functions' logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The Lambda functions of the pipeline: one verb each, each with its own role
 * holding only the RDS actions it calls.
 */
export class RestoreHandlers extends Construct {
  /** Checks the execution input before any RDS call. */
  public readonly validateInput: lambda.IFunction;
  /** Pre-flight checks; captures the original configuration. */
  public readonly capture: lambda.IFunction;
  /** Creates, finds and prunes snapshots. */
  public readonly snapshot: lambda.IFunction;
  /** Renames the original out of the way and back. */
  public readonly rename: lambda.IFunction;
  /** Restores the snapshot under the original identifier. */
  public readonly restore: lambda.IFunction;
  /** Applies what the restore call cannot carry, then verifies the configuration. */
  public readonly applyConfig: lambda.IFunction;
  /** The status check every wait uses. */
  public readonly checkStatus: lambda.IFunction;
  /** Deletes the old DB, or a partly restored one during rollback. */
  public readonly delete: lambda.IFunction;
  /** Writes the failure report: the error and the state the database was left in. */
  public readonly outcome: lambda.IFunction;
  /** Sends the alerts (SNS, email, Slack) at the end of an execution; `RestoreAlerts` configures it. */
  public readonly notify: lambda.Function;
  /** The log group every function of the pipeline logs to. */
  public readonly logGroup: logs.LogGroup;
  /** The functions' security group, in VPC mode: HTTPS (443) out only. */
  public readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RestoreHandlersProps = {}) {
    super(scope, id);
    // One log group for all the pipeline's functions: one place to follow an execution.
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    if (props.vpc) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: 'Trapheus restore handlers: HTTPS out only (AWS APIs through NAT or VPC endpoints, Slack)',
        allowAllOutbound: false,
      });
      this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the AWS APIs and Slack');
    }
    // Unique per TrapheusRestore: tags the snapshots this pipeline makes, so
    // two pipelines in one account never prune each other's snapshots.
    const pipelineId = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    const options: lambda.FunctionOptions = {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: { PIPELINE_ID: pipelineId },
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: this.securityGroup ? [this.securityGroup] : undefined,
    };
    const rds = (fn: lambda.Function, ...actions: string[]) => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: actions.map((a) => `rds:${a}`), resources: ['*'] }));
      return fn;
    };
    const passRoleTo = (fn: lambda.Function, service: string) => {
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: ['*'],
        conditions: { StringEquals: { 'iam:PassedToService': service } },
      }));
      return fn;
    };

    this.validateInput = new ValidateInputFunction(this, 'ValidateInput', options);
    const describe = ['DescribeDBInstances', 'DescribeDBClusters'];
    this.capture = rds(new CaptureFunction(this, 'Capture', options), ...describe);
    this.snapshot = rds(new SnapshotFunction(this, 'Snapshot', options),
      'CreateDBSnapshot', 'CreateDBClusterSnapshot', 'AddTagsToResource', 'DescribeDBSnapshots', 'DescribeDBClusterSnapshots',
      'DeleteDBSnapshot', 'DeleteDBClusterSnapshot');
    this.rename = rds(new RenameFunction(this, 'Rename', options), ...describe, 'ModifyDBInstance', 'ModifyDBCluster');
    this.restore = passRoleTo(passRoleTo(rds(new RestoreFunction(this, 'Restore', options),
      'RestoreDBInstanceFromDBSnapshot', 'RestoreDBClusterFromSnapshot', 'CreateDBInstance', 'AddTagsToResource', ...describe),
    'rds.amazonaws.com'), 'monitoring.rds.amazonaws.com');
    this.applyConfig = passRoleTo(rds(new ApplyConfigFunction(this, 'ApplyConfig', options),
      ...describe, 'ModifyDBInstance', 'ModifyDBCluster'), 'monitoring.rds.amazonaws.com');
    this.checkStatus = rds(new CheckStatusFunction(this, 'CheckStatus', options), ...describe, 'DescribeDBSnapshots', 'DescribeDBClusterSnapshots');
    this.delete = rds(new DeleteFunction(this, 'Delete', options), ...describe, 'ModifyDBInstance', 'ModifyDBCluster', 'DeleteDBInstance', 'DeleteDBCluster');
    this.outcome = rds(new OutcomeFunction(this, 'Outcome', options), ...describe);
    this.notify = new NotifyFunction(this, 'Notify', options);
  }
}
