import { ArnFormat, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ExecutionEndings, FailurePhase } from './endings';
import { checkProps } from './errors';
import { ExportFunction } from './handlers/export-function';
import { invoke } from './invoke';
import { add as addNagSuppression } from './nag-suppressions';
import { PollingOptions, resolvePolling } from './polling';
import { RestoreHandlers } from './restore-handlers';
import { waitUntil } from './wait-until';

/** Where the `export_snapshot` task exports snapshots to. */
export interface SnapshotExportDestination {
  /** The S3 bucket the snapshot data goes to, in the same Region as the snapshots. */
  readonly bucket: s3.IBucket;
  /**
   * The key prefix of the exports: each export writes under
   * `<prefix>/<export task identifier>/`, and the export role may write only
   * under `<prefix>/`. No colon (RDS refuses it), no leading or trailing slash.
   * @default 'trapheus-exports'
   */
  readonly prefix?: string;
  /**
   * The symmetric KMS key the exported data is encrypted with. The export role
   * gets encrypt and decrypt on it; the export handler gets kms:CreateGrant (for
   * AWS resources only) and kms:DescribeKey, which RDS calls with its credentials.
   * A key policy that denies must exempt `export.rds.amazonaws.com`.
   */
  readonly key: kms.IKey;
}

/** The `exportTo` prop. */
export interface SnapshotExportOptions {
  /**
   * Where the `export_snapshot` task exports snapshots (StartExportTask): an S3
   * bucket, a prefix and a KMS key. The construct creates the export role that
   * RDS uses to write there.
   * @default - exports are not configured; export_snapshot is refused at the first state
   */
  readonly exportTo?: SnapshotExportDestination;
}

/** Props for `SnapshotExport`. */
export interface SnapshotExportProps {
  /** Where the exports go: bucket, prefix, key. */
  readonly destination: SnapshotExportDestination;
  /** The pipeline's functions: the status check waits for the export, the validator learns that exports are on. */
  readonly handlers: RestoreHandlers;
  /** How executions end. */
  readonly endings: ExecutionEndings;
  /**
   * How the wait for the export polls.
   * @default - see `PollingOptions`
   */
  readonly polling?: PollingOptions;
}

/** The wildcard findings (AwsSolutions-IAM5) of the export's policies, and why each is needed. */
const EXPORT_WILDCARDS: [string, string][] = [
  ['^Resource::arn:<AWS::Partition>:rds:(<AWS::Region>|[^:<]*):(<AWS::AccountId>|[^:<]*):(snapshot|cluster-snapshot):\\*$',
    'rds:StartExportTask of a snapshot of the database in the input: IAM cannot scope a snapshot by the database it was taken of, so the handler '
    + 'refuses other databases\' snapshots; the export goes only to the exportTo bucket, with the export role.'],
  ['^Action::s3:(PutObject|GetObject|DeleteObject)\\*$',
    'The S3 actions the RDS user guide lists for the snapshot export role ("Exporting DB snapshot data to Amazon S3"), on the exportTo prefix only.'],
  ['^Resource::(<[A-Za-z0-9]+\\.Arn>|arn:<AWS::Partition>:s3:::[a-z0-9.-]+)/[^*]+/\\*$',
    'The objects under the exportTo prefix, where RDS writes each export (<prefix>/<export task identifier>/...).'],
  ['^Action::kms:(ReEncrypt|GenerateDataKey)\\*$',
    'Encrypt and decrypt with the exportTo key only: the export role encrypts the exported data with it.'],
];

/** The prefix RDS writes under, or why it is not a valid one. */
export function checkedPrefix(prefix: string | undefined): string {
  const p = prefix ?? 'trapheus-exports';
  if (Token.isUnresolved(p)) return p;
  if (p.length === 0) throw new Error('exportTo.prefix is empty: leave it out for the default "trapheus-exports", or give a prefix such as "exports/orders"');
  if (p.includes(':')) throw new Error(`exportTo.prefix "${p}" contains a colon, which exports to S3 don't support (RDS User Guide, "Exporting DB snapshot data to Amazon S3")`);
  if (p.startsWith('/') || p.endsWith('/')) throw new Error(`exportTo.prefix "${p}" must not start or end with "/": write it as "${p.replace(/^\/+|\/+$/g, '')}"`);
  if (p.includes('*')) throw new Error(`exportTo.prefix "${p}" contains "*": give a plain key prefix`);
  return p;
}

/**
 * The `export_snapshot` task: the export role RDS writes to S3 with, the
 * export handler, and the states of each branch (start the export, wait for
 * it with back-off, succeed with its S3 path or fail with RDS's cause).
 */
