import { CreateDBInstanceCommand, RestoreDBClusterFromSnapshotCommand, RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { clusterRestoreParams, memberCreateParams } from './rds/cluster-config';
import { findCluster } from './rds/clusters';
import { classify, isFault, PipelineError } from './rds/errors';
import { restoreParams } from './rds/instance-config';
import { findInstance, instanceOf } from './rds/instances';
import type { Job, OriginalCluster, RestoredRef } from './rds/job';
import { logged } from './rds/log';

/**
 * A DB instance: the snapshot under the original identifier (`instance`), or
 * with cutover RESTORE_THEN_SWAP under the staging identifier (`staged-instance`).
 */
export interface RestoreEvent {
  readonly op: 'instance' | 'staged-instance';
  readonly job: Job;
}

/** Aurora: the cluster from its snapshot, or its members (the writer alone first, then the readers). */
export type ClusterRestoreEvent =
  | { readonly op: 'cluster'; readonly job: Job }
  | { readonly op: 'members'; readonly which: 'writer' | 'readers'; readonly job: Job };

export const handler = logged('restore', async (event: RestoreEvent | ClusterRestoreEvent): Promise<unknown> => {
  switch (event.op) {
    case 'instance': return restoreInstance(event.job, false);
    case 'staged-instance': return restoreInstance(event.job, true);
    case 'cluster': return restoreCluster(event.job);
    case 'members': return createMembers(event.job, event.which);
  }
});

/** Restore the snapshot under the original (or staging) identifier with every setting the restore call can carry. */
async function restoreInstance(job: Job, staged: boolean): Promise<RestoredRef> {
  const { original, identifier } = instanceOf(job, staged);
  const snapshotId = job.snapshot!.id;
  try {
    const out = await rds().send(new RestoreDBInstanceFromDBSnapshotCommand({
      ...restoreParams(original.config),
      DBInstanceIdentifier: identifier,
      DBSnapshotIdentifier: snapshotId,
    }));
    return { resourceId: out.DBInstance!.DbiResourceId! };
  } catch (err) {
    if (isFault(err, 'DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists')) {
      const occupant = await findInstance(identifier);
      if (occupant?.DbiResourceId === original.resourceId) {
        throw new PipelineError('DBInstanceAlreadyExistsFault', `The original DB instance still holds ${identifier}: the rename has not taken effect.`);
      }
      // An earlier attempt of this step started the restore; it is the one still being created.
      if (occupant?.DBInstanceStatus === 'creating') return { resourceId: occupant.DbiResourceId! };
    }
    throw classify(err, `Restoring snapshot ${snapshotId} as ${identifier}`);
  }
}

async function restoreCluster(job: Job): Promise<RestoredRef> {
  const original = job.original as OriginalCluster;
  const snapshotId = job.snapshot!.id;
  try {
    const out = await rds().send(new RestoreDBClusterFromSnapshotCommand({
      ...clusterRestoreParams(original.config, original.engine),
      DBClusterIdentifier: job.identifier,
      SnapshotIdentifier: snapshotId,
    }));
    return { resourceId: out.DBCluster!.DbClusterResourceId! };
  } catch (err) {
    if (isFault(err, 'DBClusterAlreadyExistsFault', 'DBClusterAlreadyExists')) {
      const occupant = await findCluster(job.identifier);
      if (occupant?.DbClusterResourceId === original.resourceId) {
        throw new PipelineError('DBClusterAlreadyExistsFault', `The original DB cluster still holds ${job.identifier}: the rename has not taken effect.`);
      }
      if (occupant?.Status === 'creating') return { resourceId: occupant.DbClusterResourceId! };
    }
    throw classify(err, `Restoring cluster snapshot ${snapshotId} as ${job.identifier}`);
  }
}

/** Create the members under their original identifiers, with their captured settings. */
async function createMembers(job: Job, which: 'writer' | 'readers'): Promise<{ created: string[] }> {
  const original = job.original as OriginalCluster;
  const members = original.members.filter((m) => m.isWriter === (which === 'writer'));
  const created: string[] = [];
  for (const m of members) {
    try {
      await rds().send(new CreateDBInstanceCommand(memberCreateParams(m, job.identifier, original.engine)));
    } catch (err) {
      const occupant = isFault(err, 'DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists') ? await findInstance(m.identifier) : undefined;
      // created by an earlier attempt of this step: a member of the restored cluster, not the original
      if (!(occupant && occupant.DBClusterIdentifier === job.identifier && occupant.DbiResourceId !== m.resourceId)) {
        throw classify(err, `Creating cluster member ${m.identifier}`);
      }
    }
    created.push(m.identifier);
  }
  return { created };
}
