import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { allowedPatternProblem, RESTORABLE_TAG_KEY, RESTORABLE_TAG_VALUE } from './input-rules';
import { STAGING_SUFFIX, stagingIdentifier, TAG_PIPELINE, TEMP_SUFFIX, tempIdentifier } from './naming';

/**
 * Least privilege for the RDS actions that change things. Every statement that
 * renames, restores, creates, modifies or deletes is scoped:
 * - with `allowedIdentifiers`: to the ARNs of those DB instances and clusters,
 *   their temporary names (`<id>-trapheus-old`) and their snapshots;
 * - without: to DB instances and clusters that carry the tag
 *   `trapheus:restorable=true` (`aws:ResourceTag`, or `aws:RequestTag` for the
 *   ones a restore creates, which carry the original's tags), and to the
 *   pipeline's own snapshot names (`*-trapheus-*`).
 * Read actions (Describe*) stay on `*`: RDS cannot scope them usefully.
 *
 * KMS: RDS uses a customer managed key for the caller when it restores, or
 * creates a member of, a database encrypted with it, or turns on Performance
 * Insights with it; the caller needs kms:CreateGrant and kms:DescribeKey on the
 * key (RDS user guide, "AWS KMS key management", "Authorizing use of a customer
 * managed key"). They are granted only through RDS (`kms:ViaService`), CreateGrant
 * only for grants to AWS resources (`kms:GrantIsForAWSResource`), on the
 * `encryptionKeys` or any key of the account.
 */

/** The kinds of RDS resources a statement can be about. */
type Kind = 'db' | 'cluster' | 'snapshot' | 'cluster-snapshot';
/** Resources a restore or modify only refers to (parameter, option and subnet groups). */
const REFERENCED = ['og', 'pg', 'cluster-pg', 'subgrp', 'secgrp'];

export interface RdsAccessProps {
  /** Exact identifiers (literals or tokens), or literal prefixes ending in `*`. */
  readonly allowedIdentifiers?: string[];
  /** The KMS keys RDS may use for the pipeline; undefined: any key of the account. */
  readonly encryptionKeys?: kms.IKey[];
  /** Put before the names of the snapshots the pipeline makes. */
  readonly snapshotNamePrefix?: string;
}

interface GrantOptions {
  readonly creates?: boolean;
  readonly referenced?: boolean;
}

/**
 * Check `allowedIdentifiers` and `encryptionKeys` (at synth), naming the entry
 * and the fix, and return the identifiers the pipeline allows. A token (a value
 * known only at deploy time, such as `db.instanceIdentifier`) is an exact
 * identifier: it is checked, and replaced by its value, when it resolves to a
 * string at synth. A prefix must be a literal: a token's value could be empty,
 * and the prefix `*` would allow every database.
 */
export function checkRdsAccessProps(scope: IConstruct, props: RdsAccessProps): string[] | undefined {
  if (props.encryptionKeys !== undefined && props.encryptionKeys.length === 0) {
    throw new Error('encryptionKeys is empty: list the KMS keys your databases and their Performance Insights are encrypted with, or leave it out to allow any key in this account (used only through RDS)');
  }
  if (props.allowedIdentifiers === undefined) return undefined;
  if (props.allowedIdentifiers.length === 0) {
    throw new Error('allowedIdentifiers is empty: list the DB instance and cluster identifiers (or prefixes ending in *) that may be restored, or leave it out to use the trapheus:restorable tag');
  }
  const stack = Stack.of(scope);
  return props.allowedIdentifiers.map((entry, i) => {
    const value: unknown = Token.isUnresolved(entry) ? stack.resolve(entry) : entry;
    if (typeof value === 'string') {
      const why = allowedPatternProblem(value);
      if (why) throw new Error(`allowedIdentifiers: "${value}" ${why}`);
      return value;
    }
    if (entry.includes('*')) {
      throw new Error(`allowedIdentifiers[${i}] is a prefix (ending in *) built from a token: write prefixes as literal strings, `
        + 'since a token\'s value is known only at deploy time and an empty one would allow every database');
    }
    return entry; // a deploy-time value (a CloudFormation reference): checked by RDS and the pre-flight
  });
}

export class RdsAccess {
  private readonly stack: Stack;
  /** The identifiers the pipeline may change, as the capture pre-flight gets them; undefined: tag mode. */
  readonly allowedIdentifiers?: string[];
  private readonly keys?: kms.IKey[];
  private readonly prefix: string;

