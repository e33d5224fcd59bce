import type { AwsCall } from './aws-calls';
import type { Account, Authorization, RdsView } from './iam-resources';

/**
 * The authorizations of a KMS call: the key (its ARN), the caller's account and, through a
 * service, kms:ViaService; with the key policy IAM evaluates beside the caller's policy.
 */

type Context = Authorization['context'];

/** A KMS key id, key ARN or alias as the key ARN. */
function keyArn(env: Account, keyId: string): string {
  if (keyId.startsWith('arn:')) {
    if (/:alias\//.test(keyId)) throw new Error(`iam-check: KMS alias ${keyId}: give the key ARN (KMS authorizes the key an alias points to)`);
    return keyId;
  }
  if (keyId.startsWith('alias/')) throw new Error(`iam-check: KMS alias ${keyId}: give the key ARN (KMS authorizes the key an alias points to)`);
  return `arn:aws:kms:${env.region}:${env.account}:key/${keyId}`;
}

/**
 * The key policy of the RDS AWS managed key (aws/rds): any principal of the
 * account may use it through RDS (AWS KMS developer guide, "AWS managed keys";
 * the policy every aws/<service> key carries).
 */
function awsManagedKeyPolicy(env: Account, arn: string) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'Allow access through RDS for all principals in the account that are authorized to use RDS',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:ListGrants', 'kms:DescribeKey'],
      Resource: arn,
      Condition: { StringEquals: { 'kms:CallerAccount': env.account, 'kms:ViaService': `rds.${env.region}.amazonaws.com` } },
    }],
  };
}

/**
 * The default key policy of a customer managed key: it gives the account
 * access and so lets IAM policies decide (AWS KMS developer guide, "Default key
 * policy", "Allows access to the AWS account and enables IAM policies"). KMS
 * authorizes nothing without a key policy that allows it.
 */
function defaultKeyPolicy(env: Account) {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${env.account}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

export function kmsAuthorizations(call: AwsCall, env: Account, view: RdsView | undefined): Authorization[] {
  const arn = keyArn(env, call.input?.KeyId);
  const context: Context = { 'kms:CallerAccount': env.account };
  if (call.via) {
    // "kms:ViaService": the service that made the request on the principal's behalf; a grant
    // RDS creates for itself is for an AWS resource (AWS KMS developer guide, condition keys).
    context['kms:ViaService'] = `${call.via}.${env.region}.amazonaws.com`;
    if (call.action === 'CreateGrant') context['kms:GrantIsForAWSResource'] = 'true';
  }
  const managed = env.awsManagedKeys.includes(arn);
  const owner = arn.split(':')[4];
  if (owner !== env.account) {
    // A key of another account: both its key policy and the caller's IAM policy must allow (AWS KMS developer guide,
    // "Allowing users in other accounts to use a KMS key"). Unknown to the simulator: its account's default policy.
    const policy = view?.keyPolicy?.(arn) ?? defaultKeyPolicy({ ...env, account: owner });
    return [{ action: `kms:${call.action}`, resource: arn, context, resourcePolicy: policy, resourceAccount: owner }];
  }
  return [{ action: `kms:${call.action}`, resource: arn, context, resourcePolicy: managed ? awsManagedKeyPolicy(env, arn) : defaultKeyPolicy(env) }];
}
