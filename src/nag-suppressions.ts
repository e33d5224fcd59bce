import { CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions) findings that are deliberate, suppressed on the exact
 * resources and findings they concern, each with its reason. They are written
 * as resource metadata in cdk-nag's format, so consumers who run cdk-nag on
 * their stacks get a clean report without this library depending on cdk-nag.
 */

export interface Suppression {
  readonly id: string;
  readonly reason: string;
  /**
   * The findings (cdk-nag "applies to" strings, or regexes) it covers: never a
   * whole rule. Undefined only for a rule about the resource itself, which has
   * no findings to name (AwsSolutions-L1, on each of the pipeline's functions).
   */
  readonly appliesTo?: (string | { regex: string })[];
}

/**
 * AwsSolutions-L1 compares a function's runtime with the newest Node.js runtime
 * the consumer's aws-cdk-lib knows. The handlers are one bundle, built for and
 * tested on one runtime (set in projenrc/handler-bundle.ts): at this library's
 * aws-cdk-lib floor, nodejs22.x is the newest, so L1 passes; a newer aws-cdk-lib
 * that lists a newer runtime would flag every handler.
 */
const BUNDLE_RUNTIME = 'nodejs22.x';
const HANDLER_RUNTIME: Suppression = {
  id: 'AwsSolutions-L1',
  reason: `The handlers run on ${BUNDLE_RUNTIME}, the Node.js runtime their bundle is built for and tested on (a supported Lambda runtime); `
    + 'a newer runtime is adopted by a release of trapheus-cdk once the handlers are tested on it.',
};

const LAMBDA_MANAGED_POLICIES: Suppression = {
  id: 'AwsSolutions-IAM4',
  reason: 'AWS managed execution policies for Lambda: only CloudWatch Logs writes (and, in VPC mode, the ENI actions a function in a VPC needs).',
  appliesTo: [
    'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
  ],
};

/**
 * The stack's Region and account in a finding: literal digits, or the tokens
 * cdk-nag prints for an environment-agnostic stack (`<AWS::Region>:<AWS::AccountId>`).
 */
const HERE = '(<AWS::Region>|[^:<]*):(<AWS::AccountId>|[^:<]*)';

