import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { Harness } from './harness';
import { CLUSTER_ATTRIBUTES, MEMBER_ATTRIBUTES } from '../../lambda-src/rds/cluster-config';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { addCallGate, AwsCall } from '../sim/aws-calls';
import { CLUSTER_KMS_KEY, fullyConfiguredCluster, RESTORABLE, seedCluster } from '../sim/fixtures';

const h = new Harness();
const removeGates: (() => void)[] = [];
beforeEach(() => h.fresh());
afterEach(() => {
  removeGates.splice(0).forEach((remove) => remove());
  h.done();
});

/** The KMS calls RDS makes for the pipeline's functions; those on `refused` keys are refused, as IAM would. */
function kmsCalls(refused: string[] = []): AwsCall[] {
  const seen: AwsCall[] = [];
  removeGates.push(addCallGate((call) => {
    if (call.service !== 'kms') return;
    seen.push(call);
    if (refused.includes(call.input.KeyId)) throw new Error(`AccessDenied: ${call.caller} may not kms:${call.action} ${call.input.KeyId}`);
  }));
  return seen;
}

const input = (task: string) => ({ identifier: 'orders-aurora', task, isCluster: true });
const MEMBERS = ['orders-aurora-1', 'orders-aurora-2', 'orders-aurora-3'];

/** Each kept setting that differs between two descriptions, by name. */
function differences<R>(table: { name: string; read: (r: R) => unknown }[], a: R, b: R): string[] {
  return table.filter((x) => JSON.stringify(x.read(a)) !== JSON.stringify(x.read(b))).map((x) => x.name);
}

function snapshotOf(sim: Harness['sim']) {
  const cluster = sim.cluster('orders-aurora');
  return {
    cluster,
    members: MEMBERS.map((id) => sim.instance(id)),
    writer: sim.writer('orders-aurora'),
  };
}

/** The original cluster and members, identified by resource id, under their own identifiers, available. */
function expectOriginalBack(before: { cluster?: DBCluster; members: (DBInstance | undefined)[]; writer?: string }) {
  const now = snapshotOf(h.sim);
  expect(now.cluster?.DbClusterResourceId).toBe(before.cluster?.DbClusterResourceId);
  expect(now.cluster?.Status).toBe('available');
  expect(now.cluster?.Endpoint).toBe(before.cluster?.Endpoint);
  expect(now.members.map((m) => [m?.DBInstanceIdentifier, m?.DbiResourceId, m?.DBInstanceStatus, m?.DBClusterIdentifier]))
    .toEqual(before.members.map((m) => [m?.DBInstanceIdentifier, m?.DbiResourceId, 'available', 'orders-aurora']));
  expect(now.writer).toBe(before.writer);
  expect(h.sim.clusters().map((c) => c.DBClusterIdentifier)).toEqual(['orders-aurora']);
  expect(h.sim.instances().map((i) => i.DBInstanceIdentifier).sort()).toEqual(MEMBERS);
}

