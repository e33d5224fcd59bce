import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Cutover, resolveDnsAlias } from './cutover';
import { dnsFunction } from './dns-permissions';
import { checkProps } from './errors';
import { executionTimeout } from './execution-timeout';
import { ApplyConfigFunction } from './handlers/apply-config-function';
import { CaptureFunction } from './handlers/capture-function';
import { CheckStatusFunction } from './handlers/check-status-function';
import { DeleteFunction } from './handlers/delete-function';
import { DnsFunction } from './handlers/dns-function';
import { FleetPreflightFunction } from './handlers/fleet-preflight-function';
import { FleetSummaryFunction } from './handlers/fleet-summary-function';
import { LockFunction } from './handlers/lock-function';
import { NotifyFunction } from './handlers/notify-function';
import { OutcomeFunction } from './handlers/outcome-function';
import { RenameFunction } from './handlers/rename-function';
import { RestoreFunction } from './handlers/restore-function';
import { SnapshotFunction } from './handlers/snapshot-function';
import { ValidateInputFunction } from './handlers/validate-input-function';
import { checkLogRemovalPolicy } from './observability';
import { RdsAccess } from './permissions';
import { ReadinessEvents } from './readiness-events';
import { checkSnapshotProps, RestoreHandlersProps } from './restore-handlers-props';

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
  /** Takes and releases the one-restore-per-database lock. */
  public readonly lock: lambda.IFunction;
  /** Summarizes a fleet's targets (no RDS call; reads the child executions' histories). */
  public readonly fleetSummary: lambda.IFunction;
  /** Refuses a fleet that would exceed the account's RDS quotas, before any target starts. */
  public readonly fleetPreflight: lambda.IFunction;
  /** Reads and switches the DNS record (cutover `Cutover.dnsAlias()` only). */
  public readonly dns?: lambda.IFunction;
  /** Waits woken by RDS events: the sleep and wake functions and the rule (unless `wakeOnRdsEvents` is false). */
  public readonly readinessEvents?: ReadinessEvents;
  /** The lock table: one item per database being restored, keyed `db:<id>` or `cluster:<id>`. */
  public readonly lockTable: dynamodb.Table;
  /** The log group every function of the pipeline logs to. */
  public readonly logGroup: logs.LogGroup;
  /** The functions' security group, in VPC mode: HTTPS (443) out only. */
  public readonly securityGroup?: ec2.SecurityGroup;
  /**
   * What every function of the pipeline runs with (network, log group, environment): for the
   * functions made elsewhere (the export handler of `SnapshotExport`).
   * @internal
   */
  public readonly _functionOptions: lambda.FunctionOptions;
  /**
   * Shared snapshots are copied into this account (`sourceAccounts`): whether the copies are kept.
   * @internal
   */
  public readonly _sharedSnapshotCopies?: { readonly keep: boolean };

  constructor(scope: Construct, id: string, props: RestoreHandlersProps = {}) {
    super(scope, id);
    // One log group for all the pipeline's functions: one place to follow an execution.
    checkProps(this, () => checkLogRemovalPolicy(props.logRemovalPolicy));
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
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
    this._functionOptions = options;
    const prefix = props.snapshotNamePrefix ?? '';
    checkProps(this, () => checkSnapshotProps(props));
    const access = checkProps(this, () => new RdsAccess(this, {
      allowedIdentifiers: props.allowedIdentifiers,
      encryptionKeys: props.encryptionKeys,
      snapshotNamePrefix: prefix,
    }));
    const stack = Stack.of(this);
    const passable = props.passableRoles?.map((r) => r.roleArn)
      ?? [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'rds-monitoring-role' })];
    const passRoles = (fn: lambda.Function) => fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: passable,
      conditions: { StringEquals: { 'iam:PassedToService': ['monitoring.rds.amazonaws.com', 'rds.amazonaws.com'] } },
    }));
    const describe = ['DescribeDBInstances', 'DescribeDBClusters'];
    const make = <F extends lambda.Function>(fn: F, ...reads: string[]): F => {
      if (reads.length > 0) access.grantRead(fn, reads);
      return fn;
    };

    const validateInput = new ValidateInputFunction(this, 'ValidateInput', options);
    // shared snapshots (an ARN of another account) are refused unless their account is listed
    validateInput.addEnvironment('ACCOUNT_ID', stack.account);
    validateInput.addEnvironment('SOURCE_ACCOUNTS', JSON.stringify(props.sourceAccounts ?? []));
    this.validateInput = validateInput;

    // DescribeDBInstanceAutomatedBackups: the earliest restorable time of a point-in-time restore
    const capture = make(new CaptureFunction(this, 'Capture', options), ...describe, 'DescribeDBInstanceAutomatedBackups');
    // toJsonString: a token (e.g. `db.instanceIdentifier`) becomes its deploy-time value, quoted as JSON.
    if (access.allowedIdentifiers) capture.addEnvironment('ALLOWED_IDENTIFIERS', stack.toJsonString(access.allowedIdentifiers));
    // Entries known only at deploy time: IAM names only their plain temporary names (see RdsAccess).
    const deployTime = access.allowedIdentifiers?.filter((entry) => Token.isUnresolved(entry)) ?? [];
    if (deployTime.length > 0) capture.addEnvironment('DEPLOY_TIME_IDENTIFIERS', stack.toJsonString(deployTime));
    // The pre-flight refuses a database whose monitoring or directory role the restore could not pass.
    capture.addEnvironment('PASSABLE_ROLES', stack.toJsonString(passable));
    this.capture = capture;

    const snapshot = make(new SnapshotFunction(this, 'Snapshot', options), 'DescribeDBSnapshots', 'DescribeDBClusterSnapshots');
    access.grant(snapshot, ['CreateDBSnapshot'], ['db', 'snapshot']);
    access.grant(snapshot, ['CreateDBClusterSnapshot'], ['cluster', 'cluster-snapshot']);
    access.grant(snapshot, ['AddTagsToResource', 'DeleteDBSnapshot', 'DeleteDBClusterSnapshot'], ['snapshot', 'cluster-snapshot']);
    // A snapshot named by the input (snapshotIdentifier) may have any name: created only with this pipeline's tag
    access.grantTaggedSnapshotCreation(snapshot, pipelineId);
    if (prefix) snapshot.addEnvironment('SNAPSHOT_NAME_PREFIX', prefix);
    // Shared snapshots of the listed accounts are copied into this account (re-encrypted with copyKey), then deleted or kept
    if (props.sourceAccounts?.length) {
      snapshot.addEnvironment('ACCOUNT_ID', stack.account);
      if (props.copyKey) snapshot.addEnvironment('COPY_KEY_ARN', props.copyKey.keyArn);
      access.grantSharedSnapshotCopy(snapshot, props.sourceAccounts, props.copyKey);
      this._sharedSnapshotCopies = { keep: props.keepSnapshotCopies ?? false };
    }
    this.snapshot = snapshot;

    const rename = make(new RenameFunction(this, 'Rename', options), ...describe);
    access.grant(rename, ['ModifyDBInstance', 'ModifyDBCluster'], ['db', 'cluster']);
    this.rename = rename;

    const restore = make(new RestoreFunction(this, 'Restore', options), ...describe);
    access.grant(restore, ['RestoreDBInstanceFromDBSnapshot', 'RestoreDBClusterFromSnapshot', 'CreateDBInstance', 'AddTagsToResource',
      'RestoreDBInstanceToPointInTime', 'RestoreDBClusterToPointInTime'], ['db', 'cluster'], { creates: true, referenced: true });
    // Any snapshot of this account may be restored from (a named manual one, an automated one): reading it changes nothing
    access.grantRestoreFromAnySnapshot(restore);
    // A member is created in the restored cluster, which the member's request does not tag: name or tag of the cluster.
    access.grant(restore, ['CreateDBInstance'], ['cluster']);
    passRoles(restore);
    // restoring (or creating a member of) a database encrypted with a customer managed key
    access.grantKeyUseThroughRds(restore);
    // the copies of encrypted shared snapshots are encrypted with copyKey (not necessarily one of encryptionKeys)
    if (props.copyKey && props.encryptionKeys) access.grantKeyUseThroughRds(restore, [props.copyKey.keyArn]);
    this.restore = restore;

    const applyConfig = make(new ApplyConfigFunction(this, 'ApplyConfig', options), ...describe);
    access.grant(applyConfig, ['ModifyDBInstance', 'ModifyDBCluster'], ['db', 'cluster'], { referenced: true });
    // The RDS Data API of a restored provisioned / Serverless v2 cluster (IAM reference: resource `cluster`)
    access.grant(applyConfig, ['EnableHttpEndpoint', 'DisableHttpEndpoint'], ['cluster']);
    passRoles(applyConfig);
    // Performance Insights with a customer managed key
    access.grantKeyUseThroughRds(applyConfig);
    if (props.restoreManagedMasterPassword) {
      applyConfig.addEnvironment('RESTORE_MANAGED_MASTER_PASSWORD', 'true');
      access.grantManagedPasswordSecret(applyConfig);
    }
    this.applyConfig = applyConfig;

    this.checkStatus = make(new CheckStatusFunction(this, 'CheckStatus', options), ...describe, 'DescribeDBSnapshots', 'DescribeDBClusterSnapshots');

    const del = make(new DeleteFunction(this, 'Delete', options), ...describe, 'DescribeDBSnapshots', 'DescribeDBClusterSnapshots');
    access.grant(del, ['ModifyDBInstance', 'ModifyDBCluster', 'DeleteDBInstance', 'DeleteDBCluster'], ['db', 'cluster']);
    // A final snapshot on delete (OldDatabasePolicy.snapshotThenDelete()) is also authorized as the
    // snapshot it creates: rds:CreateDBSnapshot / rds:CreateDBClusterSnapshot on the DB instance or
    // cluster and on the snapshot; DeleteDBCluster is authorized on the final cluster snapshot too
    // (IAM service reference, "Actions, resources, and condition keys for Amazon RDS").
    access.grant(del, ['CreateDBSnapshot'], ['db']);
    access.grant(del, ['CreateDBClusterSnapshot'], ['cluster']);
    access.grant(del, ['DeleteDBCluster'], ['cluster-snapshot']);
    access.grant(del, ['CreateDBSnapshot', 'CreateDBClusterSnapshot', 'AddTagsToResource'], ['snapshot', 'cluster-snapshot']);
    this.delete = del;

    this.outcome = make(new OutcomeFunction(this, 'Outcome', options), ...describe);

    // One restore per database at a time. The holder's execution is checked
    // with DescribeExecution, so a lock never outlives a stopped or failed run;
    // past expiresAt the lock is free, and DynamoDB's TTL removes the item.
    this.lockTable = new dynamodb.Table(this, 'LockTable', {
      partitionKey: { name: 'lockKey', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const lock = new LockFunction(this, 'Lock', options);
    lock.addEnvironment('LOCK_TABLE', this.lockTable.tableName);
    lock.addEnvironment('LOCK_SECONDS', String(props.lockSeconds ?? executionTimeout({}).toSeconds()));
    this.lockTable.grant(lock, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    // Waits that learn: the status check reads and records how long each wait took (lambda-src/rds/wait-history.ts).
    (this.checkStatus as lambda.Function).addEnvironment('HISTORY_TABLE', this.lockTable.tableName);
    this.lockTable.grant(this.checkStatus, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    // DescribeExecution of the lock's holder. The state machine's own ARN would make a
    // dependency cycle (it invokes this function), so: executions of any state machine here, read-only.
    lock.addToRolePolicy(new iam.PolicyStatement({
      actions: ['states:DescribeExecution'],
      resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    this.lock = lock;
    if (props.wakeOnRdsEvents ?? true) this.readinessEvents = new ReadinessEvents(this, 'ReadinessEvents', { table: this.lockTable, functionOptions: options });
    this.notify = new NotifyFunction(this, 'Notify', options);
    this.fleetSummary = new FleetSummaryFunction(this, 'FleetSummary', options);
    // DescribeAccountAttributes has no resource type (IAM service reference for RDS): resource "*", read-only.
    const fleetPreflight = make(new FleetPreflightFunction(this, 'FleetPreflight', options), 'DescribeAccountAttributes', 'DescribeDBClusters');
    // a target restoring a snapshot of another account copies it first: at most 20 copies at once
    fleetPreflight.addEnvironment('ACCOUNT_ID', stack.account);
    this.fleetPreflight = fleetPreflight;

    const dnsAlias = checkProps(this, () => resolveDnsAlias(props));
    // an Aurora cluster is built beside the original (its staging names must be free)
    if (dnsAlias || props.cutover === Cutover.RESTORE_THEN_SWAP) capture.addEnvironment('CUTOVER', props.cutover!.value);
    if (dnsAlias) this.dns = dnsFunction(this, make(new DnsFunction(this, 'Dns', options), ...describe), dnsAlias);
  }
}
