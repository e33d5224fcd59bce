import { DeleteDBInstanceCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CheckEvent, CheckResult, handler as checkStatus, PollPolicy } from '../../lambda-src/check-status.lambda';
import { handler as rename } from '../../lambda-src/rename.lambda';
import { RdsSimulator } from '../sim/rds-sim';

const POLICY: PollPolicy = { first: 30, max: 300, rate: 2, maxWait: 3600 };

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => sim.uninstall());

/** The handler, checked to make no mutating call: a status check only ever reads. */
async function handler(e: CheckEvent): Promise<CheckResult> {
  const before = sim.mutatingCalls().length;
  try {
    return await checkStatus(e);
  } finally {
    expect(sim.mutatingCalls()).toHaveLength(before);
  }
}

type Check = Omit<CheckEvent, 'wait' | 'policy'> & Partial<Pick<CheckEvent, 'wait' | 'policy'>>;

const check = (e: Check): Promise<CheckResult> =>
  handler({ wait: { elapsed: 0, interval: POLICY.first }, policy: POLICY, ...e });

const instance = (until: CheckEvent['until'], identifier?: string, resourceId?: string): Check =>
  ({ subject: 'restored instance', resource: 'instance', until, identifier, resourceId });

describe('check-status: back-off', () => {
  test('the interval grows by the rate up to the maximum, elapsed accumulates, and it never waits past maxWait', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'modifying' });
    const seen: CheckResult[] = [];
    let wait = { elapsed: 0, interval: POLICY.first };
    let timedOut: unknown;
    for (let k = 0; k < 100 && !timedOut; k++) {
      try {
        const r = await check({ ...instance('available', 'orders-db'), wait });
        seen.push(r);
        wait = { elapsed: r.elapsed, interval: r.interval };
      } catch (err) {
        timedOut = err;
      }
    }
    expect(seen.map((r) => r.interval)).toEqual([60, 120, 240, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300, 150]);
    expect(seen.map((r) => r.elapsed)).toEqual([30, 90, 210, 450, 750, 1050, 1350, 1650, 1950, 2250, 2550, 2850, 3150, 3450]);
    for (const r of seen) {
      expect(r).toMatchObject({ done: false, status: 'modifying' });
      expect(r.elapsed + r.interval).toBeLessThanOrEqual(POLICY.maxWait);
    }
    // The check after the last (shortened) wait lands exactly on maxWait.
    expect(timedOut).toMatchObject({
      name: 'WaitTimedOut',
      message: 'Waited 1.0 h for the restored instance orders-db to be available; it is still modifying.',
    });
  });

  test('rate 1 polls at a fixed interval; the interval is at least 1 second', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'creating' });
    await expect(check({ ...instance('available', 'orders-db'), policy: { ...POLICY, rate: 1 }, wait: { elapsed: 600, interval: 45 } }))
      .resolves.toEqual({ done: false, status: 'creating', elapsed: 645, interval: 45 });
    await expect(check({ ...instance('available', 'orders-db'), policy: { ...POLICY, rate: 0.1 }, wait: { elapsed: 0, interval: 2 } }))
      .resolves.toEqual({ done: false, status: 'creating', elapsed: 2, interval: 1 });
  });

  test('a done check returns its progress too, even at maxWait', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(check({ ...instance('available', 'orders-db'), wait: { elapsed: 3500, interval: 100 } }))
      .resolves.toEqual({ done: true, status: 'available', elapsed: 3600, interval: 1 });
  });

  test('WaitTimedOut names the subject (by resource id when there is no identifier) and the status, in minutes', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db-trapheus-old', Engine: 'postgres', DBInstanceStatus: 'renaming' });
    await expect(handler({
      subject: 'renamed original',
      resource: 'instance',
      resourceId: db.DbiResourceId,
      until: 'available',
      wait: { elapsed: 540, interval: 60 },
      policy: { ...POLICY, maxWait: 600 },
    })).rejects.toMatchObject({
      name: 'WaitTimedOut',
      message: `Waited 10 min for the renamed original ${db.DbiResourceId} to be available; it is still renaming.`,
    });
  });

  test('WaitTimedOut says what the wait needed: "available for changes" for a modifiable wait', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'backing-up' });
    await expect(check({ ...instance('modifiable', 'orders-db'), wait: { elapsed: 3300, interval: 300 } })).rejects.toMatchObject({
      name: 'WaitTimedOut',
      message: 'Waited 1.0 h for the restored instance orders-db to be available for changes; it is still backing-up.',
    });
  });

  test('WaitTimedOut for an absent instance says so', async () => {
    await expect(check({ ...instance('available', 'orders-db'), wait: { elapsed: 3300, interval: 300 } })).rejects.toMatchObject({
      name: 'WaitTimedOut',
      message: 'Waited 1.0 h for the restored instance orders-db to be available; it is still absent.',
    });
  });
});