describe('cluster tasks', () => {
  test('create_snapshot_only: a tagged cluster snapshot, waited for; nothing else changes', async () => {
    seedCluster(h.sim);
    const result = await h.run(input('create_snapshot_only'));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Cluster snapshot taken');
    const snapshot = h.sim.clusterSnapshot('orders-aurora-trapheus-20260109-080000')!;
    expect(snapshot.Status).toBe('available');
    expect(snapshot.TagList).toEqual(expect.arrayContaining([{ Key: TAG_SOURCE, Value: 'orders-aurora' }, { Key: TAG_PIPELINE, Value: h.pipelineId }]));
    expect(h.sim.mutatingCalls().map((c) => c.command)).toEqual(['CreateDBClusterSnapshot']);
  });

  test('refresh: the older cluster snapshot is deleted only once the new one is available', async () => {
    seedCluster(h.sim);
    h.sim.addClusterSnapshot({
      DBClusterSnapshotIdentifier: 'orders-aurora-trapheus-20260102-080000',
      DBClusterIdentifier: 'orders-aurora',
      SnapshotCreateTime: new Date('2026-01-02T08:00:00Z'),
      Tags: [{ Key: TAG_SOURCE, Value: 'orders-aurora' }, { Key: TAG_PIPELINE, Value: h.pipelineId }],
    });
    h.sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'orders-aurora-snapshot', DBClusterIdentifier: 'orders-aurora' });
    const result = await h.run(input('create_snapshot_only'));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.pruned.deleted).toEqual(['orders-aurora-trapheus-20260102-080000']);
    const deletion = h.sim.calls.find((c) => c.command === 'DeleteDBClusterSnapshot')!;
    expect(deletion.at).toBeGreaterThanOrEqual(h.sim.durations.clusterSnapshotCreate);
    expect(h.sim.clusterSnapshot('orders-aurora-snapshot')?.Status).toBe('available');
  });

  test('create_snapshot: same identifiers, endpoints and writer; every setting kept; old cluster deleted', async () => {
    const before = seedCluster(h.sim);
    const beforeEndpoints = { writer: before.cluster.Endpoint, reader: before.cluster.ReaderEndpoint };
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.at(-1)).toBe('Cluster restored');

    const cluster = h.sim.cluster('orders-aurora')!;
    expect(cluster.DbClusterResourceId).not.toBe(before.cluster.DbClusterResourceId);
    expect({ writer: cluster.Endpoint, reader: cluster.ReaderEndpoint }).toEqual(beforeEndpoints);
    expect(h.sim.writer('orders-aurora')).toBe('orders-aurora-1');
    expect(differences(CLUSTER_ATTRIBUTES, before.cluster, cluster)).toEqual([]);
    for (const original of before.members) {
      const restored = h.sim.instance(original.DBInstanceIdentifier!)!;
      expect(restored.DbiResourceId).not.toBe(original.DbiResourceId);
      const id = original.DBInstanceIdentifier;
      expect({ id, differs: differences(MEMBER_ATTRIBUTES, original, restored) }).toEqual({ id, differs: [] });
    }
    expect(h.sim.clusters().map((c) => c.DBClusterIdentifier)).toEqual(['orders-aurora']);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier).sort()).toEqual(MEMBERS);
  });

  test('cluster-level settings: the Data API, Database Insights advanced mode, Performance Insights, monitoring, auto-pause', async () => {
    const before = seedCluster(h.sim);
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('SUCCEEDED');
    const carried = (c: DBCluster | undefined) => ({
      HttpEndpointEnabled: c?.HttpEndpointEnabled,
      DatabaseInsightsMode: c?.DatabaseInsightsMode,
      PerformanceInsightsEnabled: c?.PerformanceInsightsEnabled,
      PerformanceInsightsKMSKeyId: c?.PerformanceInsightsKMSKeyId,
      PerformanceInsightsRetentionPeriod: c?.PerformanceInsightsRetentionPeriod,
      MonitoringInterval: c?.MonitoringInterval,
      MonitoringRoleArn: c?.MonitoringRoleArn,
      ServerlessV2ScalingConfiguration: c?.ServerlessV2ScalingConfiguration,
      KmsKeyId: c?.KmsKeyId,
    });
    expect(carried(h.sim.cluster('orders-aurora'))).toEqual(carried(before.cluster));
    expect(carried(before.cluster)).toMatchObject({ HttpEndpointEnabled: true, DatabaseInsightsMode: 'advanced', KmsKeyId: CLUSTER_KMS_KEY });
    // the Data API with its own operation, on the restored cluster's ARN; never ModifyDBCluster's Serverless v1 field
    const dataApi = h.sim.calls.filter((c) => c.command === 'EnableHttpEndpoint');
    expect(dataApi.map((c) => [c.input.ResourceArn, c.error])).toEqual([[h.sim.cluster('orders-aurora')!.DBClusterArn, undefined]]);
    expect(h.sim.calls.filter((c) => c.command === 'ModifyDBCluster' && 'EnableHttpEndpoint' in c.input)).toEqual([]);
  });

  test('a cluster encrypted with a customer-managed key: RDS uses it for the Restore function (snapshot, Performance Insights)', async () => {
    seedCluster(h.sim);
    const calls = kmsCalls();
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('SUCCEEDED');
    // RestoreDBClusterFromSnapshot: the snapshot's key, then the Performance Insights key; each CreateDBInstance: its PI key
    const use = (action: string) => ['RestoreHandlersRestore', 'rds', action, CLUSTER_KMS_KEY];
    expect(calls.map((c) => [c.caller?.replace(/[0-9A-F]{8}$/, ''), c.via, c.action, c.input.KeyId]))
      .toEqual(Array.from({ length: 2 + MEMBERS.length }, () => [use('DescribeKey'), use('CreateGrant')]).flat());
  });

  test('members are created only after the restored cluster is available, the writer first', async () => {
    seedCluster(h.sim);
    await h.run(input('create_snapshot'));
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBClusterFromSnapshot')!;
    const creates = h.sim.calls.filter((c) => c.command === 'CreateDBInstance');
    expect(creates.map((c) => c.input.DBInstanceIdentifier)).toEqual(MEMBERS);
    expect(creates.every((c) => !c.error)).toBe(true);
    expect(creates[0].at).toBeGreaterThanOrEqual(restore.at + h.sim.durations.clusterRestore);
    expect(creates[1].at).toBeGreaterThanOrEqual(creates[0].at + h.sim.durations.memberCreate);
  });

  test('db_restore uses the newest cluster snapshot, falling back to <identifier>-snapshot', async () => {
    seedCluster(h.sim);
    h.sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'orders-aurora-snapshot', DBClusterIdentifier: 'orders-aurora' });
    const result = await h.run(input('db_restore'));
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.calls.find((c) => c.command === 'RestoreDBClusterFromSnapshot')!.input.SnapshotIdentifier).toBe('orders-aurora-snapshot');
  });

  test('Aurora MySQL: the backtrack window is kept', async () => {
    h.sim.addCluster(fullyConfiguredCluster('shop-aurora', {
      Engine: 'aurora-mysql',
      EngineVersion: '8.0.mysql_aurora.3.08.0',
      BacktrackWindow: 86400,
      EnabledCloudwatchLogsExports: ['audit', 'slowquery'],
      DBClusterParameterGroup: 'shop-cluster-mysql8',
      ServerlessV2ScalingConfiguration: undefined,
    }));
    h.sim.addClusterInstance({
      DBInstanceIdentifier: 'shop-aurora-1', DBClusterIdentifier: 'shop-aurora', Engine: 'aurora-mysql', DBInstanceClass: 'db.r6g.large', TagList: [RESTORABLE],
    });
    const result = await h.run({ identifier: 'shop-aurora', task: 'create_snapshot', isCluster: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.cluster('shop-aurora')?.BacktrackWindow).toBe(86400);
  });
});

