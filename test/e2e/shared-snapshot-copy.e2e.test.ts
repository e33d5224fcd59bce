import * as kms from 'aws-cdk-lib/aws-kms';
import { Harness, identity } from './harness';
import { TAG_COPY_OF } from '../../lambda-src/rds/copies';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { COPY_KMS_KEY, fullyConfiguredInstance, seedCluster, seedSharedGolden, SOURCE_ACCOUNT, SOURCE_KMS_KEY } from '../sim/fixtures';

/**
 * db_restore from a snapshot shared from another account (issue 9): copied
 * into this account (re-encrypted with copyKey) and verified before the
 * original is touched, restored from the copy, the copy deleted at the end (or
 * kept); for DB instances and Aurora clusters, every call IAM-checked.
 */
const withKey = new Harness((stack) => ({ sourceAccounts: [SOURCE_ACCOUNT], copyKey: kms.Key.fromKeyArn(stack, 'CopyKey', COPY_KMS_KEY) }));
const keeping = new Harness({ sourceAccounts: [SOURCE_ACCOUNT], keepSnapshotCopies: true });
let h = withKey;
afterEach(() => h.done());

const COPY = 'orders-db-trapheus-copy-20260109-080000';
const CLUSTER_COPY = 'orders-aurora-trapheus-copy-20260109-080000';
const instance = (snapshotIdentifier: string) => ({ identifier: 'orders-db', task: 'db_restore', isCluster: false, snapshotIdentifier });
const cluster = (snapshotIdentifier: string) => ({ identifier: 'orders-aurora', task: 'db_restore', isCluster: true, snapshotIdentifier });
const commands = () => h.sim.mutatingCalls().map((c) => c.command);

function use(harness: Harness) {
  h = harness;
  h.fresh();
}

