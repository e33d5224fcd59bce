import { Harness } from './harness';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { fullyConfiguredInstance } from '../sim/fixtures';

/**
 * The props of issue 9's restore sources: `snapshotNamePrefix` (the names the
 * pipeline gives and prunes by, with IAM scoped to them under
 * `allowedIdentifiers`) and `sourceAccounts` (shared snapshots).
 */
const h = new Harness({ snapshotNamePrefix: 'nightly-', sourceAccounts: ['210987654321'], allowedIdentifiers: ['orders-db'] });
beforeEach(() => h.fresh());
afterEach(() => h.done());

const input = (extra: object) => ({ identifier: 'orders-db', isCluster: false, ...extra });
const tags = (pipeline: string) => [{ Key: TAG_SOURCE, Value: 'orders-db' }, { Key: TAG_PIPELINE, Value: pipeline }];

test('snapshots are named with the prefix; the refresh prunes by the pattern and the tag, never by name alone', async () => {
  h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  const older = 'nightly-orders-db-trapheus-20260102-080000';
  h.sim.addSnapshot({ DBSnapshotIdentifier: older, DBInstanceIdentifier: 'orders-db', Tags: tags(h.pipelineId), SnapshotCreateTime: new Date('2026-01-02T08:00:00Z') });
  // the pipeline's tag but not its pattern (made before the prefix was set): not pruned
  const unprefixed = 'orders-db-trapheus-20260103-080000';
  h.sim.addSnapshot({ DBSnapshotIdentifier: unprefixed, DBInstanceIdentifier: 'orders-db', Tags: tags(h.pipelineId), SnapshotCreateTime: new Date('2026-01-03T08:00:00Z') });
  // the pattern but another pipeline's tag: not pruned
  const foreign = 'nightly-orders-db-trapheus-20260104-080000';
  h.sim.addSnapshot({ DBSnapshotIdentifier: foreign, DBInstanceIdentifier: 'orders-db', Tags: tags('OtherStack-Restore'), SnapshotCreateTime: new Date('2026-01-04T08:00:00Z') });

  const result = await h.run(input({ task: 'create_snapshot_only' }));
  expect(result.status).toBe('SUCCEEDED');
  expect(result.output.snapshot.id).toBe('nightly-orders-db-trapheus-20260109-080000');
  expect(result.output.pruned.deleted).toEqual([older]);
  expect(h.sim.snapshot(unprefixed)?.Status).toBe('available');
  expect(h.sim.snapshot(foreign)?.Status).toBe('available');
});

test('db_restore finds the newest prefixed snapshot of this pipeline', async () => {
  h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  await h.run(input({ task: 'create_snapshot_only' }));
  const result = await h.run(input({ task: 'db_restore' }));
  expect(result.status).toBe('SUCCEEDED');
  expect(result.output.snapshot.id).toBe('nightly-orders-db-trapheus-20260109-080000');
});

test('a named snapshot under allowedIdentifiers: created with the pipeline tag (IAM allows any name only with it)', async () => {
  h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  const result = await h.run(input({ task: 'create_snapshot_only', snapshotIdentifier: 'golden-2026' }));
  expect(result.status).toBe('SUCCEEDED');
  expect(h.sim.snapshot('golden-2026')?.TagList).toEqual(tags(h.pipelineId));
});

test('a snapshot of a listed account passes the first state: the pipeline looks for it among the snapshots shared with this account', async () => {
  h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  const result = await h.run(input({ task: 'db_restore', snapshotIdentifier: 'arn:aws:rds:us-east-1:210987654321:snapshot:golden' }));
  expect(result.status).toBe('FAILED');
  // not shared with this account in the simulator: found missing before any change (test/e2e/shared-snapshot-copy.e2e.test.ts copies one)
  expect(result.error).toBe('DBSnapshotNotFoundFault');
  expect(h.sim.calls.map((c) => [c.command, c.input.SnapshotType])).toContainEqual(['DescribeDBSnapshots', 'shared']);
  expect(h.sim.mutatingCalls()).toEqual([]);
});

test('a snapshot of another account not listed: SharedSnapshotNotAllowed, naming the listed ones', async () => {
  h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  const result = await h.run(input({ task: 'db_restore', snapshotIdentifier: 'arn:aws:rds:us-east-1:111122223333:snapshot:golden' }));
  expect(result.error).toBe('SharedSnapshotNotAllowed');
  expect(result.cause).toMatch(/account 111122223333, which this pipeline's sourceAccounts does not list \(210987654321\)/);
  expect(h.sim.calls).toEqual([]);
});
