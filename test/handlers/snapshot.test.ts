import type { SnapshotRef } from '../../lambda-src/rds/job';
import { snapshotIdentifier, TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { handler } from '../../lambda-src/snapshot.lambda';
import { seedPipelineSnapshot } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

const PIPELINE = 'TestPipeline';
const ARN = 'arn:aws:rds:us-east-1:123456789012:snapshot:';
const savedPipelineId = process.env.PIPELINE_ID;

let sim: RdsSimulator;

beforeEach(() => {
  process.env.PIPELINE_ID = PIPELINE;
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => {
  sim.uninstall();
  if (savedPipelineId === undefined) delete process.env.PIPELINE_ID;
  else process.env.PIPELINE_ID = savedPipelineId;
});

const ourTags = (identifier: string, pipeline = PIPELINE) => [{ Key: TAG_SOURCE, Value: identifier }, { Key: TAG_PIPELINE, Value: pipeline }];
const mutating = () => sim.mutatingCalls().map((c) => ({ command: c.command, input: c.input, error: c.error }));

const create = (identifier: string, startedAt: string) => handler({ op: 'create', identifier, startedAt }) as Promise<SnapshotRef>;
const find = (identifier: string, engine: string) => handler({ op: 'find', identifier, engine }) as Promise<SnapshotRef>;
const prune = (identifier: string, keep: string) => handler({ op: 'prune', identifier, keep }) as Promise<{ deleted: string[] }>;

describe('snapshot create', () => {
  const STARTED = '2026-01-09T07:59:58.123Z';
  const ID = 'orders-db-trapheus-20260109-075958';

  beforeEach(() => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
  });

  test('names the snapshot from the execution start, tags it as ours, and returns a created ref', async () => {
    sim.clock.advance(90); // the call happens later than the start: the name must not change
    const out = await create('orders-db', STARTED);
    expect(out).toEqual({ id: ID, arn: `${ARN}${ID}`, createdAt: '2026-01-09T08:01:30.000Z', created: true });
    expect(mutating()).toEqual([{
      command: 'CreateDBSnapshot',
      input: { DBSnapshotIdentifier: ID, DBInstanceIdentifier: 'orders-db', Tags: ourTags('orders-db') },
      error: undefined,
    }]);
    expect(sim.snapshot(ID)).toMatchObject({ Status: 'creating', DBInstanceIdentifier: 'orders-db', TagList: ourTags('orders-db') });
  });

  test('a retry finds the snapshot it already asked for instead of making a second one', async () => {
    const first = await create('orders-db', STARTED);
    sim.clock.advance(30);
    const second = await create('orders-db', STARTED);
    expect(second).toEqual(first);
    expect(sim.snapshots()).toHaveLength(1);
    expect(mutating()).toEqual([
      expect.objectContaining({ command: 'CreateDBSnapshot', error: undefined }),
      expect.objectContaining({ command: 'CreateDBSnapshot', error: 'DBSnapshotAlreadyExistsFault' }),
    ]);
    expect(sim.calls.filter((c) => c.command === 'DescribeDBSnapshots').map((c) => c.input)).toEqual([{ DBSnapshotIdentifier: ID }]);
  });

  test('a snapshot of that name made by someone else: DBSnapshotAlreadyExistsFault', async () => {
    sim.addSnapshot({ DBSnapshotIdentifier: ID, DBInstanceIdentifier: 'orders-db' });
    await expect(create('orders-db', STARTED)).rejects.toMatchObject({
      name: 'DBSnapshotAlreadyExistsFault',
      message: `Creating snapshot ${ID} of orders-db: Cannot create the snapshot because a snapshot with the identifier ${ID} already exists.`,
    });
  });

  test('a snapshot of that name made by another pipeline is not ours either', async () => {
    sim.addSnapshot({ DBSnapshotIdentifier: ID, DBInstanceIdentifier: 'orders-db', Tags: ourTags('orders-db', 'OtherPipeline') });
    await expect(create('orders-db', STARTED)).rejects.toMatchObject({ name: 'DBSnapshotAlreadyExistsFault', message: expect.stringContaining(`Creating snapshot ${ID} of orders-db`) });
  });

  test('an instance that is not available: the RDS fault, with context', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'busy-db', Engine: 'postgres', DBInstanceStatus: 'modifying' });
    await expect(create('busy-db', STARTED)).rejects.toMatchObject({
      name: 'InvalidDBInstanceStateFault',
      message: expect.stringMatching(/^Creating snapshot busy-db-trapheus-20260109-075958 of busy-db: .*not currently in the available state/),
    });
  });

  test('without PIPELINE_ID it refuses to make an untagged snapshot', async () => {
    delete process.env.PIPELINE_ID;
    await expect(create('orders-db', STARTED)).rejects.toThrow(/PIPELINE_ID is not set/);
    expect(sim.snapshots()).toEqual([]);
  });
});

