import { RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { attempt, isFault, PipelineError } from './rds/errors';
import { InstanceConfig, restoreParams } from './rds/instance-config';
import { findInstance } from './rds/instances';
import type { RestoredRef } from './rds/job';

export interface RestoreEvent {
  readonly identifier: string;
  readonly snapshotId: string;
  /** DbiResourceId of the original, which must have moved away from `identifier`. */
  readonly originalResourceId: string;
  readonly config: InstanceConfig;
}

/** Restore the snapshot under the original identifier with every setting the restore call can carry. */
export async function handler(event: RestoreEvent): Promise<RestoredRef> {
  const { identifier, snapshotId } = event;
  try {
    const out = await rds().send(new RestoreDBInstanceFromDBSnapshotCommand({
      ...restoreParams(event.config),
      DBInstanceIdentifier: identifier,
      DBSnapshotIdentifier: snapshotId,
    }));
    return { resourceId: out.DBInstance!.DbiResourceId! };
  } catch (err) {
    if (isFault(err, 'DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists')) {
      const occupant = await findInstance(identifier);
      if (occupant?.DbiResourceId === event.originalResourceId) {
        throw new PipelineError('DBInstanceAlreadyExistsFault', `The original DB instance still holds ${identifier}: the rename has not taken effect.`);
      }
      // An earlier attempt of this step started the restore; it is the one still being created.
      if (occupant?.DBInstanceStatus === 'creating') return { resourceId: occupant.DbiResourceId! };
    }
    return attempt(`Restoring snapshot ${snapshotId} as ${identifier}`, () => Promise.reject(err));
  }
}
