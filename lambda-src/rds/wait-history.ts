import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { log } from './log';

/**
 * How long each wait took, per database and step, in the restore lock's table
 * (one item per (database, step), keyed `wait:<identifier>:<step>`, beside the
 * `db:`/`cluster:` lock items). The item keeps the last `HISTORY_LENGTH`
 * durations; the median is what the next run of that step expects.
 *
 * History is an optimization: a read or write that fails is logged and the
 * wait goes on with the back-off (a throttled table never fails a restore).
 * Items expire `HISTORY_DAYS` after their last write (the table's TTL).
 */
export const HISTORY_LENGTH = 5;
export const HISTORY_DAYS = 180;

let ddb: DynamoDBClient | undefined;

/** The history item's key: RDS identifiers are case-insensitive (stored in lowercase). */
export function historyKey(database: string, step: string): string {
  return `wait:${database.toLowerCase()}:${step}`;
}

/** The median of `xs` (the mean of the middle two for an even count); undefined when empty. */
export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

/** The recorded durations of `key`, oldest first ([] without a table, history or on a failed read). */
export async function readHistory(key: string): Promise<number[]> {
  return (await readHistoryItem(key)).durations;
}

/**
 * The recorded durations of `key`, and whether the last wait of that step was
 * ended by an RDS event (`reported`: the check that saw it done followed a
 * wake-up; wakeOnRdsEvents).
 */
export async function readHistoryItem(key: string): Promise<{ durations: number[]; reported: boolean }> {
  const table = process.env.HISTORY_TABLE;
  if (!table) return { durations: [], reported: false };
  ddb ??= new DynamoDBClient({});
  try {
    const out = await ddb.send(new GetItemCommand({ TableName: table, Key: { lockKey: { S: key } }, ProjectionExpression: 'durations, reported' }));
    const durations = (out.Item?.durations?.L ?? []).map((v) => Number(v.N)).filter((n) => Number.isFinite(n) && n >= 0);
    return { durations, reported: out.Item?.reported?.BOOL === true };
  } catch (err) {
    log('ERROR', { message: 'reading the wait history failed; waiting with the back-off', key, error: (err as Error)?.name });
    return { durations: [], reported: false };
  }
}

/**
 * Record `seconds` after `history` (the durations read at the wait's first check), keeping the last HISTORY_LENGTH,
 * and whether an RDS event ended this wait (`reported`).
 */
export async function recordDuration(key: string, history: number[], seconds: number, reported = false): Promise<void> {
  const table = process.env.HISTORY_TABLE;
  if (!table) return;
  ddb ??= new DynamoDBClient({});
  const durations = [...history, Math.round(seconds)].slice(-HISTORY_LENGTH);
  try {
    await ddb.send(new UpdateItemCommand({
      TableName: table,
      Key: { lockKey: { S: key } },
      UpdateExpression: 'SET #d = :d, #r = :r, #x = :x',
      ExpressionAttributeNames: { '#d': 'durations', '#r': 'reported', '#x': 'expiresAt' },
      ExpressionAttributeValues: {
        ':d': { L: durations.map((n) => ({ N: String(n) })) },
        ':r': { BOOL: reported },
        ':x': { N: String(Math.floor(Date.now() / 1000) + HISTORY_DAYS * 86400) },
      },
    }));
  } catch (err) {
    log('ERROR', { message: 'recording the wait duration failed', key, error: (err as Error)?.name });
  }
}