describe('DB instance', () => {
  test('an encrypted shared snapshot: copied with copyKey before the rename, restored from the copy, the copy deleted', async () => {
    use(withKey);
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const golden = seedSharedGolden(h.sim, { from: 'orders-db' });
    const result = await h.run(instance(golden));
    expect(result.status).toBe('SUCCEEDED');
    const copy = h.sim.calls.find((c) => c.command === 'CopyDBSnapshot')!;
    expect(copy.input).toMatchObject({ SourceDBSnapshotIdentifier: golden, TargetDBSnapshotIdentifier: COPY, KmsKeyId: COPY_KMS_KEY });
    expect(copy.input.Tags).toEqual(expect.arrayContaining([{ Key: TAG_PIPELINE, Value: h.pipelineId }, { Key: TAG_SOURCE, Value: 'orders-db' }, { Key: TAG_COPY_OF, Value: golden }]));
    // made and available before the original is touched
    const order = commands();
    expect(order.indexOf('CopyDBSnapshot')).toBeLessThan(order.indexOf('ModifyDBInstance'));
    const copyReady = h.sim.calls.findIndex((c) => c.command === 'DescribeDBSnapshots' && c.input.DBSnapshotIdentifier === COPY);
    expect(copyReady).toBeLessThan(h.sim.calls.findIndex((c) => c.command === 'ModifyDBInstance'));
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(restore.input.DBSnapshotIdentifier).toBe(COPY);
    expect(h.sim.instance('orders-db')!.DbiResourceId).not.toBe(before.DbiResourceId);
    expect(h.sim.instance('orders-db')!.KmsKeyId).toBe(COPY_KMS_KEY);
    expect(result.output.deletedCopies).toEqual({ deleted: [COPY] });
    expect(order.filter((c) => c === 'DeleteDBSnapshot')).toHaveLength(1);
    expect(h.sim.snapshot(COPY)?.Status ?? 'gone').not.toBe('available');
  });

  test('a run that fails after the copy leaves it and names it; the next successful restore from a shared snapshot deletes it', async () => {
    use(withKey);
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const golden = seedSharedGolden(h.sim, { from: 'orders-db' });
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault', times: 1 });
    const failed = await h.run(instance(golden));
    expect(failed.status).toBe('FAILED');
    expect(failed.cause).toMatch(new RegExp(`Rolled back: .* The copy ${COPY} of the shared snapshot ${golden} is left in this account: `
      + 'the next successful db_restore from a shared snapshot deletes it'));
    expect(h.sim.snapshot(COPY)?.Status).toBe('available');
    const result = await h.run(instance(golden));
    expect(result.status).toBe('SUCCEEDED');
    const second = h.sim.calls.filter((c) => c.command === 'CopyDBSnapshot').map((c) => c.input.TargetDBSnapshotIdentifier);
    expect(second).toHaveLength(2);
    expect(second[1]).not.toBe(COPY);
    expect([...result.output.deletedCopies.deleted].sort()).toEqual([COPY, second[1]].sort());
    for (const copy of second) expect(h.sim.snapshot(copy)?.Status ?? 'gone').not.toBe('available');
  });

  test('keepSnapshotCopies: the copy stays, tagged as this pipeline\'s copy', async () => {
    use(keeping);
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const golden = seedSharedGolden(h.sim, { from: 'orders-db', encrypted: false });
    const result = await h.run(instance(golden));
    expect(result.status).toBe('SUCCEEDED');
    // an unencrypted shared snapshot is copied without a key: the copy stays unencrypted
    expect(h.sim.calls.find((c) => c.command === 'CopyDBSnapshot')!.input.KmsKeyId).toBeUndefined();
    const kept = h.sim.snapshot(COPY)!;
    expect(kept.Status).toBe('available');
    expect(kept.Encrypted).toBe(false);
    expect(kept.TagList).toEqual(expect.arrayContaining([{ Key: TAG_PIPELINE, Value: h.pipelineId }, { Key: TAG_COPY_OF, Value: golden }]));
    expect(commands()).not.toContain('DeleteDBSnapshot');
  });

  test('the source key does not allow this account: SharedSnapshotKeyNotAccessible, the original untouched', async () => {
    use(withKey);
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const before = identity(h.sim.instance('orders-db'));
    const golden = seedSharedGolden(h.sim, { from: 'orders-db', keyAllowsThisAccount: false });
    const result = await h.run(instance(golden));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SharedSnapshotKeyNotAccessible');
    expect(result.cause).toMatch(new RegExp(`${SOURCE_KMS_KEY}.*key policy must allow this account.*The original database was not touched`));
    expect(commands()).toEqual(['CopyDBSnapshot']);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(h.sim.snapshot(COPY)).toBeUndefined();
  });

  test('an encrypted shared snapshot without copyKey: CopyKeyMissing before any change', async () => {
    use(keeping);
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const golden = seedSharedGolden(h.sim, { from: 'orders-db' });
    const result = await h.run(instance(golden));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CopyKeyMissing');
    expect(result.cause).toMatch(/is encrypted .* Set the copyKey prop/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('a snapshot of a listed account that is not shared with this one: DBSnapshotNotFoundFault, nothing changed', async () => {
    use(withKey);
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const golden = seedSharedGolden(h.sim, { from: 'orders-db', sharedWithThisAccount: false });
    const result = await h.run(instance(golden));
    expect(result.error).toBe('DBSnapshotNotFoundFault');
    expect(result.cause).toMatch(/is not shared with this account: in its account, share it with this one \(ModifyDBSnapshotAttribute/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('an account not in sourceAccounts: refused by the first state, no RDS call', async () => {
    use(withKey);
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run(instance('arn:aws:rds:us-east-1:111122223333:snapshot:golden'));
    expect(result.error).toBe('SharedSnapshotNotAllowed');
    expect(h.sim.calls).toEqual([]);
  });
});

describe('Aurora cluster', () => {
  test('an encrypted shared cluster snapshot: copied with copyKey before the renames, restored from the copy, the copy deleted', async () => {
    use(withKey);
    seedCluster(h.sim, 'orders-aurora');
    const golden = seedSharedGolden(h.sim, { from: 'orders-aurora', isCluster: true });
    const result = await h.run(cluster(golden));
    expect(result.status).toBe('SUCCEEDED');
    const copy = h.sim.calls.find((c) => c.command === 'CopyDBClusterSnapshot')!;
    expect(copy.input).toMatchObject({
      SourceDBClusterSnapshotIdentifier: golden, TargetDBClusterSnapshotIdentifier: CLUSTER_COPY, KmsKeyId: COPY_KMS_KEY,
    });
    const order = commands();
    expect(order.indexOf('CopyDBClusterSnapshot')).toBeLessThan(order.indexOf('ModifyDBInstance'));
    expect(h.sim.calls.find((c) => c.command === 'RestoreDBClusterFromSnapshot')!.input.SnapshotIdentifier).toBe(CLUSTER_COPY);
    expect(h.sim.cluster('orders-aurora')!.KmsKeyId).toBe(COPY_KMS_KEY);
    expect(result.output.deletedCopies).toEqual({ deleted: [CLUSTER_COPY] });
    expect(h.sim.clusterSnapshot(CLUSTER_COPY)?.Status ?? 'gone').not.toBe('available');
  });

  test('the source key does not allow this account: the original cluster and its members untouched', async () => {
    use(withKey);
    seedCluster(h.sim, 'orders-aurora');
    const golden = seedSharedGolden(h.sim, { from: 'orders-aurora', isCluster: true, keyAllowsThisAccount: false });
    const result = await h.run(cluster(golden));
    expect(result.error).toBe('SharedSnapshotKeyNotAccessible');
    expect(commands()).toEqual(['CopyDBClusterSnapshot']);
    expect(h.sim.cluster('orders-aurora')?.Status).toBe('available');
  });

  test('keepSnapshotCopies: the cluster snapshot copy stays', async () => {
    use(keeping);
    seedCluster(h.sim, 'orders-aurora');
    const golden = seedSharedGolden(h.sim, { from: 'orders-aurora', isCluster: true, encrypted: false });
    const result = await h.run(cluster(golden));
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.calls.find((c) => c.command === 'CopyDBClusterSnapshot')!.input.KmsKeyId).toBeUndefined();
    expect(h.sim.clusterSnapshot(CLUSTER_COPY)?.Status).toBe('available');
  });
});
