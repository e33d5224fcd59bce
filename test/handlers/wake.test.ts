import { Template } from 'aws-cdk-lib/assertions';
import { wakeKey } from '../../lambda-src/rds/wake-tokens';
import { handler as sleep } from '../../lambda-src/sleep.lambda';
import { eventIdentifiers, handler as wake, RdsEvent } from '../../lambda-src/wake.lambda';
import { addCallGate, AwsCall } from '../sim/aws-calls';
import { AwsSims } from '../sim/aws-sims';
import { tablesOf, useDynalite } from '../sim/dynamo';
import { buildStack } from '../sim/run-pipeline';
import { closeTask, openTask, taskOutput } from '../sim/task-tokens';

/**
 * The sleep and wake handlers on dynalite (the synthesized lock table) and the
 * in-memory Step Functions (SendTaskSuccess of task-tokens.ts).
 */
const dynamo = useDynalite();
const template = Template.fromStack(buildStack().stack).toJSON();
const tables = tablesOf(template);
const TABLE = Object.values<any>(template.Resources).find((r) => r.Properties?.Environment?.Variables?.WAKE_TABLE)
  .Properties.Environment.Variables.WAKE_TABLE.Ref as string;

let aws: AwsSims;
let calls: AwsCall[];
let removeGate: () => void;

beforeEach(() => {
  process.env.WAKE_TABLE = TABLE;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  dynamo().reset(tables);
  aws = new AwsSims();
  aws.install();
  calls = [];
  removeGate = addCallGate((c) => calls.push(c));
});

afterEach(() => {
  removeGate();
  aws.uninstall();
  delete process.env.WAKE_TABLE;
});

