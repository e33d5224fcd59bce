import { CreateDBSnapshotCommand, DBSnapshot, DeleteDBSnapshotCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { attempt, isFault, PipelineError } from './rds/errors';
import type { SnapshotRef } from './rds/job';
import { legacySnapshotIdentifier, snapshotIdentifier } from './rds/naming';
import { findSnapshot, madeByPipeline, pipelineSnapshots, pipelineTags } from './rds/snapshots';

export type SnapshotEvent =
  | { op: 'create'; identifier: string; startedAt: string }
  | { op: 'find'; identifier: string; engine: string }
  | { op: 'prune'; identifier: string; keep: string };

function ref(s: DBSnapshot, created: boolean): SnapshotRef {
  return {
    id: s.DBSnapshotIdentifier!,
    arn: s.DBSnapshotArn,
    createdAt: s.SnapshotCreateTime ? new Date(s.SnapshotCreateTime).toISOString() : undefined,
    created,
  };
}

/** Make a new snapshot, named from the execution start so a retry finds it instead of making another. */
async function create(identifier: string, startedAt: string): Promise<SnapshotRef> {
  const id = snapshotIdentifier(identifier, startedAt);
  try {
    const out = await rds().send(new CreateDBSnapshotCommand({
      DBSnapshotIdentifier: id, DBInstanceIdentifier: identifier, Tags: pipelineTags(identifier),
    }));
    return ref(out.DBSnapshot!, true);
  } catch (err) {
    if (isFault(err, 'DBSnapshotAlreadyExistsFault', 'DBSnapshotAlreadyExists')) {
      const existing = await findSnapshot(id);
      if (existing && madeByPipeline(existing, identifier)) return ref(existing, true);
    }
    return attempt(`Creating snapshot ${id} of ${identifier}`, () => Promise.reject(err));
  }
}

/** `db_restore`: the newest available snapshot this pipeline made, else `<identifier>-snapshot`. */
async function find(identifier: string, engine: string): Promise<SnapshotRef> {
  const ours = (await pipelineSnapshots(identifier)).find((s) => s.Status === 'available');
  const legacyId = legacySnapshotIdentifier(identifier);
  const chosen = ours ?? await findSnapshot(legacyId);
  if (!chosen) {
    throw new PipelineError('DBSnapshotNotFoundFault',
      `No snapshot to restore ${identifier} from: none made by this pipeline and no ${legacyId}. Run the task "create_snapshot" (or "create_snapshot_only") first.`);
  }
  if (chosen.Status !== 'available') {
    throw new PipelineError('InvalidDBSnapshotStateFault',
      `Snapshot ${chosen.DBSnapshotIdentifier} is ${chosen.Status}, not available; wait for it and run again.`);
  }
  if (chosen.Engine && chosen.Engine !== engine) {
    throw new PipelineError('SnapshotEngineMismatch',
      `Snapshot ${chosen.DBSnapshotIdentifier} is of engine ${chosen.Engine} but ${identifier} runs ${engine}.`);
  }
  return ref(chosen, false);
}

/** Delete the older snapshots this pipeline made, only once `keep` is verified available. */
async function prune(identifier: string, keep: string): Promise<{ deleted: string[] }> {
  const kept = await findSnapshot(keep);
  if (kept?.Status !== 'available') {
    throw new PipelineError('SnapshotNotVerified', `Snapshot ${keep} is ${kept?.Status ?? 'missing'}; older snapshots of ${identifier} are kept.`);
  }
  const older = (await pipelineSnapshots(identifier))
    .filter((s) => s.DBSnapshotIdentifier !== keep && s.Status === 'available');
  const deleted: string[] = [];
  for (const s of older) {
    const id = s.DBSnapshotIdentifier!;
    try {
      await rds().send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }));
    } catch (err) {
      if (isFault(err, 'DBSnapshotNotFoundFault', 'DBSnapshotNotFound')) continue; // already gone (a retry)
      return attempt(`Deleting older snapshot ${id}`, () => Promise.reject(err));
    }
    deleted.push(id);
  }
  return { deleted };
}

export async function handler(event: SnapshotEvent): Promise<unknown> {
  switch (event.op) {
    case 'create': return create(event.identifier, event.startedAt);
    case 'find': return find(event.identifier, event.engine);
    case 'prune': return prune(event.identifier, event.keep);
  }
}
