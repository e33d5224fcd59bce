/**
 * Tags by ARN: AddTagsToResource, RemoveTagsFromResource, ListTagsForResource
 * on DB instances, DB snapshots, DB clusters and DB cluster snapshots.
 */
import { Tag } from '@aws-sdk/client-rds';
import { rdsFault } from './faults';
import { SimRecord } from './lifecycle';
import type { SimState } from './state';

/**
 * The record an ARN names: arn:aws:rds:<region>:<account>:db:<id>, ...:snapshot:<id>, ...:cluster:<id>, ...:cluster-snapshot:<id>
 * (RDS User Guide, "Amazon Resource Names (ARNs) in Amazon RDS"). Not found: the faults API_AddTagsToResource lists
 * under Errors; a malformed ARN: InvalidParameterValue (wording assumed).
 */
export function resourceByArn(sim: SimState, arn: unknown): SimRecord {
  const m = /^arn:aws:rds:([^:]+):(\d{12}):([a-z-]+):(.+)$/.exec(String(arn ?? ''));
  if (!m) throw rdsFault('InvalidParameterValue', `The specified resource name does not match an RDS resource in this region: ${arn}`);
  const [, region, account, type, id] = m;
  const here = region === sim.region && account === sim.accountId;
  switch (type) {
    case 'db': {
      const rec = here ? sim.findInstance(id) : undefined;
      if (!rec) throw rdsFault('DBInstanceNotFoundFault', `DBInstance ${id} not found.`);
      return rec;
    }
    case 'snapshot': {
      const rec = here ? sim.findSnapshot(id) : undefined;
      if (!rec) throw rdsFault('DBSnapshotNotFoundFault', `DBSnapshot not found: ${id}`);
      return rec;
    }
    case 'cluster': {
      const rec = here ? sim.findCluster(id) : undefined;
      if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${id} not found.`);
      return rec;
    }
    case 'cluster-snapshot': {
      const rec = here ? sim.findClusterSnapshot(id) : undefined;
      if (!rec) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${id} not found.`);
      return rec;
    }
    default:
      throw new Error(`RdsSimulator does not implement tags on '${type}' resources`);
  }
}

/** A tag whose key the resource already has gets the new value (RDS User Guide, "Tagging Amazon RDS resources"). */
export function addTagsToResource(sim: SimState, input: { ResourceName?: string; Tags?: Tag[] }): object {
  const rec = resourceByArn(sim, input.ResourceName);
  const tags = new Map((rec.data.TagList ?? []).map(t => [t.Key, t.Value]));
  for (const t of input.Tags ?? []) tags.set(t.Key, t.Value);
  rec.data.TagList = [...tags].map(([Key, Value]) => ({ Key, Value }));
  return {};
}

export function removeTagsFromResource(sim: SimState, input: { ResourceName?: string; TagKeys?: string[] }): object {
  const rec = resourceByArn(sim, input.ResourceName);
  const drop = new Set(input.TagKeys ?? []);
  rec.data.TagList = (rec.data.TagList ?? []).filter(t => !drop.has(t.Key!));
  return {};
}

export function listTagsForResource(sim: SimState, input: { ResourceName?: string }): object {
  return { TagList: structuredClone(resourceByArn(sim, input.ResourceName).data.TagList ?? []) };
}
