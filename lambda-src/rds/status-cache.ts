import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DBCluster, DBInstance, DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { rds } from './client';
import { isFault } from './errors';
import { log } from './log';
import type { Snap } from './snapshots';

/**
 * The status checks of a fleet's targets share one DescribeDBInstances (one
 * DescribeDBClusters, one DescribeDBSnapshots) call (RDS's request budget: a fleet of 50 waiting
 * targets at most about 1 request a second). An item of the restore lock's
 * table (`INSTANCES_KEY`, `CLUSTERS_KEY`, `SNAPSHOTS_KEY`) holds what an
 * unfiltered DescribeDBInstances (DescribeDBClusters, manual DescribeDBSnapshots) answered, every page, and
 * when: a check that finds it at most `CACHE_SECONDS` old, and made after its
 * own wait began (so after the step it waits for), reads its resource there;
 * the first check that finds it stale claims the refresh (a conditional
 * write: one refresher at a time) and lists the account again. A check that
 * cannot use it (another check is refreshing it, the table or RDS refused,
 * the account has more than `MAX_PAGES` pages) describes its own resource, as
 * a single target always does.
 *
 * Only the fields a status check reads are kept (instances: identifier,
 * status, resource id, pending modified values; clusters: identifier, status,
 * resource id, members; snapshots: identifier, status).
 */
export const INSTANCES_KEY = 'status-cache:instances';
export const SNAPSHOTS_KEY = 'status-cache:snapshots';
export const CLUSTERS_KEY = 'status-cache:clusters';
/** How old (seconds) a listing may be to answer a check. */
export const CACHE_SECONDS = 15;
/**
 * DescribeDBInstances without an identifier lists the account's instances,
 * `MaxRecords` a page (RDS API Reference, DescribeDBInstances: MaxRecords
 * default 100, from 20 to 100; `Marker` for the next page). A larger account
 * is not listed (the refresh would cost more than the checks it saves).
 */
export const MAX_PAGES = 5;
/** A too-large account is not listed again for this long (seconds). */
const TOO_LARGE_SECONDS = 3600;

type Slim = Pick<DBInstance, 'DBInstanceIdentifier' | 'DBInstanceStatus' | 'DbiResourceId' | 'PendingModifiedValues'>;

/** The account's instances as listed at `at` (epoch seconds). */
export interface InstanceListing {
  readonly at: number;
  byIdentifier(identifier: string): DBInstance | undefined;
  byResourceId(resourceId: string): DBInstance | undefined;
}

let ddb: DynamoDBClient | undefined;

function listing(at: number, instances: Slim[]): InstanceListing {
  const ids = new Map(instances.map((i) => [i.DBInstanceIdentifier!.toLowerCase(), i]));
  const rids = new Map(instances.map((i) => [i.DbiResourceId, i]));
  return { at, byIdentifier: (id) => ids.get(id.toLowerCase()), byResourceId: (rid) => rids.get(rid) };
}

/** Every instance of the account, slim, or undefined when there are more than MAX_PAGES pages. */
async function listInstances(): Promise<Slim[] | undefined> {
  const all: Slim[] = [];
  let Marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await rds().send(new DescribeDBInstancesCommand({ MaxRecords: 100, Marker }));
    for (const i of out.DBInstances ?? []) {
      const { DBInstanceIdentifier, DBInstanceStatus, DbiResourceId, PendingModifiedValues } = i;
      all.push({ DBInstanceIdentifier, DBInstanceStatus, DbiResourceId, PendingModifiedValues });
    }
    Marker = out.Marker;
    if (!Marker) return all;
  }
  return undefined;
}

/**
 * A listing of the account under `key`, made at most `CACHE_SECONDS` before
 * `now` and not before `notBefore` (epoch seconds): read from the table, or
 * made now by `list` if this check wins the refresh. Undefined: the caller
 * describes its resource itself.
 */
