import { POLICY, useHistoryTable } from './history-table';
import { CheckEvent, handler } from '../../lambda-src/check-status.lambda';
import { LEARNED_LEAD, nextInterval, wakeMargin } from '../../src/poll-schedule';
import { addCallGate, AwsCall } from '../sim/aws-calls';
import { fullyConfiguredInstance } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

/**
 * Waits woken by RDS events, as the status check sees them: a sleep an event
 * ended counts for what it lasted; a wait ended by an event is recorded as
 * reported, and the next run of that step sleeps past its expected end in one
 * go (dynalite, with the table the construct synthesizes).
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

const event = (wait: CheckEvent['wait'], wakeable = true): CheckEvent =>
  ({ subject: 'restored instance', resource: 'instance', identifier: 'orders-db', until: 'available', wait, policy: POLICY, database: 'orders-db', wakeable });
const stored = async () => dynamo().item(TABLE, KEY);
const seed = (durations: number[], reported?: boolean) => dynamo().put(TABLE, {
  ...KEY, durations: { L: durations.map((n) => ({ N: String(n) })) }, ...(reported === undefined ? {} : { reported: { BOOL: reported } }),
});

describe('check-status: waits woken by RDS events', () => {
  test('a sleep an event ended counts for what it lasted, not its whole interval', async () => {
    sim.stick('orders-db', 'modifying');
    const r = await handler(event({ elapsed: 100, interval: 300, history: [], woken: { slept: 40 } }));
    expect(r).toMatchObject({ done: false, elapsed: 140, interval: 300 });
    // a timed-out sleep (the caught error) lasted its interval
    const t = await handler(event({ elapsed: 100, interval: 300, history: [], woken: { Error: 'States.Timeout' } as any }));
    expect(t).toMatchObject({ elapsed: 400 });
  });

  test('a wait that ends right after a wake-up is recorded as reported by RDS; one that ends by polling is not', async () => {
    await handler(event({ elapsed: 100, interval: 300, history: [], woken: { slept: 40 } }));
    expect(await stored()).toMatchObject({ durations: { L: [{ N: '140' }] }, reported: { BOOL: true } });
    await handler(event({ elapsed: 100, interval: 300, history: [140] }));
    expect(await stored()).toMatchObject({ durations: { L: [{ N: '140' }, { N: '400' }] }, reported: { BOOL: false } });
  });

  test('reported last time: the learned sleep runs past the expected end in one go; not reported, or no events: 85 %, then closing in', async () => {
    sim.stick('orders-db', 'modifying');
    await seed([3000, 3600, 3300], true);
    const woken = await handler(event({ elapsed: 0, interval: 30 }));
    expect(woken).toMatchObject({ expected: 3300, reported: true, interval: 3300 + wakeMargin(POLICY, 3300) - 30 });
    expect(wakeMargin(POLICY, 3300)).toBe(165);
    // woken early by another event of the same database: back to sleep until the same moment
    expect(nextInterval(POLICY, { elapsed: 1000, interval: 3435, expected: 3300, wakeable: true })).toBe(3465 - 1000);
    // past the expected end: as without events (a quarter of the overrun)
    expect(nextInterval(POLICY, { elapsed: 3500, interval: 3435, expected: 3300, wakeable: true })).toBe(50);
    const polledBefore = await handler(event({ elapsed: 0, interval: 30 }, false));
    expect(polledBefore.interval).toBe(Math.round(LEARNED_LEAD * 3300) - 30);
    await seed([3000, 3600, 3300], false);
    expect((await handler(event({ elapsed: 0, interval: 30 }))).interval).toBe(Math.round(LEARNED_LEAD * 3300) - 30);
  });

  test('the margin is 5 % of the expected duration, from 20 s up to maxPollInterval', () => {
    expect(wakeMargin(POLICY, 100)).toBe(20);
    expect(wakeMargin(POLICY, 1200)).toBe(60);
    expect(wakeMargin(POLICY, 6 * 3600)).toBe(300);
  });
});