describe('check-status: instance available', () => {
  test('available and the expected DB: done', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(check(instance('available', 'orders-db', db.DbiResourceId))).resolves.toEqual({ done: true, status: 'available', elapsed: 30, interval: 60 });
    expect(sim.calls.map((c) => c.input)).toEqual([{ DBInstanceIdentifier: 'orders-db' }]);
  });

  test('available but with a rename pending: not done (the rename has not happened yet)', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await rename({ op: 'forward', identifier: 'orders-db', resourceId: db.DbiResourceId! });
    // By resource id (the rollback's "renamed original") ...
    await expect(check(instance('available', undefined, db.DbiResourceId))).resolves.toMatchObject({ done: false, status: 'available' });
    // ... and by identifier.
    await expect(check(instance('available', 'orders-db', db.DbiResourceId))).resolves.toMatchObject({ done: false, status: 'available' });
    sim.clock.advance(sim.durations.renamePending + sim.durations.rename);
    await expect(check(instance('available', undefined, db.DbiResourceId))).resolves.toMatchObject({ done: true, status: 'available' });
  });

  test('available but another DB instance: not done, and the status says so', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(check(instance('available', 'orders-db', 'db-RESTORED00000000000000000'))).resolves.toMatchObject({
      done: false, status: 'available (another DB instance)',
    });
  });

  test('absent: not done', async () => {
    await expect(check(instance('available', 'orders-db'))).resolves.toMatchObject({ done: false, status: 'absent' });
  });

  test('follows a rename: renaming, then available under the temporary identifier', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await rename({ op: 'forward', identifier: 'orders-db', resourceId: db.DbiResourceId! });
    const renamed: Check = { ...instance('available', 'orders-db-trapheus-old', db.DbiResourceId), subject: 'renamed instance' };
    await expect(check(renamed)).resolves.toMatchObject({ done: false, status: 'absent' });
    sim.clock.advance(sim.durations.renamePending + 1);
    await expect(check(renamed)).resolves.toMatchObject({ done: false, status: 'renaming' });
    sim.clock.advance(sim.durations.rename);
    await expect(check(renamed)).resolves.toMatchObject({ done: true, status: 'available' });
  });

  test.each(['failed', 'incompatible-parameters', 'incompatible-network', 'storage-full', 'stopped'])('the expected DB in status %s: DBInstanceFailed', async (status) => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: status });
    await expect(check(instance('available', 'orders-db', db.DbiResourceId))).rejects.toMatchObject({
      name: 'DBInstanceFailed',
      message: `The restored instance orders-db entered status ${status}, which it will not leave by itself.`,
    });
  });

  test('another DB in a failed status is not ours to fail on: not done', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'failed' });
    await expect(check(instance('available', 'orders-db', 'db-RESTORED00000000000000000'))).resolves.toMatchObject({
      done: false, status: 'failed (another DB instance)',
    });
  });
});

