import { AttributeValue, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { attempt, classify, isFault, PipelineError } from './rds/errors';
import { logged } from './rds/log';

/**
 * One restore per database at a time. `acquire` puts an item keyed by the
 * database into the lock table, unless another execution holds it, is still
 * RUNNING (checked with DescribeExecution, so a lock never outlives a
 * stopped, failed or timed-out execution) and its expiry has not passed.
 * `release` deletes the item if this execution holds it.
 *
 * The item expires (`expiresAt`) `LOCK_SECONDS` after it is taken: the state
 * machine's timeout, so the lock cannot expire while its holder runs, and an
 * expired lock's holder has ended. DynamoDB's TTL deletes expired items lazily
 * ("typically within two days", and "items that have expired and not been
 * deleted will still show up in reads": API reference, UpdateTimeToLive), so
 * `acquire` treats an expired item as free in its own condition expression.
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

/** The lock's lifetime in seconds (the state machine's timeout). */
function lifetime(): number {
  const seconds = Number(process.env.LOCK_SECONDS);
  if (!(Number.isInteger(seconds) && seconds > 0)) {
    throw new Error(`LOCK_SECONDS must be a whole number of seconds (got "${process.env.LOCK_SECONDS}"): the handler runs outside its TrapheusRestore`);
  }
  return seconds;
}

const lockKey = (e: LockEvent) => `${e.isCluster ? 'cluster' : 'db'}:${e.identifier}`;
const executionName = (arn: string) => arn.split(':').pop();
const epochSeconds = () => Math.floor(Date.now() / 1000);

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

/**
 * Put this execution's item if `condition` holds. DynamoDB refuses a request
 * whose ExpressionAttributeNames or ExpressionAttributeValues hold a key the
 * expression does not use (ValidationException "Value provided in
 * ExpressionAttributeNames unused in expressions"), so each caller passes
 * exactly the names and values its condition uses.
 */
function put(e: LockEvent, condition: string, names: Record<string, string>, values?: Record<string, AttributeValue>) {
  const now = epochSeconds();
  return ddb!.send(new PutItemCommand({
    TableName: table(),
    Item: {
      lockKey: { S: lockKey(e) },
      execution: { S: e.execution },
      expiresAt: { N: String(now + lifetime()) },
    },
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  }));
}

async function acquire(e: LockEvent): Promise<{ locked: string }> {
  ddb ??= new DynamoDBClient({});
  try {
    // Free, already ours (a retried task), or expired: one atomic conditional write.
    // TTL marks an item expired when its epoch time "is less than the current time" (UpdateTimeToLive).
    await put(e, 'attribute_not_exists(#k) OR #x = :me OR #e < :now',
      { '#k': 'lockKey', '#x': 'execution', '#e': 'expiresAt' },
      { ':me': { S: e.execution }, ':now': { N: String(epochSeconds()) } });
    return { locked: lockKey(e) };
  } catch (err) {
    if (!isFault(err, 'ConditionalCheckFailedException')) {
      throw classify(err, `Taking the restore lock of ${e.identifier}`);
    }
  }
  // GetItem is eventually consistent unless ConsistentRead is set (API reference, GetItem).
  const held = await attempt('Reading the restore lock', () => ddb!.send(new GetItemCommand({
    TableName: table(), Key: { lockKey: { S: lockKey(e) } }, ConsistentRead: true,
  })));
  const holder = held.Item?.execution?.S;
  if (holder && await running(holder)) {
    throw new PipelineError('RestoreAlreadyRunning',
      `Execution ${executionName(holder)} is already restoring ${e.identifier}; one restore per database runs at a time. Wait for it to end, then run again.`);
  }
  // The holder ended without releasing the lock (stopped, failed, timed out), or released it
  // just now: take it over, unless another execution got there first.
  try {
    if (holder) await put(e, '#x = :holder', { '#x': 'execution' }, { ':holder': { S: holder } });
    else await put(e, 'attribute_not_exists(#k)', { '#k': 'lockKey' });
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
