import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
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
  /**
   * What happens to the functions' log group when the stack is deleted or this
   * construct is removed (`TrapheusRestore` passes its `logRemovalPolicy`).
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * The DB instances and clusters the pipeline may change: exact identifiers,
   * or prefixes ending in `*` (cluster members must match too). Destructive RDS
   * actions are scoped to their ARNs, their temporary names and their snapshots,
   * and an execution for any other identifier fails with `IdentifierNotAllowed`
   * before any change. An identifier may be a token (e.g. `db.instanceIdentifier`),
   * whose value must be an exact identifier of at most 50 characters; prefixes are literal.
   * @default - only databases tagged `trapheus:restorable=true` (instances, or clusters and each of their members)
   */
  readonly allowedIdentifiers?: string[];
  /**
   * IAM roles the pipeline may pass to RDS: the enhanced-monitoring role of your
   * databases, and the directory role of Active Directory–joined ones.
   * @default - the role named `rds-monitoring-role` in this account (the name the RDS console gives it)
   */
  readonly passableRoles?: iam.IRole[];
  /**
   * The KMS keys RDS may use for the pipeline: the customer managed keys your
   * databases (and their Performance Insights) are encrypted with. RDS uses them
   * for the functions that restore, create cluster members and apply settings
   * (kms:CreateGrant and kms:DescribeKey, only through RDS). The AWS managed key
   * `aws/rds` needs nothing here.
   * @default - any KMS key in this account, used only through RDS in this Region
   */
  readonly encryptionKeys?: kms.IKey[];
  /**
   * How long a restore lock lives, in seconds: the state machine's timeout, so
   * the lock cannot expire while its execution runs. Past it the lock is free
   * (DynamoDB's TTL deletes it later); a lock whose execution has ended is
   * taken over at once.
   * @default - the execution timeout of a TrapheusRestore with default props (102 hours)
   */
  readonly lockSeconds?: number;
  /**
   * Put before the names of the snapshots the pipeline makes:
   * `<snapshotNamePrefix><identifier>-trapheus-YYYYMMDD-HHMMSS`. The refresh
   * finds and prunes its snapshots by this pattern and the pipeline's tag,
   * never by name alone; the IAM grants to create and delete snapshots follow it.
   * @default - no prefix
   */
  readonly snapshotNamePrefix?: string;
  /**
   * The AWS accounts whose shared snapshots `db_restore` may be given (by ARN
   * in `snapshotIdentifier`). Snapshots of any other account are refused by
   * the first state.
   * @default - none: shared snapshots are refused
   */
  readonly sourceAccounts?: string[];
  /**
   * The KMS key of this account that copies of encrypted shared snapshots are
   * re-encrypted with (CopyDBSnapshot / CopyDBClusterSnapshot `KmsKeyId`, which
   * RDS requires for them). Only with `sourceAccounts`. The snapshot function
   * may use it, and the source accounts' keys, only through RDS.
   * @default - none: an encrypted shared snapshot is refused before any change (`CopyKeyMissing`)
   */
  readonly copyKey?: kms.IKey;
  /**
   * Keep the copy of a shared snapshot after the restore, instead of deleting
   * it. Only with `sourceAccounts`.
   * @default false - the copies this pipeline made for the database are deleted once it is restored
   */
  readonly keepSnapshotCopies?: boolean;
  /**
   * Turn the RDS-managed master password (`ManageMasterUserPassword`) back on
   * after a restore, when the original had it, with the original's KMS key
   * (ModifyDBInstance / ModifyDBCluster in the settings step). RDS creates a
   * new secret; its ARN is reported. Grants the settings function
   * secretsmanager:CreateSecret and TagResource on `rds!*` secrets, and
   * kms:GenerateDataKey / kms:Decrypt through Secrets Manager on `encryptionKeys`.
   * @default false - the restored database keeps the snapshot's password, unmanaged
   */
  readonly restoreManagedMasterPassword?: boolean;
  /**
   * The cutover: with `Cutover.dnsAlias()`, a function that reads and
   * switches the record (Route 53 ChangeResourceRecordSets on that one record
   * name and type only).
   * @default Cutover.RENAME_FIRST - no DNS function
   */
  readonly cutover?: Cutover;
  /**
   * Wake waits early on RDS events: the long sleeps of a wait are callback
   * tasks that an EventBridge rule on RDS events about the awaited database
   * or snapshot ends at once (`ReadinessEvents`); polling stays the backstop.
   * @default true
   */
  readonly wakeOnRdsEvents?: boolean;
}

/** Why `snapshotNamePrefix` is invalid, or undefined. */
function snapshotNamePrefixProblem(prefix: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(prefix)) return 'must start with a lowercase letter, then lowercase letters, digits and hyphens';
  if (prefix.includes('--')) return 'must not contain two consecutive hyphens';
  // with a 63-character identifier and the 24 characters of "-trapheus-YYYYMMDD-HHMMSS", the name stays within RDS's 255
  if (prefix.length > 160) return `has ${prefix.length} characters; at most 160 keep snapshot names within RDS's 255`;
  return undefined;
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
    checkProps(this, () => {
      const why = props.snapshotNamePrefix !== undefined ? snapshotNamePrefixProblem(prefix) : undefined;
      if (why) throw new Error(`snapshotNamePrefix "${prefix}" ${why}`);
      for (const a of props.sourceAccounts ?? []) {
        if (!/^\d{12}$/.test(a)) throw new Error(`sourceAccounts: "${a}" is not an AWS account ID (12 digits)`);
      }
      if (!props.sourceAccounts?.length && (props.copyKey || props.keepSnapshotCopies !== undefined)) {
        throw new Error(`${props.copyKey ? 'copyKey' : 'keepSnapshotCopies'} applies only to snapshots shared from other accounts: `
          + 'list those accounts in sourceAccounts, or remove it');
      }
    });
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
