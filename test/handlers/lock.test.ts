import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { handler } from '../../lambda-src/lock.lambda';
import { addCallGate, AwsCall } from '../sim/aws-calls';
import { AwsSims } from '../sim/aws-sims';
import { tablesOf, useDynalite } from '../sim/dynamo';
import { buildStack } from '../sim/run-pipeline';

/**
 * The lock handler against dynalite (DynamoDB as dynalite implements and
 * validates it), with the lock table the construct synthesizes and the
 * lifetime it sets; DescribeExecution answers from `aws.executions`.
 */
const dynamo = useDynalite();
const { stack } = buildStack();
const template = Template.fromStack(stack).toJSON();
const tables = tablesOf(template);
const lockEnv = Object.values<any>(template.Resources).find((r) => r.Properties?.Environment?.Variables?.LOCK_TABLE)
  .Properties.Environment.Variables;
const TABLE = lockEnv.LOCK_TABLE.Ref as string;
const LOCK_SECONDS = Number(lockEnv.LOCK_SECONDS);

const ME = 'arn:aws:states:us-east-1:123456789012:execution:Restore:me';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:Restore:nightly-reset-1';
const THIRD = 'arn:aws:states:us-east-1:123456789012:execution:Restore:third';
const KEY = { lockKey: { S: 'db:orders-db' } };
const now = () => Math.floor(Date.now() / 1000);

const acquire = (execution = ME, identifier = 'orders-db', isCluster = false) => handler({ op: 'acquire', identifier, isCluster, execution });
const lockItem = (key = KEY) => dynamo().item(TABLE, key);
const hold = (execution: string, expiresAt = now() + 3600, key = 'db:orders-db') =>
  dynamo().put(TABLE, { lockKey: { S: key }, execution: { S: execution }, expiresAt: { N: String(expiresAt) } });

let aws: AwsSims;
let calls: AwsCall[];
let removeGate: () => void;
const saved = { LOCK_TABLE: process.env.LOCK_TABLE, LOCK_SECONDS: process.env.LOCK_SECONDS };

beforeAll(() => {
  process.env.LOCK_TABLE = TABLE;
  process.env.LOCK_SECONDS = String(LOCK_SECONDS);
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  dynamo().reset(tables);
  aws = new AwsSims();
  aws.install();
  calls = [];
  removeGate = addCallGate((call) => { calls.push(call); });
});
afterEach(() => {
  removeGate();
  aws.uninstall();
});