const T0 = Date.parse('2026-01-09T08:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
/** An RDS event as EventBridge delivers it (the user guide's example shape). */
const rdsEvent = (id: string, at: number, eventId = 'RDS-EVENT-0005', type = 'db'): RdsEvent => ({
  'source': 'aws.rds',
  'detail-type': 'RDS DB Instance Event',
  'detail': { SourceIdentifier: id, SourceArn: `arn:aws:rds:us-east-1:123456789012:${type}:${id}`, EventID: eventId, Date: iso(at) },
});
const waiters = async (id: string) => (await dynamo().item(TABLE, { lockKey: { S: wakeKey(id) } }))?.waiters?.SS ?? [];

test('sleep leaves the token under each identifier the wait checks, lowercased, until the end of the sleep', async () => {
  const token = openTask('exec', 'Wait for restored cluster or an RDS event');
  const out = await sleep({ token, seconds: 300, since: iso(100), identifier: 'Orders-Cluster', members: ['orders-1', 'orders-2'] });
  expect(out.registered).toEqual(['orders-cluster', 'orders-1', 'orders-2']);
  for (const id of out.registered) {
    expect((await waiters(id)).map((w) => JSON.parse(w))).toEqual([{ token, since: T0 / 1000 + 100, until: T0 / 1000 + 400 }]);
  }
  expect(calls.map((c) => `${c.service}:${c.action}`)).toEqual(['dynamodb:UpdateItem', 'dynamodb:UpdateItem', 'dynamodb:UpdateItem']);
});

test('sleep never fails: a table it cannot write only means no early wake-up', async () => {
  delete process.env.WAKE_TABLE;
  await expect(sleep({ token: 't', seconds: 300, identifier: 'orders-db' })).resolves.toEqual({ registered: [] });
});

test('wake resumes the waits sleeping on the event\'s source with how long they slept, and forgets them', async () => {
  const a = openTask('exec-a', 's');
  const b = openTask('exec-b', 's');
  await sleep({ token: a, seconds: 600, since: iso(0), identifier: 'orders-db' });
  await sleep({ token: b, seconds: 600, since: iso(100), identifier: 'orders-db' });
  calls = [];
  const result = await wake(rdsEvent('orders-db', 250));
  expect(result).toEqual({ identifiers: ['orders-db'], woken: 2, dropped: 0 });
  expect(JSON.parse(taskOutput(a)!)).toEqual({ slept: 250, event: 'RDS-EVENT-0005' });
  expect(JSON.parse(taskOutput(b)!)).toEqual({ slept: 150, event: 'RDS-EVENT-0005' });
  expect(await waiters('orders-db')).toEqual([]);
  expect(calls.map((c) => `${c.service}:${c.action}`)).toEqual(['dynamodb:GetItem', 'states:SendTaskSuccess', 'states:SendTaskSuccess', 'dynamodb:UpdateItem']);
});

test('wake leaves other databases\' waits alone', async () => {
  const a = openTask('exec-a', 's');
  await sleep({ token: a, seconds: 600, since: iso(0), identifier: 'orders-db' });
  expect(await wake(rdsEvent('orders-db-2', 10))).toEqual({ identifiers: ['orders-db-2'], woken: 0, dropped: 0 });
  expect(taskOutput(a)).toBeUndefined();
  expect(await waiters('orders-db')).toHaveLength(1);
});

test('wake drops waiters whose sleep ended before the event, or whose task is gone', async () => {
  const ended = openTask('exec-a', 's');
  const timedOut = openTask('exec-b', 's');
  await sleep({ token: ended, seconds: 60, since: iso(0), identifier: 'orders-db' });
  await sleep({ token: timedOut, seconds: 600, since: iso(0), identifier: 'orders-db' });
  closeTask(timedOut, 'timed out');
  calls = [];
  expect(await wake(rdsEvent('orders-db', 300))).toEqual({ identifiers: ['orders-db'], woken: 0, dropped: 2 });
  // the sleep that had ended is not even asked about
  expect(calls.filter((c) => c.action === 'SendTaskSuccess')).toHaveLength(1);
  expect(await waiters('orders-db')).toEqual([]);
});

test('the event\'s identifier is read from SourceIdentifier and from SourceArn (the guide\'s example has "rds:" before the name)', () => {
  expect(eventIdentifiers({ detail: { SourceIdentifier: 'rds:my-db-instance', SourceArn: 'arn:aws:rds:us-east-1:123456789012:db:my-db-instance' } }))
    .toEqual(['rds:my-db-instance', 'my-db-instance']);
  // an automated snapshot's own name starts with rds:
  expect(eventIdentifiers({ detail: { SourceIdentifier: 'rds:db-2026-01-09-08-00', SourceArn: 'arn:aws:rds:us-east-1:123456789012:snapshot:rds:db-2026-01-09-08-00' } }))
    .toEqual(['rds:db-2026-01-09-08-00']);
  expect(eventIdentifiers({ detail: { SourceIdentifier: 'Orders-Cluster' } })).toEqual(['orders-cluster']);
  expect(eventIdentifiers({})).toEqual([]);
});

test('a SendTaskSuccess that fails otherwise (throttled) keeps the waiter: a later event may still wake it, or its timeout ends it', async () => {
  const a = openTask('exec-a', 's');
  await sleep({ token: a, seconds: 600, since: iso(0), identifier: 'orders-db' });
  const throttled = new Error('Rate exceeded');
  throttled.name = 'ThrottlingException';
  const refuse = addCallGate((c) => { if (c.action === 'SendTaskSuccess') throw throttled; });
  try {
    expect(await wake(rdsEvent('orders-db', 100))).toEqual({ identifiers: ['orders-db'], woken: 0, dropped: 0 });
  } finally {
    refuse();
  }
  expect(await waiters('orders-db')).toHaveLength(1);
  expect(await wake(rdsEvent('orders-db', 200, 'RDS-EVENT-0002'))).toEqual({ identifiers: ['orders-db'], woken: 1, dropped: 0 });
  expect(JSON.parse(taskOutput(a)!)).toEqual({ slept: 200, event: 'RDS-EVENT-0002' });
});
