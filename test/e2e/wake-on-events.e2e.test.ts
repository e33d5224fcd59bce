import { Harness } from './harness';
import { historyKey } from '../../lambda-src/rds/wait-history';
import { wakeMargin } from '../../src/poll-schedule';
import { detections, medianLatency } from '../sim/detection';
import { eventBus } from '../sim/eventbridge';
import { fullyConfiguredInstance } from '../sim/fixtures';
import { RunResult, runPipeline } from '../sim/run-pipeline';

/**
 * Waits woken by RDS events, end to end: the real state machine (its callback
 * sleeps), the real sleep and wake handlers, the real EventBridge rule of the
 * template matched against the events the simulated RDS emits; every call
 * IAM-checked (SendTaskSuccess included).
 */
const withEvents = new Harness();
const withoutEvents = new Harness({ wakeOnRdsEvents: false });
let h = withEvents;
afterEach(() => h.done());

const THREE_HOURS = { restore: 3 * 3600 };
const input = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };

async function run(harness: Harness, setup: (harness: Harness) => void = () => undefined,
  onTask?: (state: string, phase: 'start' | 'end') => void, keepTable = false): Promise<RunResult> {
  h = harness;
  const items = keepTable ? await harness.dynamo.items(harness.tables[0].TableName!) : [];
  harness.fresh(THREE_HOURS);
  for (const item of items) await harness.dynamo.put(harness.tables[0].TableName!, item);
  harness.sim.addInstance(fullyConfiguredInstance('orders-db'));
  setup(harness);
  const result = await runPipeline(harness.definition, input, harness.sim, { onTask });
  expect(result.status).toBe('SUCCEEDED');
  return result;
}

const restoredLatency = (r: RunResult, harness: Harness) => detections(r, harness.sim).find((d) => d.subject === 'restored instance')!.latency;
const checksOf = (r: RunResult, subject: string) => r.checks.filter((c) => c.payload.subject === subject);

test('an RDS event wakes a sleeping wait: the restore is noticed within the delivery delay, not at the end of the sleep', async () => {
  const polled = await run(withoutEvents);
  const woken = await run(withEvents);
  const bus = eventBus(withEvents.sim);
  // "DB instance created" (RDS-EVENT-0005) when 'creating' ends, "Finished DB Instance backup" (0002) when 'backing-up' does
  expect(bus.log.filter((e) => e.event.detail.SourceIdentifier === 'orders-db').map((e) => [e.event.detail.EventID, e.fate]))
    .toEqual([['RDS-EVENT-0005', 'delivered'], ['RDS-EVENT-0001', 'unmatched'], ['RDS-EVENT-0002', 'delivered']]);
  // without events the check comes at the end of a back-off sleep (up to 5 min); with them, the delivery delay and a check
  expect(restoredLatency(woken, withEvents)).toBeLessThanOrEqual(bus.delaySeconds + 2);
  expect(restoredLatency(woken, withEvents)).toBeLessThan(restoredLatency(polled, withoutEvents));
  // the check after the wake-up knows how long the sleep lasted (not its whole interval) and ends the wait
  const last = checksOf(woken, 'restored instance').at(-1)!;
  expect(last.result.done).toBe(true);
  expect(last.payload.wait.woken.slept).toBeLessThan(last.payload.wait.interval);
  expect(last.payload.wait.woken.event).toBe('RDS-EVENT-0002');
  // the same steps, in less time
  expect(woken.seconds).toBeLessThan(polled.seconds);
  // the wake-up left nothing behind in the table
  const wakeItems = (await withEvents.dynamo.items(withEvents.tables[0].TableName!)).filter((i) => i.lockKey.S!.startsWith('wake:'));
  for (const item of wakeItems) expect(item.waiters).toBeUndefined();
});