describe('check-status: instance statuses (the table in rds/statuses.ts)', () => {
  test('insufficient-capacity does not clear by itself: DBInstanceFailed at once, saying what RDS advises', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'insufficient-capacity' });
    for (const until of ['available', 'modifiable', 'serving'] as const) {
      await expect(check(instance(until, 'orders-db', db.DbiResourceId))).rejects.toMatchObject({
        name: 'DBInstanceFailed',
        message: 'The restored instance orders-db entered status insufficient-capacity, which it will not leave by itself: RDS has no capacity '
          + 'for its instance class in its Availability Zone; delete it and try again in a few hours, or with another instance class or Availability Zone.',
      });
    }
    // the rollback's wait for it to settle is over at once, so it can be deleted
    await expect(check(instance('settled', 'orders-db'))).resolves.toMatchObject({ done: true, status: 'insufficient-capacity' });
  });

  test.each([
    // status, available, modifiable, serving
    ['available', true, true, true],
    ['storage-optimization', false, true, true],
    ['backing-up', false, false, true],
    ['modifying', false, false, false],
    ['configuring-enhanced-monitoring', false, false, false],
    ['creating', false, false, false],
    ['renaming', false, false, false],
  ])('%s: available %s, modifiable %s, serving %s', async (status, available, modifiable, serving) => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: status });
    const done = { available, modifiable, serving };
    for (const until of ['available', 'modifiable', 'serving'] as const) {
      await expect(check(instance(until, 'orders-db', db.DbiResourceId))).resolves.toMatchObject({ done: done[until], status });
    }
  });

  test('storage-optimization (which can last past 24 h) is not settled: it ends by itself', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'storage-optimization' });
    await expect(check(instance('settled', 'orders-db'))).resolves.toMatchObject({ done: false });
  });

  test('a serving DB is never timed out while the wait lasts: done at the first check', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'storage-optimization' });
    await expect(check({ ...instance('serving', 'orders-db'), wait: { elapsed: 3500, interval: 100 } })).resolves.toMatchObject({ done: true });
  });
});

describe('check-status: values applied immediately must have left PendingModifiedValues', () => {
  test('available with a waited-for value still pending: not done, and the status names it', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', BackupRetentionPeriod: 0 });
    // without ApplyImmediately the change waits in PendingModifiedValues while the instance stays available
    await new RDSClient({ region: 'us-east-1' }).send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'orders-db', BackupRetentionPeriod: 7 }));
    expect(sim.instance('orders-db')).toMatchObject({ DBInstanceStatus: 'available', PendingModifiedValues: { BackupRetentionPeriod: 7 } });
    const settings: Check = { ...instance('serving', 'orders-db', db.DbiResourceId), pending: ['DeletionProtection', 'BackupRetentionPeriod'] };
    await expect(check(settings)).resolves.toMatchObject({ done: false, status: 'available, BackupRetentionPeriod pending' });
    // a value not waited for does not hold the wait
    await expect(check({ ...settings, pending: ['DeletionProtection'] })).resolves.toMatchObject({ done: true, status: 'available' });
  });
});

describe('check-status: instance settled', () => {
  test.each([
    ['creating', false],
    ['modifying', false],
    ['deleting', false],
    ['backing-up', false],
    ['available', true],
    ['incompatible-restore', true],
    ['failed', true],
  ])('%s: done = %s', async (status, done) => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: status });
    await expect(check(instance('settled', 'orders-db'))).resolves.toMatchObject({ done, status });
  });

  test('absent: done', async () => {
    await expect(check(instance('settled', 'orders-db'))).resolves.toMatchObject({ done: true, status: 'absent' });
  });
});

describe('check-status: instance gone', () => {
  test('without a resource id: done only when nothing holds the identifier', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db-trapheus-old', Engine: 'postgres', DeletionProtection: false });
    const gone = instance('gone', 'orders-db-trapheus-old');
    await expect(check(gone)).resolves.toMatchObject({ done: false, status: 'available' });
    sim.stick('orders-db-trapheus-old', 'deleting');
    await expect(check(gone)).resolves.toMatchObject({ done: false, status: 'deleting' });
  });

  test('without a resource id: a deleted instance is gone once RDS drops it', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db-trapheus-old', Engine: 'postgres' });
    await new RDSClient({ region: 'us-east-1' }).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'orders-db-trapheus-old', SkipFinalSnapshot: true }));
    await expect(check(instance('gone', 'orders-db-trapheus-old'))).resolves.toMatchObject({ done: false, status: 'deleting' });
    sim.clock.advance(sim.durations.delete);
    await expect(check(instance('gone', 'orders-db-trapheus-old'))).resolves.toMatchObject({ done: true, status: 'absent' });
  });

  test('with a resource id: the identifier also counts as free when that DB holds it', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(check(instance('gone', 'orders-db', original.DbiResourceId))).resolves.toMatchObject({ done: true, status: 'available' });
  });

  test('with a resource id: another DB under the identifier is not gone', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'deleting' });
    await expect(check(instance('gone', 'orders-db', 'db-ORIGINAL000000000000000000'))).resolves.toMatchObject({ done: false, status: 'deleting' });
  });

  test('with a resource id: absent is gone', async () => {
    await expect(check(instance('gone', 'orders-db', 'db-ORIGINAL000000000000000000'))).resolves.toMatchObject({ done: true, status: 'absent' });
  });
});

