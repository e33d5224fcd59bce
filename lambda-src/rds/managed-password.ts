import type { MasterUserSecret } from '@aws-sdk/client-rds';
import { PipelineError } from './errors';

/**
 * The master user password RDS manages in Secrets Manager
 * (`ManageMasterUserPassword`). No restore keeps it: RestoreDBInstanceFromDBSnapshot
 * and RestoreDBInstanceToPointInTime take ManageMasterUserPassword for RDS for
 * Oracle only, RestoreDBClusterFromSnapshot and RestoreDBClusterToPointInTime
 * not at all (API reference), and the pipeline passes it to none of them; the
 * restored DB has the snapshot's password. With the construct's
 * `restoreManagedMasterPassword`, the settings step turns it back on
 * (ModifyDBInstance / ModifyDBCluster `ManageMasterUserPassword: true` with the
 * original's `MasterUserSecretKmsKeyId`): RDS creates a NEW secret, with a new
 * ARN; the original's secret is deleted with the original (RDS User Guide,
 * "Password management with Amazon RDS and AWS Secrets Manager").
 */

/** Whether the construct asked to turn the managed password back on. */
export const restoresManagedPassword = (): boolean => process.env.RESTORE_MANAGED_MASTER_PASSWORD === 'true';

/** The new secret, as reported in the execution output and the success alert. */
export interface ManagedSecretRef {
  readonly secretArn: string;
  readonly kmsKeyId: string;
  /** MasterUserSecret.SecretStatus when verified: `active`, or `creating` if RDS has not finished. */
  readonly status: string;
}

/**
 * The ModifyDB* fields that turn the managed password back on: only with the
 * prop, when the original had it (`originalKey`: its MasterUserSecret.KmsKeyId)
 * and the restored DB does not. MasterUserSecretKmsKeyId is valid only when
 * turning management on, and can't be combined with MasterUserPassword (API reference).
 */
export function managedPasswordParams(originalKey: unknown, restored: MasterUserSecret | undefined):
{ ManageMasterUserPassword?: true; MasterUserSecretKmsKeyId?: string } {
  if (!restoresManagedPassword() || typeof originalKey !== 'string' || restored) return {};
  return { ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: originalKey };
}

/**
 * After the settings step: with the prop and an original that had a managed
 * password, the restored DB must have one with the same key; its secret is
 * reported. Otherwise nothing is reported.
 */
export function verifyManagedPassword(originalKey: unknown, restored: MasterUserSecret | undefined, what: string): ManagedSecretRef | undefined {
  if (!restoresManagedPassword() || typeof originalKey !== 'string') return undefined;
  if (!restored?.SecretArn) {
    throw new PipelineError('ConfigurationDrift',
      `${what} has no RDS-managed master password, though the original had one (KMS key ${originalKey}) and restoreManagedMasterPassword is on.`);
  }
  if (restored.KmsKeyId !== originalKey) {
    throw new PipelineError('ConfigurationDrift',
      `The managed master password secret of ${what} is encrypted with ${restored.KmsKeyId}, not the original's ${originalKey}.`);
  }
  return { secretArn: restored.SecretArn, kmsKeyId: originalKey, status: restored.SecretStatus ?? 'unknown' };
}