export class SnapshotExport extends Construct {
  /** The role RDS's export service assumes to write the export (trusted by `export.rds.amazonaws.com`). */
  public readonly exportRole: iam.Role;
  /** Starts the export (StartExportTask). */
  public readonly exportFunction: lambda.IFunction;
  /** The prefix the exports are written under. */
  public readonly prefix: string;
  private readonly handlers: RestoreHandlers;
  private readonly endings: ExecutionEndings;
  private readonly polling: PollingOptions;

  constructor(scope: Construct, id: string, props: SnapshotExportProps) {
    super(scope, id);
    const { bucket, key } = props.destination;
    this.prefix = checkProps(this, () => checkedPrefix(props.destination.prefix));
    this.handlers = props.handlers;
    this.endings = props.endings;
    this.polling = props.polling ?? {};
    const stack = Stack.of(this);

    // The export role: the S3 actions the RDS user guide lists for exports ("Exporting DB snapshot
    // data to Amazon S3", "Providing access to an Amazon S3 bucket using an IAM role"), on the bucket
    // and the prefix only; encrypt and decrypt with the key ("The IAM role used for the export must
    // have encryption and decryption permissions to use this KMS key", API reference, ExportTask).
    this.exportRole = new iam.Role(this, 'ExportRole', {
      assumedBy: new iam.ServicePrincipal('export.rds.amazonaws.com'),
      description: 'Trapheus: RDS writes snapshot exports to S3 with this role',
    });
    this.exportRole.addToPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [bucket.bucketArn],
    }));
    this.exportRole.addToPolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject*', 's3:GetObject*', 's3:DeleteObject*'],
      resources: [bucket.arnForObjects(`${this.prefix}/*`)],
    }));
    key.grantEncryptDecrypt(this.exportRole);

    const fn = new ExportFunction(this, 'Function', props.handlers._functionOptions);
    fn.addEnvironment('EXPORT_BUCKET', bucket.bucketName);
    fn.addEnvironment('EXPORT_PREFIX', this.prefix);
    fn.addEnvironment('EXPORT_ROLE_ARN', this.exportRole.roleArn);
    fn.addEnvironment('EXPORT_KMS_KEY_ARN', key.keyArn);
    const rds = (resource: string) => stack.formatArn({ service: 'rds', resource, resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // Any snapshot of the account: IAM cannot scope a snapshot by the database it was taken of, so the
    // handler refuses a snapshot of another database; the export goes only to this bucket, with this role.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds:StartExportTask'], resources: [rds('snapshot'), rds('cluster-snapshot')] }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['rds:DescribeExportTasks', 'rds:DescribeDBSnapshots', 'rds:DescribeDBClusterSnapshots'],
      resources: ['*'],
    }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.exportRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'export.rds.amazonaws.com' } },
    }));
    // "The caller of this operation must be authorized to run ... kms:CreateGrant, kms:DescribeKey" (API_StartExportTask, KmsKeyId)
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [key.keyArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [key.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
    this.exportFunction = fn;

    // The wait for the export, and the first state's check that exports are configured.
    props.handlers.checkStatus.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds:DescribeExportTasks'], resources: ['*'] }));
    const validator = props.handlers.validateInput;
    if (validator instanceof lambda.Function) validator.addEnvironment('EXPORT_BUCKET', bucket.bucketName);

    // Deliberate cdk-nag findings of the export's policies, with their reasons (see nag-suppressions.ts).
    for (const node of this.node.findAll()) {
      if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== 'AWS::IAM::Policy') continue;
      for (const [match, reason] of EXPORT_WILDCARDS) addNagSuppression(node, { id: 'AwsSolutions-IAM5', reason, appliesTo: [{ regex: `/${match}/` }] });
    }
  }

  /**
   * The states of the `export_snapshot` task in a branch, after its capture:
   * start the export, wait until it is COMPLETE, succeed ("Snapshot exported").
   * A failure (no snapshot, FAILED with RDS's FailureCause, a wait past
   * `maxWait`) ends the run as "unchanged": exports never change the database.
   */
  public states(kind: 'instance' | 'cluster'): sfn.IChainable {
    const noun = kind === 'cluster' ? 'cluster snapshot' : 'snapshot';
    const unchanged = this.endings.report(FailurePhase.UNCHANGED);
    const start = invoke(this, `Start the ${noun} export to S3`, this.exportFunction,
      { 'op': 'start', 'job.$': '$', 'startedAt.$': '$$.Execution.StartTime' }, '$.export');
    start.addCatch(unchanged, { resultPath: '$.error' });
    const wait = waitUntil(this, `${noun} export`, {
      check: { resource: 'export', identifierPath: '$.export.id', until: 'available' },
      checkFunction: this.handlers.checkStatus,
      policy: resolvePolling(this.polling, 1),
      onError: unchanged,
      errorPath: '$.error',
    });
    const capitalized = noun.charAt(0).toUpperCase() + noun.slice(1);
    return sfn.Chain.start(start).next(wait).next(this.endings.succeed(`${capitalized} exported`));
  }
}
