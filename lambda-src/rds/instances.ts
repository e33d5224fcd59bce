import { DBInstance, DescribeDBInstancesCommand, PendingModifiedValues } from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, PipelineError, unlessAbsent } from './errors';
import type { Job, Original } from './job';

/** The instance under `identifier`, or undefined when there is none. */
export async function findInstance(identifier: string): Promise<DBInstance | undefined> {
  const out = await unlessAbsent(['DBInstanceNotFoundFault', 'DBInstanceNotFound'], `Describing DB instance ${identifier}`,
    () => rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })));
  return out?.DBInstances?.[0];
}

/** The instance with this DbiResourceId, whatever it is called now, or undefined. */
export async function findInstanceByResourceId(resourceId: string): Promise<DBInstance | undefined> {
  const out = await attempt(`Looking up DB instance ${resourceId}`, () =>
    rds().send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'dbi-resource-id', Values: [resourceId] }] })));
  return out.DBInstances?.[0];
}

/**
 * The PendingModifiedValues field of a ModifyDBInstance parameter, where it
 * differs from the parameter's name (API reference, PendingModifiedValues).
 */
const PENDING_FIELDS: Record<string, keyof PendingModifiedValues> = {
  EnableIAMDatabaseAuthentication: 'IAMDatabaseAuthenticationEnabled',
  CloudwatchLogsExportConfiguration: 'PendingCloudwatchLogsExports',
  DBPortNumber: 'Port',
};

/**
 * Which of the ModifyDBInstance parameters `applied` RDS still shows in
 * PendingModifiedValues: with ApplyImmediately the instance can stay
 * `available` a while with them there before it turns `modifying`.
 */
export function stillPending(db: DBInstance, applied: readonly string[]): string[] {
  const pending = (db.PendingModifiedValues ?? {}) as Record<string, unknown>;
  return applied.filter((name) => pending[PENDING_FIELDS[name] ?? name] !== undefined);
}

/**
 * The captured original of a DB instance job, and the identifier a step works
 * under: the original one, or with `staged` (cutover RESTORE_THEN_SWAP) the staging one.
 */
export function instanceOf(job: Job, staged = false): { original: Original; identifier: string } {
  const original = job.original as Original | undefined;
  if (!original?.resourceId) throw new PipelineError('InvalidJob', `The job for ${job.identifier} has no captured original DB instance.`);
  if (!staged) return { original, identifier: job.identifier };
  if (!original.staging) throw new PipelineError('InvalidJob', `The job for ${job.identifier} has no staging identifier (cutover RESTORE_THEN_SWAP).`);
  return { original, identifier: original.staging };
}
