import {
  CreateDBInstanceCommand, RestoreDBClusterFromSnapshotCommand, RestoreDBClusterToPointInTimeCommand, RestoreDBClusterToPointInTimeCommandInput,
  RestoreDBInstanceFromDBSnapshotCommand, RestoreDBInstanceToPointInTimeCommand, RestoreDBInstanceToPointInTimeCommandInput,
} from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { clusterRestoreParams, memberCreateParams } from './rds/cluster-config';
import { findCluster } from './rds/clusters';
import { classify, isFault, PipelineError } from './rds/errors';
import { restoreParams } from './rds/instance-config';
import { findInstance, instanceOf } from './rds/instances';
import type { Job, OriginalCluster, RestoredRef } from './rds/job';
import { logged } from './rds/log';
import { stagedView } from './rds/staged-cluster';

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
  | { readonly op: 'members'; readonly which: 'writer' | 'readers'; readonly job: Job }
  /** The staged cluster (cutover RESTORE_THEN_SWAP, a DNS alias): under `original.staging`, members under their staging names. */
  | { readonly op: 'staged-cluster'; readonly job: Job }
  | { readonly op: 'staged-members'; readonly which: 'writer' | 'readers'; readonly job: Job };

export const handler = logged('restore', async (event: RestoreEvent | ClusterRestoreEvent): Promise<unknown> => {
  switch (event.op) {
    case 'instance': return restoreInstance(event.job, false);
    case 'staged-instance': return restoreInstance(event.job, true);
    case 'cluster': return restoreCluster(event.job);
    case 'members': return createMembers(event.job, event.which);
    case 'staged-cluster': return restoreCluster(stagedView(event.job));
    case 'staged-members': return createMembers(stagedView(event.job), event.which);
  }
});

/** RestoreTime, or UseLatestRestorableTime (exactly one: API_RestoreDBInstanceToPointInTime, API_RestoreDBClusterToPointInTime). */
function pointInTime(at: string): { RestoreTime: Date } | { UseLatestRestorableTime: true } {
  return at === 'latest' ? { UseLatestRestorableTime: true } : { RestoreTime: new Date(at) };
}

/** What a DB instance restore is from: the snapshot, or the original at a point in time. */
function instanceSource(job: Job): string {
  const pit = job.snapshot?.pointInTime;
  if (!pit) return `snapshot ${job.snapshot!.id}`;
  return `${job.identifier} at ${pit === 'latest' ? 'its latest restorable time' : pit}`;
}

/**
 * Restore the snapshot (or the original at a point in time) under the original
 * (or staging) identifier with every setting the restore call can carry. A
 * point-in-time restore names the original by its identifier while it still
 * holds it (staging), else by its DbiResourceId, which survives the rename.
 */
async function restoreInstance(job: Job, staged: boolean): Promise<RestoredRef> {
  const { original, identifier } = instanceOf(job, staged);
  const pit = job.snapshot?.pointInTime;
  try {
    const settings = restoreParams(original.config);
    const out = pit
      ? await rds().send(new RestoreDBInstanceToPointInTimeCommand({
        ...(settings as Partial<RestoreDBInstanceToPointInTimeCommandInput>),
        TargetDBInstanceIdentifier: identifier,
        ...(staged ? { SourceDBInstanceIdentifier: job.dns?.serving ?? job.identifier } : { SourceDbiResourceId: original.resourceId }),
        ...pointInTime(pit),
      }))
      : await rds().send(new RestoreDBInstanceFromDBSnapshotCommand({
        ...settings,
        DBInstanceIdentifier: identifier,
        DBSnapshotIdentifier: job.snapshot!.id,
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
    throw classify(err, `Restoring ${instanceSource(job)} as ${identifier}`);
  }
}

/**
 * The cluster from its snapshot, or from the original (renamed away: named by
 * its DbClusterResourceId) at a point in time, as a full copy. A point-in-time
 * restore takes neither Engine nor EngineVersion: the copy keeps the original's
 * (API_RestoreDBClusterToPointInTime).
 */
async function restoreCluster(job: Job): Promise<RestoredRef> {
  const original = job.original as OriginalCluster;
  const pit = job.snapshot?.pointInTime;
  const what = pit ? `${job.identifier} at ${pit === 'latest' ? 'its latest restorable time' : pit}` : `cluster snapshot ${job.snapshot!.id}`;
  try {
    // what RestoreDBClusterToPointInTime has no field for: the copy keeps the original's
    const { Engine: _e, EngineVersion: _v, AvailabilityZones: _z, DatabaseName: _d, ...settings } = clusterRestoreParams(
      original.config, original.engine);
    // a compile error when a new restore row sets a field the point-in-time call does not have
    type Extra = Exclude<keyof typeof settings, keyof RestoreDBClusterToPointInTimeCommandInput>;
    const pitSettings: Partial<RestoreDBClusterToPointInTimeCommandInput> = settings satisfies { [K in Extra]?: never };
    const out = pit
      ? await rds().send(new RestoreDBClusterToPointInTimeCommand({
        ...pitSettings,
        DBClusterIdentifier: job.identifier,
        SourceDbClusterResourceId: original.resourceId,
        RestoreType: 'full-copy',
        ...(pit === 'latest' ? { UseLatestRestorableTime: true } : { RestoreToTime: new Date(pit) }),
      }))
      : await rds().send(new RestoreDBClusterFromSnapshotCommand({
        ...clusterRestoreParams(original.config, original.engine),
        DBClusterIdentifier: job.identifier,
        SnapshotIdentifier: job.snapshot!.id,
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
    throw classify(err, `Restoring ${what} as ${job.identifier}`);
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
