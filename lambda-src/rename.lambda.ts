import { DBInstance, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { attempt, PipelineError } from './rds/errors';
import { findInstance, findInstanceByResourceId } from './rds/instances';
import type { TempRef } from './rds/job';
import { tempIdentifier } from './rds/naming';

export interface RenameEvent {
  /** `forward`: the original moves to its temporary identifier. `back`: it returns to `identifier`. */
  readonly op: 'forward' | 'back';
  readonly identifier: string;
  /** DbiResourceId of the original: only that instance is ever renamed. */
  readonly resourceId: string;
}

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

export async function handler(event: RenameEvent): Promise<unknown> {
  return event.op === 'forward' ? forward(event.identifier, event.resourceId) : back(event.identifier, event.resourceId);
}