describe('check-status: snapshot', () => {
  const snap = (until: CheckEvent['until'], identifier = 'orders-db-snap'): Check => ({ subject: 'new snapshot', resource: 'snapshot', identifier, until });

  beforeEach(() => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
  });

  test('creating, then available', async () => {
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snap', DBInstanceIdentifier: 'orders-db', Status: 'creating' });
    await expect(check(snap('available'))).resolves.toEqual({ done: false, status: 'creating', elapsed: 30, interval: 60 });
    sim.clock.advance(sim.durations.snapshotCreate);
    await expect(check(snap('available'))).resolves.toMatchObject({ done: true, status: 'available' });
    expect(sim.calls.map((c) => ({ command: c.command, input: c.input }))).toEqual([
      { command: 'DescribeDBSnapshots', input: { DBSnapshotIdentifier: 'orders-db-snap' } },
      { command: 'DescribeDBSnapshots', input: { DBSnapshotIdentifier: 'orders-db-snap' } },
    ]);
  });

  test.each(['failed', 'error'])('%s: SnapshotFailed', async (status) => {
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snap', DBInstanceIdentifier: 'orders-db', Status: status });
    await expect(check(snap('available'))).rejects.toMatchObject({
      name: 'SnapshotFailed',
      message: `The new snapshot orders-db-snap is ${status}.`,
    });
  });

  test('a snapshot waited for that does not exist: SnapshotFailed', async () => {
    await expect(check(snap('available'))).rejects.toMatchObject({ name: 'SnapshotFailed', message: 'The new snapshot orders-db-snap is absent.' });
  });

  test('gone: done once it does not exist', async () => {
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snap', DBInstanceIdentifier: 'orders-db' });
    await expect(check(snap('gone'))).resolves.toMatchObject({ done: false, status: 'available' });
    await expect(check(snap('gone', 'orders-db-other'))).resolves.toMatchObject({ done: true, status: 'absent' });
  });

  test('WaitTimedOut for a snapshot still creating', async () => {
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snap', DBInstanceIdentifier: 'orders-db', Status: 'creating' });
    await expect(check({ ...snap('available'), wait: { elapsed: 1700, interval: 100 }, policy: { ...POLICY, maxWait: 1800 } })).rejects.toMatchObject({
      name: 'WaitTimedOut',
      message: 'Waited 30 min for the new snapshot orders-db-snap to be available; it is still creating.',
    });
  });
});

describe('check-status: RDS errors', () => {
  test('a throttled describe is classified for the retry, not taken as absent', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    sim.failOn({ command: 'DescribeDBInstances', error: 'Throttling', times: 1 });
    await expect(check(instance('gone', 'orders-db'))).rejects.toMatchObject({
      name: 'RdsThrottled',
      message: 'Describing DB instance orders-db: Throttling: Rate exceeded',
    });
  });

  test('a failed lookup by resource id is classified with its context', async () => {
    sim.failOn({ command: 'DescribeDBInstances', error: 'InternalFailure', times: 1 });
    await expect(check(instance('available', undefined, 'db-ORIGINAL000000000000000000'))).rejects.toMatchObject({
      name: 'RdsUnavailable',
      message: expect.stringMatching(/^Looking up DB instance db-ORIGINAL000000000000000000: InternalFailure: /),
    });
  });
});
