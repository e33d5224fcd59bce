import { POLICY, useHistoryTable } from './history-table';
import { CheckEvent, handler } from '../../lambda-src/check-status.lambda';
import { HISTORY_LENGTH, historyKey, median } from '../../lambda-src/rds/wait-history';
import { LEARNED_LEAD, nextInterval } from '../../src/poll-schedule';
import { pollsForWait, pollsUntilMaxWait } from '../../src/polling';
import { addCallGate, AwsCall } from '../sim/aws-calls';
import { fullyConfiguredInstance } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

/**
 * Waits that learn: the status check reads the step's history at the first
 * check, follows the learned schedule, and records how long the wait took
 * (dynalite, with the table the construct synthesizes).
 */
const { dynamo, table: TABLE } = useHistoryTable();
const KEY = { lockKey: { S: 'wait:orders-db:restored instance' } };

let sim: RdsSimulator;
let calls: AwsCall[];
let removeGate: () => void;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
  sim.addInstance(fullyConfiguredInstance('orders-db'));
  calls = [];
  removeGate = addCallGate((c) => { if (c.service === 'dynamodb') calls.push(c); });
});

afterEach(() => {
  removeGate();
  sim.uninstall();
});

const event = (wait: CheckEvent['wait'], database: string | null = 'orders-db'): CheckEvent =>
  ({ subject: 'restored instance', resource: 'instance', identifier: 'orders-db', until: 'available', wait, policy: POLICY, database: database ?? undefined });
const history = async () => (await dynamo().item(TABLE, KEY))?.durations?.L?.map((v) => Number(v.N));
const seed = (durations: number[]) => dynamo().put(TABLE, { ...KEY, durations: { L: durations.map((n) => ({ N: String(n) })) } });

describe('check-status: waits that learn', () => {
  test('without history: the back-off, and the history is read once, at the first check only', async () => {
    sim.stick('orders-db', 'modifying');
    const first = await handler(event({ elapsed: 0, interval: 30 }));
    expect(first).toEqual({ done: false, status: 'modifying', elapsed: 30, interval: 45, history: [] });
    expect(calls.map((c) => c.action)).toEqual(['GetItem']);
    const second = await handler(event({ elapsed: first.elapsed, interval: first.interval, history: first.history }));
    expect(second).toMatchObject({ done: false, elapsed: 75, interval: 68 });
    expect(calls.map((c) => c.action)).toEqual(['GetItem']); // carried in the result, not read again
  });

  test('with history: the first check sleeps most of the median, then polls every 20 s around it', async () => {
    await seed([3000, 3600, 3300]);
    sim.stick('orders-db', 'modifying');
    const first = await handler(event({ elapsed: 0, interval: 30 }));
    expect(first).toEqual({ done: false, status: 'modifying', elapsed: 30, interval: Math.round(LEARNED_LEAD * 3300) - 30, history: [3000, 3600, 3300], expected: 3300 });
    // then half the time left, down to 20 s; past the median, a quarter of the overrun
    expect(nextInterval(POLICY, { elapsed: 2805, interval: 2775, expected: 3300 })).toBe(248);
    expect(nextInterval(POLICY, { elapsed: 3290, interval: 20, expected: 3300 })).toBe(20);
    expect(nextInterval(POLICY, { elapsed: 3400, interval: 20, expected: 3300 })).toBe(25);
    expect(nextInterval(POLICY, { elapsed: 9300, interval: 300, expected: 3300 })).toBe(300);
  });

  test('a done wait records how long it took, keeping the last five; the median is what the next run expects', async () => {
    await seed([100, 200, 300, 400, 500]);
    const r = await handler(event({ elapsed: 600, interval: 20, history: [100, 200, 300, 400, 500], expected: 300 }));
    expect(r).toMatchObject({ done: true, elapsed: 620 });
    expect(await history()).toEqual([200, 300, 400, 500, 620]);
    expect(HISTORY_LENGTH).toBe(5);
    expect(median([200, 300, 400, 500, 620])).toBe(400);
    expect(calls.map((c) => [c.action, c.input.Key.lockKey.S])).toEqual([['UpdateItem', historyKey('Orders-DB', 'restored instance')]]);
  });

  test('a history shorter than two first intervals is no use: the back-off', async () => {
    await seed([40]);
    sim.stick('orders-db', 'modifying');
    expect(await handler(event({ elapsed: 0, interval: 30 }))).toEqual({ done: false, status: 'modifying', elapsed: 30, interval: 45, history: [40] });
  });

  test('no database in the payload or no table: no DynamoDB call, the back-off', async () => {
    sim.stick('orders-db', 'modifying');
    expect(await handler(event({ elapsed: 0, interval: 30 }, null))).toEqual({ done: false, status: 'modifying', elapsed: 30, interval: 45 });
    delete process.env.HISTORY_TABLE;
    // an empty history, carried so that the next checks do not look again
    expect(await handler(event({ elapsed: 0, interval: 30 }))).toEqual({ done: false, status: 'modifying', elapsed: 30, interval: 45, history: [] });
    expect(calls).toEqual([]);
  });

  test('a failed history read or write never fails the wait', async () => {
    process.env.HISTORY_TABLE = 'no-such-table';
    sim.stick('orders-db', 'modifying');
    await expect(handler(event({ elapsed: 0, interval: 30 }))).resolves.toMatchObject({ done: false, interval: 45, history: [] });
    sim.stick('orders-db', 'available');
    await expect(handler(event({ elapsed: 30, interval: 45, history: [] }))).resolves.toMatchObject({ done: true });
    expect(calls.map((c) => c.action)).toEqual(['GetItem', 'UpdateItem']);
  });

  test('the history limit holds for a learned wait that overruns its history up to maxWait', () => {
    expect(pollsUntilMaxWait(POLICY)).toBe(76);
    expect(pollsForWait(POLICY)).toBe(88);
    for (const expected of [60, 600, 3600, 6 * 3600]) expect(pollsUntilMaxWait(POLICY, expected)).toBeLessThanOrEqual(88);
  });
});
