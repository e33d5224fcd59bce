import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * Waits woken by RDS events: a wait that sleeps long (a callback task,
 * `.waitForTaskToken`) leaves its task token in the lock table under each
 * identifier it waits for (item `wake:<identifier>`, a string set of waiters);
 * the `wake` function, an EventBridge target, finds the waiters of an RDS
 * event's source and resumes them with SendTaskSuccess. The status check that
 * follows stays the judge: an event only ends a sleep early.
 *
 * Items expire (the table's TTL, `expiresAt`) a day after the last sleep
 * registered under them ends; waiters past their end are dropped by `wake`.
 */

/** Seconds an item outlives the end of the last sleep registered under it. */
export const WAKE_ITEM_MARGIN = 86_400;

/** One sleeping wait: its task token, when it began and when it ends by itself (epoch seconds). */
export interface Waiter {
  readonly token: string;
  readonly since: number;
  readonly until: number;
}

let ddb: DynamoDBClient | undefined;

function client(): DynamoDBClient {
  ddb ??= new DynamoDBClient({});
  return ddb;
}

/** The item key of an identifier's waiters: RDS identifiers are case-insensitive (stored in lowercase). */
export function wakeKey(identifier: string): string {
  return `wake:${identifier.toLowerCase()}`;
}

/** The table (WAKE_TABLE); a missing variable is a deployment error, named. */
export function wakeTable(): string {
  const table = process.env.WAKE_TABLE;
  if (!table) throw new Error('WAKE_TABLE is not set: the function needs the lock table name in WAKE_TABLE');
  return table;
}

/** Add `waiter` under `identifier` (the set is created with the first one). */
export async function addWaiter(identifier: string, waiter: Waiter): Promise<void> {
  await client().send(new UpdateItemCommand({
    TableName: wakeTable(),
    Key: { lockKey: { S: wakeKey(identifier) } },
    UpdateExpression: 'ADD #w :w SET #x = :x',
    ExpressionAttributeNames: { '#w': 'waiters', '#x': 'expiresAt' },
    ExpressionAttributeValues: {
      ':w': { SS: [JSON.stringify(waiter)] },
      ':x': { N: String(waiter.until + WAKE_ITEM_MARGIN) },
    },
  }));
}

/** The waiters under `identifier`, each with its stored form (to remove it), in no order. */
export async function readWaiters(identifier: string): Promise<{ stored: string; waiter: Waiter }[]> {
  const out = await client().send(new GetItemCommand({
    TableName: wakeTable(),
    Key: { lockKey: { S: wakeKey(identifier) } },
    ProjectionExpression: 'waiters',
    ConsistentRead: true,
  }));
  const found: { stored: string; waiter: Waiter }[] = [];
  for (const stored of out.Item?.waiters?.SS ?? []) {
    try {
      const w = JSON.parse(stored);
      if (typeof w?.token === 'string' && typeof w.since === 'number' && typeof w.until === 'number') found.push({ stored, waiter: w });
    } catch {
      // not a waiter this version wrote: ignored
    }
  }
  return found;
}

/** Remove the `stored` waiters from `identifier`'s set (DELETE of a set's members: absent ones are ignored). */
export async function removeWaiters(identifier: string, stored: string[]): Promise<void> {
  if (stored.length === 0) return;
  await client().send(new UpdateItemCommand({
    TableName: wakeTable(),
    Key: { lockKey: { S: wakeKey(identifier) } },
    UpdateExpression: 'DELETE #w :w',
    ExpressionAttributeNames: { '#w': 'waiters' },
    ExpressionAttributeValues: { ':w': { SS: stored } },
  }));
}