  constructor(scope: Construct, props: RdsAccessProps) {
    this.stack = Stack.of(scope);
    this.allowedIdentifiers = checkRdsAccessProps(scope, props);
    this.prefix = props.snapshotNamePrefix ?? '';
    this.keys = props.encryptionKeys;
  }

  private arn(resource: string, name: string): string {
    return this.stack.formatArn({ service: 'rds', resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** Name patterns of a kind: the allowed identifiers (and their temporary names), or the pipeline's snapshot names. */
  private names(kind: Kind): string[] {
    const snapshots = kind === 'snapshot' || kind === 'cluster-snapshot';
    // the pipeline's snapshots (with snapshotNamePrefix, also under it) and its final snapshots (<id>-trapheus-final-…)
    const named = (p: string) => [p, ...(this.prefix ? [`${this.prefix}${p}`] : [])];
    if (!this.allowedIdentifiers) return snapshots ? ['*-trapheus-*'] : ['*'];
    return this.allowedIdentifiers.flatMap((p) => {
      const prefix = !Token.isUnresolved(p) && p.endsWith('*');
      if (snapshots) return prefix ? named(p) : named(`${p}-trapheus-*`);
      // The identifier, its temporary and staging names (for long identifiers, shortened ones with a
      // hash). A token's value is known only at deploy time: its plain names (an identifier of up to
      // 50 characters; a longer one's shortened names are not covered, so the pre-flight refuses it:
      // DEPLOY_TIME_IDENTIFIERS in restore-handlers.ts).
      if (Token.isUnresolved(p)) return [p, `${p}${TEMP_SUFFIX}`, `${p}${STAGING_SUFFIX}`];
      return prefix ? [p] : [p, tempIdentifier(p), stagingIdentifier(p)];
    }).filter((v, i, all) => all.indexOf(v) === i);
  }

  /**
   * Allow `actions` on resources of `kinds`. `creates`: the DB or cluster is
   * created by the call (tag mode checks the request's tags).
   * `referenced`: the call also names parameter/option/subnet groups.
   */
  grant(grantee: iam.IGrantable, actions: string[], kinds: Kind[], options: GrantOptions = {}) {
    const rdsActions = actions.map((a) => `rds:${a}`);
    const databases = kinds.filter((k) => k === 'db' || k === 'cluster');
    const snapshots = kinds.filter((k) => k === 'snapshot' || k === 'cluster-snapshot');
    const add = (resources: string[], conditions?: Record<string, any>) => {
      if (resources.length > 0) grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: rdsActions, resources, conditions }));
    };
    const dbArns = databases.flatMap((k) => this.names(k).map((n) => this.arn(k, n)));
    if (this.allowedIdentifiers) {
      add(dbArns);
    } else {
      const key = options.creates ? `aws:RequestTag/${RESTORABLE_TAG_KEY}` : `aws:ResourceTag/${RESTORABLE_TAG_KEY}`;
      add(dbArns, { StringEquals: { [key]: RESTORABLE_TAG_VALUE } });
    }
    add(snapshots.flatMap((k) => this.names(k).map((n) => this.arn(k, n))));
    if (options.referenced) add(REFERENCED.map((k) => this.arn(k, '*')));
  }

