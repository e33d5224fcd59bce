import { DBSnapshot, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, isFault } from './errors';
import { TAG_PIPELINE, TAG_SOURCE } from './naming';

/** The pipeline this deployment is: set by the construct, unique per TrapheusRestore. */
export function pipelineId(): string {
  const id = process.env.PIPELINE_ID;
  if (!id) throw new Error('PIPELINE_ID is not set: the handler runs outside its TrapheusRestore');
  return id;
}

export function pipelineTags(identifier: string) {
  return [{ Key: TAG_SOURCE, Value: identifier }, { Key: TAG_PIPELINE, Value: pipelineId() }];
}

/** True when this pipeline made `snapshot` for `identifier`. */
export function madeByPipeline(snapshot: DBSnapshot, identifier: string): boolean {
  const tags = new Map((snapshot.TagList ?? []).map((t) => [t.Key, t.Value]));
  return tags.get(TAG_SOURCE) === identifier && tags.get(TAG_PIPELINE) === pipelineId();
}

export async function findSnapshot(id: string): Promise<DBSnapshot | undefined> {
  try {
    const out = await rds().send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }));
    return out.DBSnapshots?.[0];
  } catch (err) {
    if (isFault(err, 'DBSnapshotNotFoundFault', 'DBSnapshotNotFound')) return undefined;
    return attempt(`Describing snapshot ${id}`, () => Promise.reject(err));
  }
}

/** The manual snapshots this pipeline made of `identifier`, newest first. */
export async function pipelineSnapshots(identifier: string): Promise<DBSnapshot[]> {
  const found: DBSnapshot[] = [];
  let marker: string | undefined;
  do {
    const out = await attempt(`Listing the snapshots of ${identifier}`, () => rds().send(new DescribeDBSnapshotsCommand({
      DBInstanceIdentifier: identifier, SnapshotType: 'manual', Marker: marker,
    })));
    found.push(...(out.DBSnapshots ?? []).filter((s) => madeByPipeline(s, identifier)));
    marker = out.Marker;
  } while (marker);
  const time = (s: DBSnapshot) => new Date(s.SnapshotCreateTime ?? 0).getTime();
  return found.sort((a, b) => time(b) - time(a));
}
