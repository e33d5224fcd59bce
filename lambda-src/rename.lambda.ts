import { DBInstance, ModifyDBClusterCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { findCluster, findClusterByResourceId } from './rds/clusters';
import { attempt, PipelineError } from './rds/errors';
import { findInstance, findInstanceByResourceId } from './rds/instances';
import type { Job, OriginalCluster, TempRef } from './rds/job';
import { logged } from './rds/log';
import { tempIdentifier } from './rds/naming';
import { stagedView } from './rds/staged-cluster';

export type RenameEvent =
  /**
   * `forward`: the original instance moves to its temporary identifier. `back`: it returns to `identifier`.
   * Only the instance with DbiResourceId `resourceId` is ever renamed.
   */
  | { readonly op: 'forward' | 'back'; readonly identifier: string; readonly resourceId: string }
  /** The same for an Aurora cluster's members, or for the cluster itself, from the job. */
  | { readonly op: 'members-forward' | 'members-back' | 'cluster-forward' | 'cluster-back'; readonly job: Job }
  /**
   * Cutover RESTORE_THEN_SWAP for Aurora: the staged cluster moves under the identifier (`staged-cluster-in`),
   * or back out of it in rollback (`staged-cluster-out`); its members take their final names (`staged-members-in`).
   */
  | { readonly op: 'staged-cluster-in' | 'staged-cluster-out' | 'staged-members-in'; readonly job: Job };

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

/** The staged cluster (the one this run restored: `restored.resourceId`) into the identifier, or out of it back to its staging name. */
async function stagedCluster(job: Job, direction: 'in' | 'out'): Promise<{ renamed: boolean }> {
  const staging = stagedView(job).identifier;
  const [from, to] = direction === 'in' ? [staging, job.identifier] : [job.identifier, staging];
  const found = job.restored?.resourceId ? await findClusterByResourceId(job.restored.resourceId) : undefined;
  if (!found) {
    if (direction === 'out') return { renamed: false }; // never restored, or already deleted: nothing holds the identifier for it
    throw new PipelineError('DBClusterNotFoundFault', `The staged DB cluster ${staging} (${job.restored?.resourceId}) cannot be found.`);
  }
  if (found.DBClusterIdentifier === to) return { renamed: false };
  if (found.DBClusterIdentifier !== from) {
    throw new PipelineError('UnexpectedIdentifier', `The staged DB cluster is now called ${found.DBClusterIdentifier}, not ${from}; someone else renamed it.`);
  }
  if (await findCluster(to)) throw new PipelineError('DBClusterAlreadyExistsFault', `Cannot rename ${from} to ${to}: another DB cluster holds that identifier.`);
  await attempt(`Renaming DB cluster ${from} to ${to}`, () => rds().send(new ModifyDBClusterCommand({
    DBClusterIdentifier: from, NewDBClusterIdentifier: to, ApplyImmediately: true,
  })));
  return { renamed: true };
}

/**
 * The staged members take the original members' identifiers (which the
 * originals, renamed to `<member>-trapheus-old`, have freed), while the staged
 * cluster still has its staging identifier: each must be a member of it; a
 * retry skips the done ones.
 */
async function stagedMembersIn(job: Job): Promise<{ members: string[] }> {
  const original = job.original as OriginalCluster;
  const view = stagedView(job);
  const staged = view.original as OriginalCluster;
  for (const [i, final] of original.memberIdentifiers.entries()) {
    const from = staged.memberIdentifiers[i];
    const db = await findInstance(from);
    if (!db) {
      const done = await findInstance(final);
      if (done?.DBClusterIdentifier === view.identifier) continue;
      throw new PipelineError('DBInstanceNotFoundFault', `The staged member ${from} of ${view.identifier} cannot be found.`);
    }
    if (db.DBClusterIdentifier !== view.identifier) {
      throw new PipelineError('UnexpectedDBInstance', `${from} is not a member of the staged cluster ${view.identifier} (${db.DBClusterIdentifier}); it is left alone.`);
    }
    if (db.PendingModifiedValues?.DBInstanceIdentifier === final) continue;
    await rename(db, final);
  }
  return { members: original.memberIdentifiers };
}

export const handler = logged('rename', async (event: RenameEvent): Promise<unknown> => {
  switch (event.op) {
    case 'forward': return forward(event.identifier, event.resourceId);
    case 'back': return back(event.identifier, event.resourceId);
    case 'members-forward': return members(event.job.original as OriginalCluster, 'forward');
    case 'members-back': return members(event.job.original as OriginalCluster, 'back');
    case 'cluster-forward': return cluster(event.job.identifier, event.job.original as OriginalCluster, 'forward');
    case 'cluster-back': return cluster(event.job.identifier, event.job.original as OriginalCluster, 'back');
    case 'staged-cluster-in': return stagedCluster(event.job, 'in');
    case 'staged-cluster-out': return stagedCluster(event.job, 'out');
    case 'staged-members-in': return stagedMembersIn(event.job);
  }
});
