import { classify, isFault, PipelineError } from './rds/errors';
import type { SnapshotRef } from './rds/job';
import { logged } from './rds/log';
import { legacySnapshotIdentifier, snapshotIdentifier } from './rds/naming';
import { madeByPipeline, pipelineSnapshots, pipelineTags, Snap, SnapshotKind, snapshotKind } from './rds/snapshots';

/** `isCluster` picks DB cluster snapshots instead of DB snapshots; the rules are the same. */
export type SnapshotEvent = { isCluster?: boolean } & (
  | { op: 'create'; identifier: string; startedAt: string }
  | { op: 'find'; identifier: string; engine: string }
  | { op: 'prune'; identifier: string; keep: string });

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function ref(s: Snap, created: boolean): SnapshotRef {
  return { id: s.id, arn: s.arn, createdAt: s.createdAt, created };
}

/** Make a new snapshot, named from the execution start so a retry finds it instead of making another. */
async function create(kind: SnapshotKind, identifier: string, startedAt: string): Promise<SnapshotRef> {
  const id = snapshotIdentifier(identifier, startedAt);
  try {
    return ref(await kind.create(id, identifier, pipelineTags(identifier)), true);
  } catch (err) {
    if (isFault(err, ...kind.alreadyExists)) {
      const existing = await kind.find(id);
      if (existing && madeByPipeline(existing, identifier)) return ref(existing, true);
    }
    throw classify(err, `Creating ${kind.noun} ${id} of ${identifier}`);
  }
}

/** `db_restore`: the newest available snapshot this pipeline made, else `<identifier>-snapshot`. */
async function find(kind: SnapshotKind, identifier: string, engine: string): Promise<SnapshotRef> {
  const ours = (await pipelineSnapshots(kind, identifier)).find((s) => s.status === 'available');
  const legacyId = legacySnapshotIdentifier(identifier);
  const chosen = ours ?? await kind.find(legacyId);
  const notFound = kind === snapshotKind(true) ? 'DBClusterSnapshotNotFoundFault' : 'DBSnapshotNotFoundFault';
  if (!chosen) {
    throw new PipelineError(notFound,
      `No ${kind.noun} to restore ${identifier} from: none made by this pipeline and no ${legacyId}. Run the task "create_snapshot" (or "create_snapshot_only") first.`);
  }
  if (chosen.status !== 'available') {
    throw new PipelineError(kind === snapshotKind(true) ? 'InvalidDBClusterSnapshotStateFault' : 'InvalidDBSnapshotStateFault',
      `${capitalized(kind.noun)} ${chosen.id} is ${chosen.status}, not available; wait for it and run again.`);
  }
  if (chosen.engine && chosen.engine !== engine) {
    throw new PipelineError('SnapshotEngineMismatch', `${capitalized(kind.noun)} ${chosen.id} is of engine ${chosen.engine} but ${identifier} runs ${engine}.`);
  }
  return ref(chosen, false);
}

/** Delete the older snapshots this pipeline made, only once `keep` is verified available. */
async function prune(kind: SnapshotKind, identifier: string, keep: string): Promise<{ deleted: string[] }> {
  const kept = await kind.find(keep);
  if (kept?.status !== 'available') {
    throw new PipelineError('SnapshotNotVerified', `${capitalized(kind.noun)} ${keep} is ${kept?.status ?? 'missing'}; older snapshots of ${identifier} are kept.`);
  }
  // Only older ones: an overlapping execution's newer snapshot is not ours to delete.
  const keptAt = new Date(kept.createdAt ?? 0).getTime();
  const older = (await pipelineSnapshots(kind, identifier))
    .filter((s) => s.id !== keep && s.status === 'available' && new Date(s.createdAt ?? 0).getTime() < keptAt);
  const deleted: string[] = [];
  for (const s of older) {
    try {
      await kind.remove(s.id);
    } catch (err) {
      if (isFault(err, ...kind.notFound)) continue; // already gone (a retry)
      throw classify(err, `Deleting older ${kind.noun} ${s.id}`);
    }
    deleted.push(s.id);
  }
  return { deleted };
}

export const handler = logged('snapshot', async (event: SnapshotEvent): Promise<unknown> => {
  const kind = snapshotKind(event.isCluster);
  switch (event.op) {
    case 'create': return create(kind, event.identifier, event.startedAt);
    case 'find': return find(kind, event.identifier, event.engine);
    case 'prune': return prune(kind, event.identifier, event.keep);
  }
});