/** Wildcard findings (AwsSolutions-IAM5) and why each is needed. */
const WILDCARDS: { match: string; reason: string }[] = [
  {
    match: '^Resource::\\*$',
    reason: 'Actions AWS does not scope by resource: RDS Describe* (read-only), X-Ray trace writes, CloudWatch Logs delivery for Step Functions logging, '
      + 'and states:SendTaskSuccess of the wake function (no resource type in the Service Authorization Reference: the task token is the authority).',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:rds:${HERE}:(db|cluster):\\*$`,
    reason: 'DB instances and clusters are scoped by the trapheus:restorable tag (aws:ResourceTag or aws:RequestTag condition); set allowedIdentifiers to scope them by name instead.',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:rds:${HERE}:(snapshot|cluster-snapshot):[^:]*-trapheus-\\*$`,
    reason: 'Only snapshots named by this pipeline (<identifier>-trapheus-<time> and final snapshots): the names are generated per run.',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:rds:${HERE}:(snapshot|cluster-snapshot):\\*$`,
    reason: 'Any snapshot of this account as a restore source (a named manual snapshot, an automated one, the original Trapheus\'s <identifier>-snapshot), '
      + 'which a restore only reads; and the creation of a snapshot the input names, only with this pipeline\'s tag in the request (aws:RequestTag/trapheus:pipeline).',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:rds:${HERE}:(og|pg|cluster-pg|subgrp|secgrp):\\*$`,
    reason: 'Parameter, option and subnet groups are only referenced (not changed) by restore and modify calls, which RDS authorizes on them too.',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:rds:${HERE}:(db|cluster|snapshot|cluster-snapshot):[a-z][a-z0-9-]*\\*$`,
    reason: 'allowedIdentifiers prefixes (ending in *) and their snapshots: only names the user allowed.',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:kms:${HERE}:key/\\*$`,
    reason: 'kms:CreateGrant and kms:DescribeKey for the customer managed keys RDS uses for the pipeline (restores, cluster members, Performance Insights): '
      + 'only through RDS in this Region (kms:ViaService), CreateGrant only for AWS resources (kms:GrantIsForAWSResource); set encryptionKeys to name the keys. '
      + 'With restoreManagedMasterPassword, kms:GenerateDataKey and kms:Decrypt for the managed password\'s secret, only through Secrets Manager.',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:secretsmanager:${HERE}:secret:rds!\\*$`,
    reason: 'restoreManagedMasterPassword: RDS creates the new managed master password secret, named rds!<db|cluster>-<id> by RDS, with the caller\'s '
      + 'secretsmanager:CreateSecret and TagResource; its name is known only once RDS has made it.',
  },
  {
    match: '^Resource::arn:<AWS::Partition>:(rds|kms):(<AWS::Region>|[^:<]*):\\d{12}:(snapshot:|cluster-snapshot:|key/)\\*$',
    reason: 'sourceAccounts: the snapshots shared from the listed accounts (rds:CopyDBSnapshot / CopyDBClusterSnapshot only) and their KMS keys '
      + '(kms:DescribeKey and kms:CreateGrant, only through RDS); the source snapshot\'s name and key are known only at run time.',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:states:${HERE}:execution:\\*$`,
    reason: 'DescribeExecution (read-only) of the execution holding the restore lock; naming the state machine here would make a dependency cycle.',
  },
  {
    match: `^Resource::arn:<AWS::Partition>:states:${HERE}:execution:<[A-Za-z0-9]+\\.Name>:\\*$`,
    reason: 'Fleets: DescribeExecution and StopExecution of this state machine\'s own executions (each fleet target is a child execution, startExecution.sync:2), '
      + 'and GetExecutionHistory of them for the fleet summary\'s downtimes; their names are generated per run.',
  },
  {
    match: '^Resource::<[A-Za-z0-9]+>:\\*$',
    reason: 'Fleets: the Distributed Map\'s child workflows, executions of this state machine (the CDK grant for Distributed Map: DescribeExecution, StopExecution).',
  },
  {
    match: '^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$',
    reason: 'The state machine may invoke its own functions, all versions (the CDK grant for Lambda tasks).',
  },
];

/** Only with `afterRestore: AfterRestore.stateMachine(...)` (the only grant of this shape). */
export const HOOK_EXECUTIONS = {
  match: `^Resource::arn:<AWS::Partition>:states:${HERE}:execution:[^*]+\\*$`,
  reason: 'afterRestore with a state machine: DescribeExecution and StopExecution of the executions of that state machine (its name, then *: the CDK grant for .sync tasks).',
};

/** Only with `cutover: Cutover.dnsAlias()`: GetChange names a change, whose id exists only once the change is made. */
export const DNS_CHANGES = {
  match: '^Resource::arn:<AWS::Partition>:route53:::change/\\*$',
  reason: 'Cutover.dnsAlias(): route53:GetChange of the record changes it makes; a change id exists only once the change is made (IAM reference, Route 53: resource change).',
};

/** Add one suppression to a resource, after those it has. */
export function add(resource: CfnResource, suppression: Suppression): void {
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
  resource.addMetadata('cdk_nag', {
    rules_to_suppress: [...existing, {
      id: suppression.id,
      reason: suppression.reason,
      ...(suppression.appliesTo ? { applies_to: suppression.appliesTo } : {}),
    }],
  });
}

/** Add the suppressions to the IAM roles and policies, and the functions, under `scope` (and `extraWildcards` to the policies). */
export function suppressDeliberateNagFindings(scope: IConstruct, extraWildcards: { match: string; reason: string }[] = []): void {
  for (const node of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    // only on functions with the bundle's runtime: the reason is about that runtime
    if (node instanceof lambda.CfnFunction && node.runtime === BUNDLE_RUNTIME) add(node, HANDLER_RUNTIME);
    if (node.cfnResourceType === 'AWS::IAM::Role') add(node, LAMBDA_MANAGED_POLICIES);
    if (node.cfnResourceType === 'AWS::IAM::Policy') {
      for (const w of [...WILDCARDS, ...extraWildcards]) add(node, { id: 'AwsSolutions-IAM5', reason: w.reason, appliesTo: [{ regex: `/${w.match}/` }] });
    }
  }
}