describe('snapshot find', () => {
  beforeEach(() => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
  });

  test('the newest available snapshot of ours; ignores other pipelines\', creating and legacy ones', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, '2026-01-01T08:00:00Z');
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, '2026-01-05T08:00:00Z');
    seedPipelineSnapshot(sim, 'orders-db', 'OtherPipeline', '2026-01-07T08:00:00Z');
    sim.addSnapshot({
      DBSnapshotIdentifier: snapshotIdentifier('orders-db', '2026-01-08T08:00:00Z'),
      DBInstanceIdentifier: 'orders-db',
      SnapshotCreateTime: new Date('2026-01-08T08:00:00Z'),
      Tags: ourTags('orders-db'),
      Status: 'creating',
    });
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db', SnapshotCreateTime: new Date('2026-01-08T09:00:00Z') });
    // Tagged by us, but for another source identifier.
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-manual', DBInstanceIdentifier: 'orders-db', SnapshotCreateTime: new Date('2026-01-08T10:00:00Z'), Tags: ourTags('billing-db') });

    const id = snapshotIdentifier('orders-db', '2026-01-05T08:00:00Z');
    await expect(find('orders-db', 'postgres')).resolves.toEqual({ id, arn: `${ARN}${id}`, createdAt: '2026-01-05T08:00:00.000Z', created: false });
    expect(sim.calls.map((c) => ({ command: c.command, input: c.input }))).toEqual([
      { command: 'DescribeDBSnapshots', input: { DBInstanceIdentifier: 'orders-db', SnapshotType: 'manual' } },
    ]);
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('falls back to the legacy <identifier>-snapshot', async () => {
    seedPipelineSnapshot(sim, 'orders-db', 'OtherPipeline', '2026-01-07T08:00:00Z');
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db', SnapshotCreateTime: new Date('2025-12-01T08:00:00Z') });
    await expect(find('orders-db', 'postgres')).resolves.toEqual({
      id: 'orders-db-snapshot', arn: `${ARN}orders-db-snapshot`, createdAt: '2025-12-01T08:00:00.000Z', created: false,
    });
    expect(sim.calls.map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: 'orders-db', SnapshotType: 'manual' },
      { DBSnapshotIdentifier: 'orders-db-snapshot' },
    ]);
  });

  test('falls back to the legacy snapshot while ours is still being created', async () => {
    sim.addSnapshot({
      DBSnapshotIdentifier: snapshotIdentifier('orders-db', '2026-01-08T08:00:00Z'),
      DBInstanceIdentifier: 'orders-db',
      Tags: ourTags('orders-db'),
      Status: 'creating',
    });
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db' });
    await expect(find('orders-db', 'postgres')).resolves.toMatchObject({ id: 'orders-db-snapshot', created: false });
  });

  test('finds the newest one beyond the first page of DescribeDBSnapshots', async () => {
    const start = Date.parse('2025-09-01T08:00:00Z');
    const times = Array.from({ length: 103 }, (_, k) => new Date(start + k * 86400_000).toISOString());
    for (const t of times) seedPipelineSnapshot(sim, 'orders-db', PIPELINE, t);
    const newest = times[times.length - 1];
    await expect(find('orders-db', 'postgres')).resolves.toMatchObject({ id: snapshotIdentifier('orders-db', newest), created: false });
    const pages = sim.calls.filter((c) => c.command === 'DescribeDBSnapshots');
    expect(pages).toHaveLength(2);
    expect(pages[1].input).toMatchObject({ DBInstanceIdentifier: 'orders-db', SnapshotType: 'manual', Marker: expect.any(String) });
  });

  test('no snapshot at all: DBSnapshotNotFoundFault, telling what to run', async () => {
    seedPipelineSnapshot(sim, 'orders-db', 'OtherPipeline', '2026-01-07T08:00:00Z');
    await expect(find('orders-db', 'postgres')).rejects.toMatchObject({
      name: 'DBSnapshotNotFoundFault',
      message: 'No snapshot to restore orders-db from: none made by this pipeline and no orders-db-snapshot. Run the task "create_snapshot" (or "create_snapshot_only") first, or give "snapshotIdentifier".',
    });
  });

  test('a legacy snapshot that is not available: InvalidDBSnapshotStateFault', async () => {
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db', Status: 'creating' });
    await expect(find('orders-db', 'postgres')).rejects.toMatchObject({
      name: 'InvalidDBSnapshotStateFault',
      message: expect.stringMatching(/^snapshot orders-db-snapshot is creating, not available; wait for it and run again\.$/i),
    });
  });

  test('a snapshot of another engine: SnapshotEngineMismatch', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'shop-db', Engine: 'mysql' });
    seedPipelineSnapshot(sim, 'shop-db', PIPELINE, '2026-01-05T08:00:00Z');
    await expect(find('shop-db', 'postgres')).rejects.toMatchObject({
      name: 'SnapshotEngineMismatch',
      message: expect.stringMatching(new RegExp(`^snapshot ${snapshotIdentifier('shop-db', '2026-01-05T08:00:00Z')} is of engine mysql but shop-db runs postgres\\.$`, 'i')),
    });
  });
});