  /**
   * kms:CreateGrant and kms:DescribeKey, as RDS calls them for `grantee` when it
   * uses a customer managed key: only through RDS in this stack's Region, and
   * CreateGrant only for a grant to an AWS resource.
   */
  grantKeyUseThroughRds(grantee: iam.IGrantable, keys?: string[]) {
    const resources = keys ?? this.keys?.map((k) => k.keyArn)
      ?? [this.stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })];
    const viaRds = { 'kms:ViaService': `rds.${this.stack.region}.amazonaws.com` };
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources, conditions: { StringEquals: viaRds } }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources,
      conditions: { StringEquals: viaRds, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
  }

  /**
   * What RDS needs from the caller to create the secret of a managed master
   * password (ModifyDBInstance / ModifyDBCluster `ManageMasterUserPassword`).
   * RDS User Guide, "Password management with Amazon RDS and AWS Secrets
   * Manager", "Permissions required for Secrets Manager integration": the user
   * who turns it on needs kms:DescribeKey, secretsmanager:CreateSecret and
   * secretsmanager:TagResource; the user who names a customer managed key for
   * the secret needs kms:Decrypt, kms:GenerateDataKey and kms:CreateGrant.
   * Granted: CreateSecret and TagResource on the secrets RDS names (`rds!…`);
   * kms:GenerateDataKey and kms:Decrypt through Secrets Manager only (Secrets
   * Manager User Guide, "Permissions for the KMS key"); kms:DescribeKey and
   * kms:CreateGrant (for AWS resources) through RDS or Secrets Manager only (the
   * guide does not say which service calls them). On `encryptionKeys`, or any
   * key of the account (which covers the AWS managed `aws/secretsmanager` key).
   */
  grantManagedPasswordSecret(grantee: iam.IGrantable) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
      resources: [this.stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'rds!*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    const resources = this.keys?.map((k) => k.keyArn)
      ?? [this.stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })];
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources,
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.stack.region}.amazonaws.com` } },
    }));
    const viaRdsOrSecretsManager = { 'kms:ViaService': [`rds.${this.stack.region}.amazonaws.com`, `secretsmanager.${this.stack.region}.amazonaws.com`] };
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:DescribeKey'], resources, conditions: { StringEquals: viaRdsOrSecretsManager },
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:CreateGrant'], resources, conditions: { StringEquals: viaRdsOrSecretsManager, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
  }

  /**
   * CreateDBSnapshot / CreateDBClusterSnapshot (and the tagging on create) of
   * a snapshot of any name, only with this pipeline's tag on the request
   * (`aws:RequestTag/trapheus:pipeline`): a snapshot named by the input. The
   * database side stays scoped by `grant`; deleting stays on the pipeline's names.
   */
  grantTaggedSnapshotCreation(grantee: iam.IGrantable, pipelineId: string) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['rds:CreateDBSnapshot', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
      resources: [this.arn('snapshot', '*'), this.arn('cluster-snapshot', '*')],
      conditions: { StringEquals: { [`aws:RequestTag/${TAG_PIPELINE}`]: pipelineId } },
    }));
  }

  /**
   * The snapshot side of the restore actions, on any DB snapshot and DB cluster
   * snapshot of this account: a manual one named by the input, an automated one
   * (`rds:…`). Restoring only reads the snapshot; what the restore creates is
   * scoped by `grant`.
   */
  grantRestoreFromAnySnapshot(grantee: iam.IGrantable) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:RestoreDBClusterFromSnapshot'],
      resources: [this.arn('snapshot', '*'), this.arn('cluster-snapshot', '*')],
    }));
  }

  /**
   * Copying a snapshot shared from one of `sourceAccounts` into this account
   * (CopyDBSnapshot / CopyDBClusterSnapshot; the IAM service reference lists
   * the `snapshot` / `cluster-snapshot` resource, authorized here on both the
   * source and the copy): the source snapshots of those accounts only, and the
   * copy under the pipeline's snapshot names (its tags are authorized by
   * `grant`'s AddTagsToResource). RDS uses the source snapshot's key and
   * `copyKey` for the caller: kms:DescribeKey and kms:CreateGrant, only through
   * RDS, on the keys of the listed accounts and on `copyKey` (RDS User Guide,
   * "Sharing a DB snapshot", allowing access to a KMS key; "AWS KMS key
   * management"). The source account's key policy must allow this account too.
   */
  grantSharedSnapshotCopy(grantee: iam.IGrantable, sourceAccounts: string[], copyKey?: kms.IKey) {
    const inAccount = (account: string, resource: string) => this.stack.formatArn({
      service: 'rds', account, resource, resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['rds:CopyDBSnapshot', 'rds:CopyDBClusterSnapshot'],
      resources: sourceAccounts.flatMap((a) => [inAccount(a, 'snapshot'), inAccount(a, 'cluster-snapshot')]),
    }));
    this.grant(grantee, ['CopyDBSnapshot'], ['snapshot']);
    this.grant(grantee, ['CopyDBClusterSnapshot'], ['cluster-snapshot']);
    const sourceKeys = sourceAccounts.map((account) => this.stack.formatArn({
      service: 'kms', account, resource: 'key', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }));
    this.grantKeyUseThroughRds(grantee, [...sourceKeys, ...(copyKey ? [copyKey.keyArn] : [])]);
  }

  /** Read-only calls, which RDS does not scope by resource usefully. */
  grantRead(grantee: iam.IGrantable, actions: string[]) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: actions.map((a) => `rds:${a}`), resources: ['*'] }));
  }
}