async function shared<T>(
  key: string, now: number, notBefore: number, list: () => Promise<T[] | undefined>,
): Promise<{ at: number; items: T[] } | undefined> {
  const table = process.env.HISTORY_TABLE;
  if (!table || !Number.isFinite(now)) return undefined;
  ddb ??= new DynamoDBClient({});
  const Key = { lockKey: { S: key } };
  try {
    const item = (await ddb.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }))).Item;
    const at = Number(item?.at?.N);
    if (item?.tooLarge?.BOOL && at > now - TOO_LARGE_SECONDS) return undefined;
    if (item?.items?.S && at >= now - CACHE_SECONDS && at >= notBefore) return { at, items: JSON.parse(item.items.S) };
    // Stale: claim the refresh, unless another check claimed it within CACHE_SECONDS.
    await ddb.send(new UpdateItemCommand({
      TableName: table,
      Key,
      UpdateExpression: 'SET claimedAt = :now',
      ConditionExpression: 'attribute_not_exists(claimedAt) OR claimedAt < :stale',
      ExpressionAttributeValues: { ':now': { N: String(now) }, ':stale': { N: String(now - CACHE_SECONDS) } },
    }));
    const items = await list();
    await ddb.send(new UpdateItemCommand({
      TableName: table,
      Key,
      UpdateExpression: items ? 'SET #a = :now, #i = :i, tooLarge = :f, expiresAt = :x' : 'SET #a = :now, tooLarge = :t, expiresAt = :x REMOVE #i',
      ExpressionAttributeNames: { '#a': 'at', '#i': 'items' },
      ExpressionAttributeValues: {
        ':now': { N: String(now) },
        ':x': { N: String(now + 86400) },
        ...(items ? { ':i': { S: JSON.stringify(items) }, ':f': { BOOL: false } } : { ':t': { BOOL: true } }),
      },
    }));
    return items ? { at: now, items } : undefined;
  } catch (err) {
    if (!isFault(err, 'ConditionalCheckFailedException')) {
      log('ERROR', { message: 'the shared listing failed; describing the resource itself', key, error: (err as Error)?.name });
    }
    return undefined;
  }
}

/** The account's instances, recent (see `shared`), or undefined. */
export async function recentInstances(now: number, notBefore: number): Promise<InstanceListing | undefined> {
  const found = await shared(INSTANCES_KEY, now, notBefore, listInstances);
  return found && listing(found.at, found.items);
}

/** Every manual DB snapshot of the account (id and status), or undefined when there are more than MAX_PAGES pages. */
async function listSnapshots(): Promise<Snap[] | undefined> {
  const all: Snap[] = [];
  let Marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await rds().send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 100, Marker }));
    for (const s of out.DBSnapshots ?? []) all.push({ id: s.DBSnapshotIdentifier!, status: s.Status, tags: [] });
    Marker = out.Marker;
    if (!Marker) return all;
  }
  return undefined;
}

/** The account's manual DB snapshots, recent (see `shared`), by identifier; or undefined. */
export async function recentSnapshots(now: number, notBefore: number): Promise<Map<string, Snap> | undefined> {
  const found = await shared(SNAPSHOTS_KEY, now, notBefore, listSnapshots);
  return found && new Map(found.items.map((s) => [s.id.toLowerCase(), s]));
}

type SlimCluster = Pick<DBCluster, 'DBClusterIdentifier' | 'Status' | 'DbClusterResourceId' | 'DBClusterMembers'>;

/** Every DB cluster of the account (identifier, status, resource id, members), or undefined when there are more than MAX_PAGES pages. */
async function listClusters(): Promise<SlimCluster[] | undefined> {
  const all: SlimCluster[] = [];
  let Marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await rds().send(new DescribeDBClustersCommand({ MaxRecords: 100, Marker }));
    for (const c of out.DBClusters ?? []) {
      const members = (c.DBClusterMembers ?? []).map(({ DBInstanceIdentifier, IsClusterWriter }) => ({ DBInstanceIdentifier, IsClusterWriter }));
      const { DBClusterIdentifier, Status, DbClusterResourceId } = c;
      all.push({ DBClusterIdentifier, Status, DbClusterResourceId, DBClusterMembers: members });
    }
    Marker = out.Marker;
    if (!Marker) return all;
  }
  return undefined;
}

/** The account's DB clusters, recent (see `shared`), by identifier and by resource id; or undefined. */
export async function recentClusters(now: number, notBefore: number): Promise<{
  byIdentifier(id: string): DBCluster | undefined; byResourceId(rid: string): DBCluster | undefined;
} | undefined> {
  const found = await shared(CLUSTERS_KEY, now, notBefore, listClusters);
  if (!found) return undefined;
  const ids = new Map(found.items.map((c) => [c.DBClusterIdentifier!.toLowerCase(), c]));
  const rids = new Map(found.items.map((c) => [c.DbClusterResourceId, c]));
  return { byIdentifier: (id) => ids.get(id.toLowerCase()), byResourceId: (rid) => rids.get(rid) };
}
