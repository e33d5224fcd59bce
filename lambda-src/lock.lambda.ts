import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { attempt, classify, isFault, PipelineError } from './rds/errors';
import { logged } from './rds/log';

/**
 * One restore per database at a time. `acquire` puts an item keyed by the
 * database into the lock table, unless another execution holds it and is
 * still RUNNING (checked with DescribeExecution, so a lock never outlives a
 * stopped, failed or timed-out execution) and its expiry has not passed.
 * `release` deletes the item if this execution holds it.
 */
export interface LockEvent {
  readonly op: 'acquire' | 'release';
  readonly identifier?: string;
  readonly isCluster?: boolean;
  /** `release` gets the whole job instead: it runs at every ending, even when the input was refused. */
  readonly job?: { identifier?: unknown; isCluster?: unknown };
  /** The execution ARN ($$.Execution.Id). */
  readonly execution: string;
}

let ddb: DynamoDBClient | undefined;
let sfn: SFNClient | undefined;

function table(): string {
  const name = process.env.LOCK_TABLE;
  if (!name) throw new Error('LOCK_TABLE is not set: the handler runs outside its TrapheusRestore');
  return name;
}

const lockKey = (e: LockEvent) => `${e.isCluster ? 'cluster' : 'db'}:${e.identifier}`;
const executionName = (arn: string) => arn.split(':').pop();

/** Whether `arn` is still running; an execution Step Functions no longer knows is not. */
async function running(arn: string): Promise<boolean> {
  sfn ??= new SFNClient({});
  try {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    return out.status === 'RUNNING';
  } catch (err) {
    if (isFault(err, 'ExecutionDoesNotExist')) return false;
    throw classify(err, `Checking execution ${arn}`);
  }
}

async function acquire(e: LockEvent): Promise<{ locked: string }> {
  ddb ??= new DynamoDBClient({});
  const now = Math.floor(Date.now() / 1000);
  const put = (condition: string, values: Record<string, { S: string } | { N: string }>) => ddb!.send(new PutItemCommand({
    TableName: table(),
    Item: {
      lockKey: { S: lockKey(e) },
      execution: { S: e.execution },
      expiresAt: { N: String(now + Number(process.env.LOCK_SECONDS ?? 86400)) },
    },
    ConditionExpression: condition,
    ExpressionAttributeNames: { '#k': 'lockKey', '#x': 'execution' },
    ExpressionAttributeValues: values,
  }));
  try {
    await put('attribute_not_exists(#k) OR #x = :me', { ':me': { S: e.execution } });
    return { locked: lockKey(e) };
  } catch (err) {
    if (!isFault(err, 'ConditionalCheckFailedException')) {
      throw classify(err, `Taking the restore lock of ${e.identifier}`);
    }
  }
  const held = await attempt('Reading the restore lock', () => ddb!.send(new GetItemCommand({ TableName: table(), Key: { lockKey: { S: lockKey(e) } } })));
  const holder = held.Item?.execution?.S;
  if (holder && await running(holder)) {
    throw new PipelineError('RestoreAlreadyRunning',
      `Execution ${executionName(holder)} is already restoring ${e.identifier}; one restore per database runs at a time. Wait for it to end, then run again.`);
  }
  // The holder ended without releasing the lock (stopped, failed, timed out): take it over.
  try {
    await put('#x = :holder', { ':holder': { S: holder ?? '' } });
  } catch (err) {
    if (isFault(err, 'ConditionalCheckFailedException')) {
      throw new PipelineError('RestoreAlreadyRunning', `Another execution took the restore lock of ${e.identifier} just now; run again once it ends.`);
    }
    throw classify(err, `Taking over the restore lock of ${e.identifier}`);
  }
  return { locked: lockKey(e) };
}

async function release(event: LockEvent): Promise<{ released: boolean }> {
  const e = { ...event, identifier: event.job?.identifier ?? event.identifier, isCluster: event.job?.isCluster ?? event.isCluster } as LockEvent;
  if (typeof e.identifier !== 'string') return { released: false };
  ddb ??= new DynamoDBClient({});
  try {
    await ddb.send(new DeleteItemCommand({
      TableName: table(),
      Key: { lockKey: { S: lockKey(e) } },
      ConditionExpression: '#x = :me',
      ExpressionAttributeNames: { '#x': 'execution' },
      ExpressionAttributeValues: { ':me': { S: e.execution } },
    }));
    return { released: true };
  } catch (err) {
    if (isFault(err, 'ConditionalCheckFailedException')) return { released: false }; // not ours (or not taken)
    throw classify(err, `Releasing the restore lock of ${e.identifier}`);
  }
}

export const handler = logged('lock', async (event: LockEvent): Promise<unknown> => {
  return event.op === 'acquire' ? acquire(event) : release(event);
});
