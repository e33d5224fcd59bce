/**
 * RDS using a KMS key on the caller's behalf.
 *
 * "When Aurora uses a customer managed key in cryptographic operations, it
 * acts on behalf of the user who is creating or changing the Aurora resource.
 * To create an Aurora resource using a customer managed key, a user must have
 * permissions to call kms:CreateGrant and kms:DescribeKey on the customer
 * managed key" (Aurora User Guide, and RDS User Guide, "AWS KMS key
 * management", "Authorizing use of a customer managed key"). So RDS calls KMS
 * with the caller's credentials: here those two calls go through the call
 * gates (aws-calls.ts) with `via: 'rds'`, where the IAM check evaluates them
 * with `kms:ViaService`. The AWS managed key `aws/rds` is "created, managed,
 * and used on your behalf" by RDS (same page): no call from the caller.
 *
 * A refused call fails the RDS call with KMSKeyNotAccessibleFault, which
 * RestoreDBClusterFromSnapshot, RestoreDBInstanceFromDBSnapshot,
 * CreateDBInstance and ModifyDBCluster list among their errors (API
 * reference); the message is the one RDS gives, as reported for a restore
 * and a copy ("... does not exist, is not enabled or you do not have
 * permissions to access it").
 */
import { gateCall } from '../aws-calls';
import { awsRdsKey, Env } from './engines';
import { rdsFault } from './faults';

/** The key's ARN, from a key ARN, key id, alias ARN or alias name (the forms RDS accepts). */
export function keyArn(env: Env, key: string): string {
  if (key.startsWith('arn:')) return key;
  const prefix = `arn:aws:kms:${env.region}:${env.accountId}`;
  return key.startsWith('alias/') ? `${prefix}:${key}` : `${prefix}:key/${key}`;
}

/** Whether `key` is this account's AWS managed key for RDS (`aws/rds`), by ARN or alias. */
export function isAwsManagedRdsKey(env: Env, key: string): boolean {
  const arn = keyArn(env, key);
  return arn === awsRdsKey(env) || arn.endsWith(':alias/aws/rds');
}

/**
 * Keys of other accounts, by key ARN: the accounts their key policy allows to
 * use them. A key of another account is usable only when its key policy allows
 * this account (AWS KMS Developer Guide, "Allowing users in other accounts to
 * use a KMS key": the key policy of the owning account AND an IAM policy of the
 * caller's; RDS User Guide, "Sharing a DB snapshot", allowing access to a KMS key).
 */
const foreignKeys = new WeakMap<Env, Map<string, string[]>>();

/** Seed a customer managed key of another account whose key policy allows `allowedAccounts`. */
export function addForeignKey(env: Env, arn: string, allowedAccounts: string[]): void {
  if (!foreignKeys.has(env)) foreignKeys.set(env, new Map());
  foreignKeys.get(env)!.set(arn, [...allowedAccounts]);
}

/** The accounts a key of another account allows (undefined: not a known key of another account). */
export function foreignKeyAccounts(env: Env, arn: string): string[] | undefined {
  return foreignKeys.get(env)?.get(arn);
}

/**
 * RDS uses `key` for the caller: for a customer managed key, DescribeKey and
 * CreateGrant with the caller's credentials; a refusal is KMSKeyNotAccessibleFault.
 * `what` names the key in the message ("source snapshot KMS key", "KMS key").
 * A key of another account must also allow this account in its key policy.
 */
export function useKeyForCaller(env: Env, key: string | undefined, what = 'specified KMS key'): void {
  if (key === undefined || isAwsManagedRdsKey(env, key)) return;
  const arn = keyArn(env, key);
  const owner = arn.split(':')[4];
  if (owner !== env.accountId && !(foreignKeyAccounts(env, arn) ?? []).includes(env.accountId)) {
    throw rdsFault('KMSKeyNotAccessibleFault', `The ${what} [${arn}] does not exist, is not enabled or you do not have permissions to access it.`);
  }
  try {
    gateCall({ service: 'kms', action: 'DescribeKey', via: 'rds', input: { KeyId: arn } });
    gateCall({ service: 'kms', action: 'CreateGrant', via: 'rds', input: { KeyId: arn } });
  } catch {
    throw rdsFault('KMSKeyNotAccessibleFault', `The ${what} [${arn}] does not exist, is not enabled or you do not have permissions to access it.`);
  }
}
