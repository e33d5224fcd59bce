import { DBInstance, ModifyDBClusterCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { findCluster, findClusterByResourceId } from './rds/clusters';
import { attempt, PipelineError } from './rds/errors';
import { findInstance, findInstanceByResourceId } from './rds/instances';
import type { Job, OriginalCluster, TempRef } from './rds/job';
import { logged } from './rds/log';
import { tempIdentifier } from './rds/naming';

export type RenameEvent =
  /**
   * `forward`: the original instance moves to its temporary identifier. `back`: it returns to `identifier`.
   * Only the instance with DbiResourceId `resourceId` is ever renamed.
   */
  | { readonly op: 'forward' | 'back'; readonly identifier: string; readonly resourceId: string }
  /** The same for an Aurora cluster's members, or for the cluster itself, from the job. */
  | { readonly op: 'members-forward' | 'members-back' | 'cluster-forward' | 'cluster-back'; readonly job: Job };

async function rename(db: DBInstance, to: string): Promise<void> {
  const from = db.DBInstanceIdentifier!;
  await attempt(`Renaming DB instance ${from} to ${to}`, () => rds().send(new ModifyDBInstanceCommand({
    DBInstanceIdentifier: from, NewDBInstanceIdentifier: to, ApplyImmediately: true,
  })));
}

async function forward(identifier: string, resourceId: string): Promise<TempRef> {
  const temp = tempIdentifier(identifier);
  const db = await findInstanceByResourceId(resourceId);
  if (!db) throw new PipelineError('DBInstanceNotFoundFault', `The original DB instance ${identifier} (${resourceId}) is gone.`);
  if (db.DBInstanceIdentifier === temp) return { identifier: temp }; // renamed by an earlier attempt of this step
  if (db.DBInstanceIdentifier !== identifier) {
    throw new PipelineError('UnexpectedIdentifier', `The original DB instance is now called ${db.DBInstanceIdentifier}, not ${identifier}; someone else renamed it.`);
  }
  if (db.PendingModifiedValues?.DBInstanceIdentifier === temp) return { identifier: temp }; // accepted, not yet applied
  await rename(db, temp);
  return { identifier: temp };
}

async function back(identifier: string, resourceId: string): Promise<{ renamed: boolean; from?: string }> {
  const db = await findInstanceByResourceId(resourceId);
  if (!db) throw new PipelineError('DBInstanceNotFoundFault', `The original DB instance (${resourceId}) cannot be found to rename it back to ${identifier}.`);
  if (db.DBInstanceIdentifier === identifier) return { renamed: false };
  if (db.PendingModifiedValues?.DBInstanceIdentifier === identifier) return { renamed: true, from: db.DBInstanceIdentifier };
  const occupant = await findInstance(identifier);
  if (occupant) {
    throw new PipelineError('DBInstanceAlreadyExistsFault',
      `Cannot rename ${db.DBInstanceIdentifier} back to ${identifier}: another DB instance (${occupant.DbiResourceId}) holds that identifier.`);
  }
  await rename(db, identifier);
  return { renamed: true, from: db.DBInstanceIdentifier };
}

/**
 * Rename every member to (or back from) its temporary identifier; each is found
 * by resource id, so a retry skips the done ones. Returns where the members now are.
 */
async function members(original: OriginalCluster, direction: 'forward' | 'back'): Promise<{ members: string[] }> {
  for (const m of original.members) {
    if (direction === 'forward') await forward(m.identifier, m.resourceId);
    else await back(m.identifier, m.resourceId);
  }
  return { members: original.members.map((m) => (direction === 'forward' ? tempIdentifier(m.identifier) : m.identifier)) };
}

async function cluster(identifier: string, original: OriginalCluster, direction: 'forward' | 'back'): Promise<TempRef | { renamed: boolean }> {
  const temp = tempIdentifier(identifier);
  const [from, to] = direction === 'forward' ? [identifier, temp] : [temp, identifier];
  const found = await findClusterByResourceId(original.resourceId);
  if (!found) throw new PipelineError('DBClusterNotFoundFault', `The original DB cluster ${identifier} (${original.resourceId}) cannot be found.`);
  const result = direction === 'forward' ? { identifier: temp, members: original.members.map((m) => tempIdentifier(m.identifier)) } : { renamed: true };
  if (found.DBClusterIdentifier === to) return direction === 'forward' ? result : { renamed: false };
  if (found.DBClusterIdentifier !== from) {
    throw new PipelineError('UnexpectedIdentifier', `The original DB cluster is now called ${found.DBClusterIdentifier}, not ${from}; someone else renamed it.`);
  }
  if (direction === 'back' && await findCluster(to)) {
    throw new PipelineError('DBClusterAlreadyExistsFault', `Cannot rename ${from} back to ${to}: another DB cluster holds that identifier.`);
  }
  await attempt(`Renaming DB cluster ${from} to ${to}`, () => rds().send(new ModifyDBClusterCommand({
    DBClusterIdentifier: from, NewDBClusterIdentifier: to, ApplyImmediately: true,
  })));
  return result;
}

export const handler = logged('rename', async (event: RenameEvent): Promise<unknown> => {
  switch (event.op) {
    case 'forward': return forward(event.identifier, event.resourceId);
    case 'back': return back(event.identifier, event.resourceId);
    case 'members-forward': return members(event.job.original as OriginalCluster, 'forward');
    case 'members-back': return members(event.job.original as OriginalCluster, 'back');
    case 'cluster-forward': return cluster(event.job.identifier, event.job.original as OriginalCluster, 'forward');
    case 'cluster-back': return cluster(event.job.identifier, event.job.original as OriginalCluster, 'back');
  }
});
