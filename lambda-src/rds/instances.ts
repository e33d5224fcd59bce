import { DBInstance, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, unlessAbsent } from './errors';

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

/** Statuses from which an instance will not recover by waiting. */
export const FAILED_STATUSES = new Set([
  'failed', 'incompatible-restore', 'incompatible-parameters', 'incompatible-network',
  'incompatible-option-group', 'incompatible-credentials', 'storage-full', 'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable', 'restore-error', 'stopped', 'stopping',
]);

/** Statuses that end by themselves: creating, renaming, modifying and so on. */
export function isTransitional(status: string | undefined): boolean {
  return status !== undefined && status !== 'available' && !FAILED_STATUSES.has(status);
}