describe('acquire', () => {
  test('on a free key: one conditional PutItem, with the lifetime the construct sets (its execution timeout)', async () => {
    expect(tables).toEqual([expect.objectContaining({ TableName: TABLE, KeySchema: [{ AttributeName: 'lockKey', KeyType: 'HASH' }] })]);
    expect(LOCK_SECONDS).toBe(102 * 3600);
    const before = now();
    await expect(acquire()).resolves.toEqual({ locked: 'db:orders-db' });
    const item = await lockItem();
    expect(item?.execution.S).toBe(ME);
    expect(Number(item?.expiresAt.N)).toBeGreaterThanOrEqual(before + LOCK_SECONDS);
    expect(Number(item?.expiresAt.N)).toBeLessThanOrEqual(now() + LOCK_SECONDS);
    expect(calls.map((c) => c.action)).toEqual(['PutItem']);
  });

  test('again by the same execution (a retried task): still its lock', async () => {
    await acquire();
    await expect(acquire()).resolves.toEqual({ locked: 'db:orders-db' });
    expect((await lockItem())?.execution.S).toBe(ME);
  });

  test('refused while the holder is RUNNING: RestoreAlreadyRunning, naming it; the lock stays its', async () => {
    await hold(OTHER);
    aws.executions.set(OTHER, 'RUNNING');
    await expect(acquire()).rejects.toMatchObject({
      name: 'RestoreAlreadyRunning',
      message: expect.stringMatching(/^Execution nightly-reset-1 is already restoring orders-db; .*Wait for it to end, then run again\.$/),
    });
    expect((await lockItem())?.execution.S).toBe(OTHER);
    // the holder was read consistently (GetItem is eventually consistent by default: API reference, GetItem)
    expect(calls.find((c) => c.action === 'GetItem')?.input.ConsistentRead).toBe(true);
  });

  test.each<[string, string | undefined]>([
    ['SUCCEEDED', 'SUCCEEDED'], ['FAILED', 'FAILED'], ['ABORTED', 'ABORTED'], ['TIMED_OUT', 'TIMED_OUT'],
    ['unknown to Step Functions (ExecutionDoesNotExist)', undefined],
  ])('taken over when the holder is %s', async (_label, status) => {
    await hold(OTHER);
    if (status) aws.executions.set(OTHER, status);
    await expect(acquire()).resolves.toEqual({ locked: 'db:orders-db' });
    const item = await lockItem();
    expect(item?.execution.S).toBe(ME);
    expect(Number(item?.expiresAt.N)).toBeGreaterThanOrEqual(now() + LOCK_SECONDS - 5);
    expect(calls.map((c) => c.action)).toEqual(['PutItem', 'GetItem', 'DescribeExecution', 'PutItem']);
  });

  test('taken over when its expiry has passed, though DynamoDB has not deleted it yet: in the one conditional write', async () => {
    await hold(OTHER, now() - 1);
    aws.executions.set(OTHER, 'RUNNING'); // not even asked: an expired lock is free
    await expect(acquire()).resolves.toEqual({ locked: 'db:orders-db' });
    expect((await lockItem())?.execution.S).toBe(ME);
    expect(calls.map((c) => c.action)).toEqual(['PutItem']);
  });

  test('not taken over when another execution takes it between the check and the takeover', async () => {
    await hold(OTHER);
    aws.executions.set(OTHER, 'FAILED');
    removeGate();
    // While the handler asks Step Functions about OTHER, THIRD takes the lock (queued before the handler's next call).
    removeGate = addCallGate((call) => { if (call.action === 'DescribeExecution') void hold(THIRD); });
    await expect(acquire()).rejects.toMatchObject({ name: 'RestoreAlreadyRunning', message: expect.stringMatching(/took the restore lock of orders-db just now/) });
    expect((await lockItem())?.execution.S).toBe(THIRD);
  });

  test('instances and clusters of the same name are locked separately', async () => {
    await hold(OTHER, now() + 3600, 'cluster:orders-db');
    aws.executions.set(OTHER, 'RUNNING');
    await expect(acquire()).resolves.toEqual({ locked: 'db:orders-db' });
    await expect(acquire(ME, 'orders-db', true)).rejects.toMatchObject({ name: 'RestoreAlreadyRunning' });
  });

  test('without LOCK_SECONDS it says what is wrong', async () => {
    delete process.env.LOCK_SECONDS;
    try {
      await expect(acquire()).rejects.toThrow(/LOCK_SECONDS must be a whole number of seconds/);
    } finally {
      process.env.LOCK_SECONDS = String(LOCK_SECONDS);
    }
  });
});

describe('release', () => {
  const release = (execution: string, job: object = { identifier: 'orders-db', isCluster: false }) => handler({ op: 'release', execution, job });

  test('by the holder: the item is deleted', async () => {
    await acquire();
    await expect(release(ME)).resolves.toEqual({ released: true });
    expect(await lockItem()).toBeUndefined();
  });

  test('by another execution: nothing changes', async () => {
    await hold(OTHER);
    await expect(release(ME)).resolves.toEqual({ released: false });
    expect((await lockItem())?.execution.S).toBe(OTHER);
  });

  test('of a lock never taken, or of a refused input without an identifier: nothing to release', async () => {
    await expect(release(ME)).resolves.toEqual({ released: false });
    await expect(release(ME, { identifier: 42 })).resolves.toEqual({ released: false });
    expect(calls.map((c) => c.action)).toEqual(['DeleteItem']);
  });
});

describe('the DynamoDB the tests use', () => {
  test('is dynalite only: a client aimed anywhere else is refused before its request is sent', async () => {
    const elsewhere = new DynamoDBClient({ endpoint: 'https://dynamodb.us-east-1.amazonaws.com', maxAttempts: 1 });
    try {
      await expect(elsewhere.send(new GetItemCommand({ TableName: TABLE, Key: KEY })))
        .rejects.toThrow(/would go to dynamodb\.us-east-1\.amazonaws\.com:.*not to dynalite at http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      elsewhere.destroy();
    }
  });
});
