import { Harness } from './harness';
import { historyKey, median } from '../../lambda-src/rds/wait-history';
import { LEARNED_LEAD } from '../../src/poll-schedule';
import { detections, medianLatency } from '../sim/detection';
import { fullyConfiguredInstance } from '../sim/fixtures';
import type { RunResult } from '../sim/run-pipeline';

/**
 * Waits that learn, end to end: the real state machine and handlers, the
 * history in the synthesized lock table (dynalite), every call IAM-checked.
 * Polling only (no RDS events): wake-on-events.e2e.test.ts covers learned
 * waits that an RDS event ends.
 */
const h = new Harness({ wakeOnRdsEvents: false });
afterEach(() => h.done());

const THREE_HOURS = { restore: 3 * 3600 };
const input = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const table = () => h.tables[0].TableName!;

/** A fresh simulator for the next run; with `keep`, the table's items (the history) as the last run left them. */
async function nextRun(durations = THREE_HOURS, keep = true): Promise<RunResult> {
  const items = keep ? await h.dynamo.items(table()) : [];
  h.fresh(durations);
  for (const item of items) await h.dynamo.put(table(), item);
  h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  const result = await h.run(input);
  expect(result.status).toBe('SUCCEEDED');
  return result;
}

/** The intervals each check of `subject` asked for next, in order. */
const intervals = (r: RunResult, subject: string) => r.checks.filter((c) => c.payload.subject === subject).map((c) => c.result.interval);
const history = async (subject: string) =>
  (await h.dynamo.item(table(), { lockKey: { S: historyKey('orders-db', subject) } }))?.durations?.L?.map((v) => Number(v.N));

test('without history every wait backs off from 30 s; each records how long it took', async () => {
  const first = await nextRun(THREE_HOURS, false);
  // pollInterval 30 s, x1.5, up to 5 min (the default PollingOptions)
  expect(intervals(first, 'new snapshot').slice(0, 5)).toEqual([45, 68, 102, 153, 230]);
  for (const c of first.checks) expect(c.result.expected).toBeUndefined();
  const restored = first.checks.filter((c) => c.payload.subject === 'restored instance');
  expect(await history('restored instance')).toEqual([restored[restored.length - 1].result.elapsed]);
  expect(await history('new snapshot')).toHaveLength(1);
});

test('the second run of a 3-hour restore uses the history: far fewer checks and transitions, readiness noticed within 30 s', async () => {
  const first = await nextRun(THREE_HOURS, false);
  const taught = await history('restored instance');
  const second = await nextRun();
  // the restore's first check sleeps LEARNED_LEAD of what the first run took, in one Wait
  const restored = second.checks.filter((c) => c.payload.subject === 'restored instance');
  expect(restored[0].result).toMatchObject({ expected: median(taught!), interval: Math.round(LEARNED_LEAD * taught![0]) - 30 });
  expect(restored.length).toBeLessThan(first.checks.filter((c) => c.payload.subject === 'restored instance').length / 3);
  expect(second.checks.length).toBeLessThan(first.checks.length / 2);
  // issue 10's target: at most 150 transitions for a 3-hour instance restore with learned waits (209 without)
  expect(first.transitions).toBeGreaterThan(200);
  expect(second.transitions).toBeLessThanOrEqual(150);
  expect(second.historyEvents).toBeLessThan(first.historyEvents / 2);
  expect(medianLatency(detections(second, h.sim))).toBeLessThanOrEqual(30);
  expect(await history('restored instance')).toHaveLength(2);
});

test('a run slower than its history still ends: it closes in on the expected end, then backs off again', async () => {
  await nextRun({ restore: 1200 }, false); // teaches a 20-minute restore
  const slow = await nextRun(THREE_HOURS); // then it takes 3 hours
  const next = intervals(slow, 'restored instance');
  expect(next[0]).toBeGreaterThan(600); // slept most of the 20-odd minutes at once
  expect(next).toContain(20);
  expect(Math.max(...next.slice(1))).toBe(300); // then backed off to maxPollInterval while the restore overran
  expect(next.length).toBeLessThan(60);
});
