/**
 * The master user password RDS manages in Secrets Manager
 * (`ManageMasterUserPassword`, `MasterUserSecret`), for ModifyDBInstance and
 * ModifyDBCluster. Each rule names its page:
 * - API_ModifyDBInstance / API_ModifyDBCluster, ManageMasterUserPassword: "If the
 *   DB instance doesn't manage the master user password with AWS Secrets Manager,
 *   you can turn on this management. In this case, you can't specify
 *   MasterUserPassword"; turning it off "must specify MasterUserPassword".
 * - MasterUserSecretKmsKeyId "is valid only if both of the following conditions
 *   are met: the DB instance doesn't manage the master user password [...] you
 *   can't change the KMS key [...]; you are turning on ManageMasterUserPassword
 *   [...] If you [...] don't specify MasterUserSecretKmsKeyId, then the
 *   aws/secretsmanager KMS key is used".
 * - RDS User Guide, "Password management with Amazon RDS and AWS Secrets
 *   Manager": RDS creates the secret (named `rds!db-…` / `rds!cluster-…`) with the
 *   caller's permissions (secretsmanager:CreateSecret, secretsmanager:TagResource);
 *   a customer managed key is used by Secrets Manager for the caller
 *   (Secrets Manager User Guide, "Secret encryption and decryption", "Permissions
 *   for the KMS key": kms:GenerateDataKey). DescribeDBInstances shows the secret
 *   `creating` (MasterUserSecret.SecretStatus: creating | active | rotating |
 *   impaired, API_MasterUserSecret), then `active`.
 */
import type { MasterUserSecret } from '@aws-sdk/client-rds';
import { gateCall } from '../aws-calls';
import type { Env } from './engines';
import { rdsFault } from './faults';
import { keyArn } from './kms';

/** The AWS managed key of Secrets Manager, as an alias ARN (the simulator keeps it by alias). */
export const awsSecretsManagerKey = (env: Env): string => `arn:aws:kms:${env.region}:${env.accountId}:alias/aws/secretsmanager`;

/** The checks of ModifyDBInstance / ModifyDBCluster on the managed-password parameters. */
export function validateManagedPassword(current: MasterUserSecret | undefined, input: Record<string, any>): void {
  if (input.ManageMasterUserPassword === true && input.MasterUserPassword !== undefined) {
    throw rdsFault('InvalidParameterCombination', 'ManageMasterUserPassword and MasterUserPassword can\'t be specified together: remove MasterUserPassword.');
  }
  if (input.ManageMasterUserPassword === false && current && input.MasterUserPassword === undefined) {
    throw rdsFault('InvalidParameterCombination', 'MasterUserPassword is required when turning off ManageMasterUserPassword.');
  }
  if (input.MasterUserSecretKmsKeyId !== undefined && (current || input.ManageMasterUserPassword !== true)) {
    throw rdsFault('InvalidParameterCombination', current
      ? 'You can\'t change the KMS key of a secret that RDS already manages (MasterUserSecretKmsKeyId).'
      : 'MasterUserSecretKmsKeyId is valid only when turning on ManageMasterUserPassword.');
  }
}

/**
 * Whether this call turns the managed password on: RDS then creates the secret
 * for the caller, `creating` until the modification ends. `name` is the
 * secret's name (`rds!db-<uuid>`).
 */
export function createManagedSecret(
  env: Env, current: MasterUserSecret | undefined, input: Record<string, any>, name: string,
): MasterUserSecret | undefined {
  if (input.ManageMasterUserPassword !== true || current) return undefined;
  const key = input.MasterUserSecretKmsKeyId === undefined ? awsSecretsManagerKey(env) : keyArn(env, input.MasterUserSecretKmsKeyId);
  gateCall({ service: 'secretsmanager', action: 'CreateSecret', via: 'rds', input: { Name: name } });
  const secretArn = `arn:aws:secretsmanager:${env.region}:${env.accountId}:secret:${name}-AbCdEf`;
  gateCall({ service: 'secretsmanager', action: 'TagResource', via: 'rds', input: { SecretId: secretArn } });
  if (key !== awsSecretsManagerKey(env)) {
    try {
      gateCall({ service: 'kms', action: 'GenerateDataKey', via: 'secretsmanager', input: { KeyId: key } });
    } catch {
      throw rdsFault('KMSKeyNotAccessibleFault', `The specified KMS key [${key}] does not exist, is not enabled or you do not have permissions to access it.`);
    }
  }
  return { SecretArn: secretArn, SecretStatus: 'creating', KmsKeyId: key };
}