describe('snapshot prune', () => {
  const at = (day: number) => `2026-01-0${day}T08:00:00Z`;
  const idAt = (day: number) => snapshotIdentifier('orders-db', at(day));

  beforeEach(() => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
  });

  test('while the kept snapshot is still creating: SnapshotNotVerified, nothing deleted', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(1));
    const keep = (await create('orders-db', at(9))).id!;
    await expect(prune('orders-db', keep)).rejects.toMatchObject({
      name: 'SnapshotNotVerified',
      message: expect.stringMatching(new RegExp(`^snapshot ${keep} is creating; older snapshots of orders-db are kept\\.$`, 'i')),
    });
    expect(mutating().filter((c) => c.command === 'DeleteDBSnapshot')).toEqual([]);
  });

  test('a kept snapshot that does not exist: SnapshotNotVerified', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(1));
    await expect(prune('orders-db', 'orders-db-trapheus-20260109-080000')).rejects.toMatchObject({
      name: 'SnapshotNotVerified',
      message: expect.stringMatching(/^snapshot orders-db-trapheus-20260109-080000 is missing; older snapshots of orders-db are kept\.$/i),
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('deletes only our older snapshots; never the legacy, other pipelines\' or untagged ones', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(1));
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(3));
    seedPipelineSnapshot(sim, 'orders-db', 'OtherPipeline', at(4));
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db', SnapshotCreateTime: new Date('2025-12-01T08:00:00Z') });
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-before-upgrade', DBInstanceIdentifier: 'orders-db', SnapshotCreateTime: new Date(at(2)) });
    sim.addInstance({ DBInstanceIdentifier: 'billing-db', Engine: 'postgres' });
    seedPipelineSnapshot(sim, 'billing-db', PIPELINE, at(2));
    const keep = (await create('orders-db', at(9))).id!;
    sim.clock.advance(sim.durations.snapshotCreate);

    const out = await prune('orders-db', keep);

    expect(out).toEqual({ deleted: [idAt(3), idAt(1)] });
    expect(mutating().filter((c) => c.command === 'DeleteDBSnapshot')).toEqual([
      { command: 'DeleteDBSnapshot', input: { DBSnapshotIdentifier: idAt(3) }, error: undefined },
      { command: 'DeleteDBSnapshot', input: { DBSnapshotIdentifier: idAt(1) }, error: undefined },
    ]);
    expect(sim.snapshot(idAt(1))?.Status).toBe('deleting');
    expect(sim.snapshot(keep)?.Status).toBe('available');
    for (const kept of ['orders-db-snapshot', 'orders-db-before-upgrade', idAt(4), snapshotIdentifier('billing-db', at(2))]) {
      expect(sim.snapshot(kept)?.Status).toBe('available');
    }
  });

  test('a retry does not delete again what is already being deleted', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(1));
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(9));
    await expect(prune('orders-db', idAt(9))).resolves.toEqual({ deleted: [idAt(1)] });
    await expect(prune('orders-db', idAt(9))).resolves.toEqual({ deleted: [] });
    expect(mutating().filter((c) => c.command === 'DeleteDBSnapshot')).toHaveLength(1);
  });

  test('a snapshot gone by the time it is deleted is skipped', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(1));
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(2));
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(9));
    sim.failOn({ command: 'DeleteDBSnapshot', error: 'DBSnapshotNotFoundFault', when: (i) => i.DBSnapshotIdentifier === idAt(2), times: 1 });
    await expect(prune('orders-db', idAt(9))).resolves.toEqual({ deleted: [idAt(1)] });
  });

  test('any other delete failure stops with the fault and its context', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(1));
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(9));
    sim.failOn({ command: 'DeleteDBSnapshot', error: 'InvalidDBSnapshotStateFault', message: 'Snapshot is being copied.' });
    await expect(prune('orders-db', idAt(9))).rejects.toMatchObject({
      name: 'InvalidDBSnapshotStateFault',
      message: `Deleting older snapshot ${idAt(1)}: Snapshot is being copied.`,
    });
  });

  // A newer snapshot of ours (an overlapping execution's) is not older, so it is kept.
  test('never deletes a snapshot of ours that is newer than the kept one', async () => {
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(1));
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(5));
    seedPipelineSnapshot(sim, 'orders-db', PIPELINE, at(7));
    const out = await prune('orders-db', idAt(5));
    expect(out).toEqual({ deleted: [idAt(1)] });
    expect(sim.snapshot(idAt(7))?.Status).toBe('available');
  });
});
