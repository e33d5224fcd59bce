import { Duration, Names } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ApplyConfigFunction } from './handlers/apply-config-function';
import { CaptureFunction } from './handlers/capture-function';
import { CheckStatusFunction } from './handlers/check-status-function';
import { DeleteFunction } from './handlers/delete-function';
import { OutcomeFunction } from './handlers/outcome-function';
import { RenameFunction } from './handlers/rename-function';
import { RestoreFunction } from './handlers/restore-function';
import { SnapshotFunction } from './handlers/snapshot-function';
import { ValidateInputFunction } from './handlers/validate-input-function';

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

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Unique per TrapheusRestore: tags the snapshots this pipeline makes, so
    // two pipelines in one account never prune each other's snapshots.
    const pipelineId = Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    const options: lambda.FunctionOptions = {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: { PIPELINE_ID: pipelineId },
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
    this.capture = rds(new CaptureFunction(this, 'Capture', options), 'DescribeDBInstances');
    this.snapshot = rds(new SnapshotFunction(this, 'Snapshot', options),
      'CreateDBSnapshot', 'AddTagsToResource', 'DescribeDBSnapshots', 'DeleteDBSnapshot');
    this.rename = rds(new RenameFunction(this, 'Rename', options), 'DescribeDBInstances', 'ModifyDBInstance');
    this.restore = passRoleTo(rds(new RestoreFunction(this, 'Restore', options),
      'RestoreDBInstanceFromDBSnapshot', 'AddTagsToResource', 'DescribeDBInstances'), 'rds.amazonaws.com');
    this.applyConfig = passRoleTo(rds(new ApplyConfigFunction(this, 'ApplyConfig', options),
      'DescribeDBInstances', 'ModifyDBInstance'), 'monitoring.rds.amazonaws.com');
    this.checkStatus = rds(new CheckStatusFunction(this, 'CheckStatus', options), 'DescribeDBInstances', 'DescribeDBSnapshots');
    this.delete = rds(new DeleteFunction(this, 'Delete', options), 'DescribeDBInstances', 'ModifyDBInstance', 'DeleteDBInstance');
    this.outcome = rds(new OutcomeFunction(this, 'Outcome', options), 'DescribeDBInstances');
  }
}
