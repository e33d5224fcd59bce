import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Cutover } from './cutover';

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

/** Checks the snapshot-name and shared-snapshot props of `RestoreHandlers`; throws naming the prop and the fix. */
export function checkSnapshotProps(props: RestoreHandlersProps): void {
  const prefix = props.snapshotNamePrefix ?? '';
  const why = props.snapshotNamePrefix !== undefined ? snapshotNamePrefixProblem(prefix) : undefined;
  if (why) throw new Error(`snapshotNamePrefix "${prefix}" ${why}`);
  for (const a of props.sourceAccounts ?? []) {
    if (!/^\d{12}$/.test(a)) throw new Error(`sourceAccounts: "${a}" is not an AWS account ID (12 digits)`);
  }
  if (!props.sourceAccounts?.length && (props.copyKey || props.keepSnapshotCopies !== undefined)) {
    throw new Error(`${props.copyKey ? 'copyKey' : 'keepSnapshotCopies'} applies only to snapshots shared from other accounts: `
      + 'list those accounts in sourceAccounts, or remove it');
  }
}
