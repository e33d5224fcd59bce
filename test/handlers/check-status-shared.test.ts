import { POLICY, useHistoryTable } from './history-table';
import { CheckEvent, handler } from '../../lambda-src/check-status.lambda';
import { CACHE_SECONDS, INSTANCES_KEY, MAX_PAGES } from '../../lambda-src/rds/status-cache';
import { addCallGate, AwsCall } from '../sim/aws-calls';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

/**
 * A fleet's status checks share one listing of the account's instances (and
 * manual snapshots) in the lock table (lambda-src/rds/status-cache.ts); a
 * single target's checks never do.
 */
const { dynamo, table: TABLE } = useHistoryTable();
const T0 = Date.parse('2026-01-09T08:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

let sim: RdsSimulator;
let rdsCalls: AwsCall[];
let removeGate: () => void;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
  for (const id of ['db-1', 'db-2', 'db-3']) sim.addInstance(fullyConfiguredInstance(id));
  rdsCalls = [];
  removeGate = addCallGate((c) => { if (c.service === 'rds') rdsCalls.push(c); });
});

afterEach(() => {
  removeGate();
  sim.uninstall();
});

/** A check `now` seconds after T0 whose wait began `waited + interval` seconds before; pace 25: a fleet's target (0: alone). */
const check = (identifier: string, now: number, o: { pace?: number; waited?: number; interval?: number; woken?: boolean; resource?: 'instance' | 'snapshot' } = {}): CheckEvent => ({
  subject: 'restored instance',
  resource: o.resource ?? 'instance',
  identifier,
  until: 'available',
  wait: { elapsed: o.waited ?? 60, interval: o.interval ?? 30, ...(o.woken ? { woken: { slept: 12 } } : {}) },
  policy: POLICY,
  pace: o.pace ?? 25,
  now: at(now),
});
const describes = () => rdsCalls.filter((c) => c.action === 'DescribeDBInstances').map((c) => c.input.DBInstanceIdentifier ?? 'all');

describe('check-status: a fleet\'s checks share one listing', () => {
  test('three targets checking within CACHE_SECONDS make one DescribeDBInstances (no identifier) between them; each reads its own instance', async () => {
    sim.stick('db-2', 'modifying');
    const results = [await handler(check('db-1', 100)), await handler(check('db-2', 105)), await handler(check('db-3', 100 + CACHE_SECONDS))];
    expect(results.map((r) => [r.done, r.status])).toEqual([[true, 'available'], [false, 'modifying'], [true, 'available']]);
    expect(describes()).toEqual(['all']);
    expect(rdsCalls[0].input).toEqual({ MaxRecords: 100 });
    // older than CACHE_SECONDS: the next check lists again, once
    await handler(check('db-1', 101 + CACHE_SECONDS));
    await handler(check('db-2', 102 + CACHE_SECONDS));
    expect(describes()).toEqual(['all', 'all']);
  });

  test('a listing made before the wait began (before the step it waits for) is not used: the change made since is seen', async () => {
    await handler(check('db-1', 100)); // lists: db-1 available
    sim.stick('db-1', 'modifying'); // e.g. the settings step modifies it at 101; its wait begins at 102
    const r = await handler(check('db-1', 110, { waited: 0, interval: 8 }));
    expect(r).toMatchObject({ done: false, status: 'modifying' });
  });

  test('a single target (pace 0) and a check an RDS event woke describe their own instance', async () => {
    await handler(check('db-1', 100, { pace: 0 }));
    await handler(check('db-2', 100, { woken: true }));
    expect(describes()).toEqual(['db-1', 'db-2']);
    expect(await dynamo().item(TABLE, { lockKey: { S: INSTANCES_KEY } })).toBeUndefined();
  });

  test('while another check holds the refresh, a check describes its own instance (one refresher at a time)', async () => {
    await dynamo().put(TABLE, { lockKey: { S: INSTANCES_KEY }, claimedAt: { N: String(T0 / 1000 + 95) } });
    await handler(check('db-1', 100));
    expect(describes()).toEqual(['db-1']);
  });

  test(`an account of more than ${MAX_PAGES} pages is not listed again for an hour; its checks describe their own instance`, async () => {
    for (let i = 0; i < MAX_PAGES * 100; i++) sim.addInstance(fullyConfiguredInstance(`other-${i}`));
    const r = await handler(check('db-1', 100));
    expect(r.done).toBe(true);
    expect(describes()).toEqual([...Array(MAX_PAGES).fill('all'), 'db-1']);
    await handler(check('db-2', 200));
    expect(describes().slice(MAX_PAGES + 1)).toEqual(['db-2']);
  });

  test('snapshots: the checks of a fleet\'s new snapshots share one DescribeDBSnapshots (manual)', async () => {
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap-1', DBInstanceIdentifier: 'db-1' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap-2', DBInstanceIdentifier: 'db-2', Status: 'creating' });
    sim.stick('snap-2');
    const a = await handler({ ...check('snap-1', 100, { resource: 'snapshot' }), subject: 'new snapshot' });
    const b = await handler({ ...check('snap-2', 101, { resource: 'snapshot' }), subject: 'new snapshot' });
    expect([a.done, b.done, b.status]).toEqual([true, false, 'creating']);
    expect(rdsCalls.map((c) => [c.action, c.input])).toEqual([['DescribeDBSnapshots', { SnapshotType: 'manual', MaxRecords: 100 }]]);
  });

  test('clusters: a fleet\'s cluster checks share one DescribeDBClusters, their members read from the instance listing', async () => {
    seedCluster(sim, 'aurora-1');
    seedCluster(sim, 'aurora-2');
    const members = sim.cluster('aurora-2')!.DBClusterMembers!.map((m) => m.DBInstanceIdentifier!);
    sim.stick(members[0], 'modifying');
    const clusterCheck = (id: string, now: number) => ({ ...check(id, now), resource: 'cluster' as const, subject: 'restored cluster' });
    const a = await handler(clusterCheck('aurora-1', 100));
    const b = await handler(clusterCheck('aurora-2', 101));
    expect([a.done, a.status]).toEqual([true, 'available']);
    expect([b.done, b.status]).toEqual([false, `available; members: ${members[0]} modifying`]);
    expect(rdsCalls.map((c) => [c.action, c.input])).toEqual([['DescribeDBClusters', { MaxRecords: 100 }], ['DescribeDBInstances', { MaxRecords: 100 }]]);
  });
});