describe('unsupported cluster kinds are refused before any change', () => {
  test.each([
    ['Aurora Serverless v1', { EngineMode: 'serverless' }, /engine mode serverless/],
    ['a Multi-AZ DB cluster', { Engine: 'postgres', DBClusterInstanceClass: 'db.m6gd.large' }, /Multi-AZ DB cluster/],
  ] as [string, Partial<DBCluster>, RegExp][])('%s', async (_, overrides, why) => {
    h.sim.addCluster(fullyConfiguredCluster('orders-aurora', { ServerlessV2ScalingConfiguration: undefined, ...overrides }));
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('UnsupportedClusterKind');
    expect(result.cause).toMatch(why);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });
});

describe('cluster failures roll back', () => {
  test('a rename that fails partway: the renamed members come back', async () => {
    seedCluster(h.sim);
    const before = snapshotOf(h.sim);
    h.sim.failOn({ command: 'ModifyDBInstance', when: (i) => i.DBInstanceIdentifier === 'orders-aurora-2' && !!i.NewDBInstanceIdentifier, error: 'InvalidDBInstanceStateFault', message: 'Instance is rebooting' });
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidDBInstanceStateFault');
    expect(result.cause).toMatch(/Rolled back: orders-aurora is the original DB cluster again/);
    expectOriginalBack(before);
    const renamedBack = h.sim.calls.filter((c) => c.command === 'ModifyDBInstance' && c.input.NewDBInstanceIdentifier === 'orders-aurora-1');
    expect(renamedBack).toHaveLength(1);
  });

  test('a failed cluster restore: the original cluster and all members come back', async () => {
    seedCluster(h.sim);
    const before = snapshotOf(h.sim);
    h.sim.failOn({ command: 'RestoreDBClusterFromSnapshot', error: 'InsufficientDBClusterCapacityFault', message: 'Not enough capacity' });
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InsufficientDBClusterCapacityFault');
    expect(result.cause).toMatch(/Rolled back/);
    expectOriginalBack(before);
  });

  test('the Restore function may not use the cluster\'s KMS key: KMSKeyNotAccessibleFault naming the key, rolled back', async () => {
    seedCluster(h.sim);
    const before = snapshotOf(h.sim);
    kmsCalls([CLUSTER_KMS_KEY]);
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('KMSKeyNotAccessibleFault');
    expect(result.cause).toContain(`The source snapshot KMS key [${CLUSTER_KMS_KEY}] does not exist, is not enabled or you do not have permissions to access it.`);
    expect(result.cause).toMatch(/Rolled back: orders-aurora is the original DB cluster again/);
    expectOriginalBack(before);
  });

  test('the second member fails to be created: what was created is deleted, the original comes back', async () => {
    seedCluster(h.sim);
    const before = snapshotOf(h.sim);
    h.sim.failOn({ command: 'CreateDBInstance', when: (i) => i.DBInstanceIdentifier === 'orders-aurora-2', error: 'InsufficientDBInstanceCapacityFault', message: 'No db.r6g.xlarge capacity in us-east-1b' });
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InsufficientDBInstanceCapacityFault');
    expect(result.cause).toMatch(/No db\.r6g\.xlarge capacity.*Rolled back: orders-aurora is the original DB cluster again/);
    expectOriginalBack(before);
    const deleted = h.sim.calls.filter((c) => (c.command === 'DeleteDBInstance' || c.command === 'DeleteDBCluster') && !c.error).map((c) => c.input.DBInstanceIdentifier ?? `cluster ${c.input.DBClusterIdentifier}`);
    expect(deleted).toEqual(['orders-aurora-1', 'cluster orders-aurora']);
  });
});