test('events that never arrive: every sleep ends by its timeout and the wait by polling, as without events', async () => {
  const polled = await run(withoutEvents);
  const dropped = await run(withEvents, (x) => { eventBus(x.sim).drop = () => true; });
  expect(eventBus(withEvents.sim).log.filter((e) => e.fate === 'delivered')).toEqual([]);
  expect(eventBus(withEvents.sim).log.filter((e) => e.fate === 'dropped').length).toBeGreaterThan(0);
  // the same checks at the same moments: the callback sleeps last their interval, as the Wait states do
  expect(dropped.checks.map((c) => [c.payload.subject, c.at])).toEqual(polled.checks.map((c) => [c.payload.subject, c.at]));
  expect(restoredLatency(dropped, withEvents)).toBe(restoredLatency(polled, withoutEvents));
  // every sleep before a check timed out (States.Timeout caught into the check)
  for (const c of dropped.checks.filter((x) => x.payload.wait.woken)) expect(c.payload.wait.woken.Error).toBe('States.Timeout');
});

test('an event about another database wakes nothing', async () => {
  let backedUp = false;
  const result = await run(withEvents, (x) => x.sim.addInstance(fullyConfiguredInstance('other-db')), (state, phase) => {
    // while the restore sleeps: RDS backs up another instance (its 0002 "Finished DB Instance backup" matches the rule)
    if (!backedUp && phase === 'end' && state === 'Wait for restored instance or an RDS event') {
      backedUp = true;
      withEvents.sim.backUp('other-db', 60);
    }
  });
  const bus = eventBus(withEvents.sim);
  const other = bus.log.find((e) => e.event.detail.SourceIdentifier === 'other-db' && e.event.detail.EventID === 'RDS-EVENT-0002');
  expect(other?.fate).toBe('delivered');
  // no check of the restore followed that delivery early: the sleep it fell in ended by its timeout
  const restored = checksOf(result, 'restored instance');
  const next = restored.find((c) => c.at >= other!.deliveredAt!)!;
  expect(next.payload.wait.woken.Error).toBe('States.Timeout');
  expect(next.at - other!.deliveredAt!).toBeGreaterThan(2);
});

test('learned waits that an RDS event ended last time sleep to their expected end in one go; the others close in by polling', async () => {
  await run(withoutEvents);
  const polledTwice = await run(withoutEvents, undefined, undefined, true);
  const first = await run(withEvents);
  const item = async (subject: string) => withEvents.dynamo.item(withEvents.tables[0].TableName!, { lockKey: { S: historyKey('orders-db', subject) } });
  // the restore was ended by its event ("Finished DB Instance backup"); no RDS event reports an instance rename
  expect((await item('restored instance'))?.reported).toEqual({ BOOL: true });
  expect((await item('renamed instance'))?.reported).toEqual({ BOOL: false });
  const taught = Number((await item('restored instance'))!.durations!.L![0].N);
  const second = await run(withEvents, undefined, undefined, true);
  const restored = checksOf(second, 'restored instance');
  // the first check (30 s in) sleeps past the expected end, in one callback sleep that the events end:
  // "DB instance created" (not yet modifiable: backing-up), then "Finished DB Instance backup"
  const policy = restored[0].payload.policy;
  expect(restored[0].result).toMatchObject({ expected: taught, reported: true, interval: taught + wakeMargin(policy, taught) - 30 });
  expect(restored.map((c) => c.payload.wait.woken?.event)).toEqual([undefined, 'RDS-EVENT-0005', 'RDS-EVENT-0002']);
  expect(restoredLatency(second, withEvents)).toBeLessThanOrEqual(eventBus(withEvents.sim).delaySeconds + 2);
  // the rename closes in as without events (85 % of the expected duration, then shorter polls)
  const renamed = checksOf(second, 'renamed instance');
  expect(renamed[0].result.interval).toBe(checksOf(polledTwice, 'renamed instance')[0].result.interval);
  expect(renamed.length).toBeGreaterThan(2);
  // issue 10's target holds, with fewer transitions than learned waits without events
  expect(second.transitions).toBeLessThanOrEqual(150);
  expect(second.transitions).toBeLessThan(polledTwice.transitions);
  expect(first.transitions).toBeGreaterThan(second.transitions);
  expect(medianLatency(detections(second, withEvents.sim))).toBeLessThanOrEqual(30);
});
