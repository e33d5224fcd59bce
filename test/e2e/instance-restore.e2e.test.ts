import { Harness } from './harness';
import { INSTANCE_ATTRIBUTES } from '../../lambda-src/rds/instance-config';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { fullyConfiguredInstance, seedPipelineSnapshot } from '../sim/fixtures';

const h = new Harness();
beforeEach(() => h.fresh());
afterEach(() => h.done());

const input = (task: string) => ({ identifier: 'orders-db', task, isCluster: false });

describe('create_snapshot_only', () => {
  test('makes a tagged snapshot, waits until it is available, touches nothing else', async () => {
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run(input('create_snapshot_only'));
    expect(result.status).toBe('SUCCEEDED');
    const snapshot = h.sim.snapshot('orders-db-trapheus-20260109-080000')!;
    expect(snapshot.Status).toBe('available');
    expect(snapshot.TagList).toEqual(expect.arrayContaining([
      { Key: TAG_SOURCE, Value: 'orders-db' }, { Key: TAG_PIPELINE, Value: h.pipelineId },
    ]));
    // waited for the snapshot: the execution did not end before it was available
    expect(result.seconds).toBeGreaterThanOrEqual(h.sim.durations.snapshotCreate);
    expect(result.output.snapshot.id).toBe('orders-db-trapheus-20260109-080000');
    expect(h.sim.mutatingCalls().map((c) => c.command)).toEqual(['CreateDBSnapshot']);
    expect(h.sim.instance('orders-db')!.DbiResourceId).toBe(before.DbiResourceId);
    expect(result.path).toContain('Snapshot taken');
  });

  test('refresh: the older pipeline snapshot is deleted only after the new one is available; others are kept', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const older = seedPipelineSnapshot(h.sim, 'orders-db', h.pipelineId, '2026-01-02T08:00:00Z');
    const otherPipeline = seedPipelineSnapshot(h.sim, 'orders-db', 'SomeOtherStack-Restore', '2026-01-03T08:00:00Z');
    h.sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db' });
    h.sim.addSnapshot({ DBSnapshotIdentifier: 'manual-keep', DBInstanceIdentifier: 'orders-db' });

    const result = await h.run(input('create_snapshot_only'));
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.snapshot(older.DBSnapshotIdentifier!)?.Status).toBe('deleting');
    h.sim.clock.advance(h.sim.durations.snapshotDelete);
    expect(h.sim.snapshot(older.DBSnapshotIdentifier!)).toBeUndefined();
    expect(result.output.pruned.deleted).toEqual([older.DBSnapshotIdentifier]);
    expect(h.sim.snapshots().map((s) => s.DBSnapshotIdentifier).sort()).toEqual([
      'manual-keep', 'orders-db-snapshot', 'orders-db-trapheus-20260109-080000', otherPipeline.DBSnapshotIdentifier,
    ].sort());
    const calls = h.sim.mutatingCalls();
    const deleted = calls.find((c) => c.command === 'DeleteDBSnapshot')!;
    const createdAvailableAt = h.sim.durations.snapshotCreate;
    expect(deleted.at).toBeGreaterThanOrEqual(createdAvailableAt);
  });
});

describe('create_snapshot', () => {
  test('snapshots, renames, restores under the same identifier and endpoint, then deletes the old instance', async () => {
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    seedPipelineSnapshot(h.sim, 'orders-db', h.pipelineId, '2026-01-02T08:00:00Z');
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.at(-1)).toBe('Restored');

    const after = h.sim.instance('orders-db')!;
    expect(after.DBInstanceStatus).toBe('available');
    expect(after.DbiResourceId).not.toBe(before.DbiResourceId);
    expect(after.Endpoint?.Address).toBe(before.Endpoint?.Address);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
    expect(h.sim.snapshots().map((s) => s.DBSnapshotIdentifier)).toEqual(['orders-db-trapheus-20260109-080000']);

    const order = h.sim.mutatingCalls().map((c) => c.command + (c.input.NewDBInstanceIdentifier ? ' (rename)' : ''));
    expect(order).toEqual([
      'CreateDBSnapshot', 'DeleteDBSnapshot', 'ModifyDBInstance (rename)', 'RestoreDBInstanceFromDBSnapshot',
      'ModifyDBInstance', 'ModifyDBInstance', 'DeleteDBInstance',
    ]);
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(restore.input).toMatchObject({ DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'orders-db-trapheus-20260109-080000' });
    const deletion = h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!;
    expect(deletion.input).toEqual({ DBInstanceIdentifier: 'orders-db-trapheus-old', SkipFinalSnapshot: true, DeleteAutomatedBackups: false });
  });

  test('deletion protection of the original does not block the pipeline, and stays on the restored instance', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db', { DeletionProtection: true }));
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('SUCCEEDED');
    const unprotect = h.sim.calls.find((c) => c.command === 'ModifyDBInstance' && c.input.DeletionProtection === false)!;
    expect(unprotect.input.DBInstanceIdentifier).toBe('orders-db-trapheus-old');
    expect(h.sim.instance('orders-db')!.DeletionProtection).toBe(true);
  });

  test('the endpoint is down only between the rename and the restored instance serving', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    await h.run(input('create_snapshot'));
    const [down, ...more] = h.sim.endpointDowntime('orders-db');
    expect(more).toEqual([]);
    const rename = h.sim.calls.find((c) => c.input.NewDBInstanceIdentifier)!;
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(down.from).toBe(rename.at + h.sim.durations.renamePending);
    expect(down.to).toBe(restore.at + h.sim.durations.restore);
  });
});

describe('db_restore', () => {
  test('restores from the newest available snapshot this pipeline made', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    seedPipelineSnapshot(h.sim, 'orders-db', h.pipelineId, '2026-01-02T08:00:00Z');
    const newest = seedPipelineSnapshot(h.sim, 'orders-db', h.pipelineId, '2026-01-05T08:00:00Z');
    h.sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db', SnapshotCreateTime: new Date('2026-01-08T00:00:00Z') });
    const result = await h.run(input('db_restore'));
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!.input.DBSnapshotIdentifier).toBe(newest.DBSnapshotIdentifier);
    expect(h.sim.mutatingCalls().map((c) => c.command)).not.toContain('CreateDBSnapshot');
    expect(h.sim.snapshots()).toHaveLength(3);
  });

  test('falls back to <identifier>-snapshot, the original tool\'s name', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    h.sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db' });
    const result = await h.run(input('db_restore'));
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!.input.DBSnapshotIdentifier).toBe('orders-db-snapshot');
  });
});

describe('configuration retention', () => {
  const kept = (a: any, b: any) => INSTANCE_ATTRIBUTES.filter((x) => JSON.stringify(x.read(a)) !== JSON.stringify(x.read(b))).map((x) => x.name);

  test.each([
    ['Multi-AZ', {}],
    ['Single-AZ in a chosen zone', { MultiAZ: false, AvailabilityZone: 'us-east-1c' }],
    ['io1 with provisioned IOPS', { StorageType: 'io1', Iops: 20000, StorageThroughput: undefined, AllocatedStorage: 800 }],
  ])('%s: every setting in the table comes back the same', async (_, overrides) => {
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db', overrides));
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('SUCCEEDED');
    const after = h.sim.instance('orders-db')!;
    expect(kept(before, after)).toEqual([]);
    // and the raw values a user would look at
    for (const field of ['DBInstanceClass', 'MultiAZ', 'AvailabilityZone', 'PubliclyAccessible', 'StorageType', 'Iops', 'StorageThroughput',
      'AllocatedStorage', 'MaxAllocatedStorage', 'CopyTagsToSnapshot', 'DeletionProtection', 'IAMDatabaseAuthenticationEnabled',
      'AutoMinorVersionUpgrade', 'CACertificateIdentifier', 'BackupRetentionPeriod', 'PreferredBackupWindow', 'PreferredMaintenanceWindow',
      'MonitoringInterval', 'MonitoringRoleArn', 'PerformanceInsightsEnabled', 'PerformanceInsightsKMSKeyId',
      'PerformanceInsightsRetentionPeriod', 'NetworkType', 'DatabaseInsightsMode'] as const) {
      if (field === 'AvailabilityZone' && before.MultiAZ) continue; // RDS places the primary of a Multi-AZ instance
      expect({ field, value: after[field] }).toEqual({ field, value: before[field] });
    }
    expect(after.Endpoint?.Port).toBe(6543);
    expect(after.DBParameterGroups?.[0].DBParameterGroupName).toBe('orders-pg16');
    expect(after.OptionGroupMemberships?.[0].OptionGroupName).toBe('orders-options');
    expect(after.DBSubnetGroup?.DBSubnetGroupName).toBe('orders-private');
    expect(after.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId).sort()).toEqual(['sg-0aaa1111', 'sg-0bbb2222']);
    expect(after.TagList).toEqual(expect.arrayContaining(before.TagList!));
    expect(after.EnabledCloudwatchLogsExports?.sort()).toEqual(['postgresql', 'upgrade']);
    expect(after.DomainMemberships?.[0]).toMatchObject({ Domain: 'd-9067a1b2c3', IAMRoleName: 'rds-directory-access' });
  });

  test('only what differs after the restore is modified', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    await h.run(input('create_snapshot'));
    const modify = h.sim.calls.filter((c) => c.command === 'ModifyDBInstance' && !c.input.NewDBInstanceIdentifier && c.input.DBInstanceIdentifier === 'orders-db');
    expect(modify).toHaveLength(1);
    expect(Object.keys(modify[0].input).sort()).toEqual([
      'ApplyImmediately', 'BackupRetentionPeriod', 'DBInstanceIdentifier', 'DatabaseInsightsMode', 'DeletionProtection', 'EnablePerformanceInsights', 'MaxAllocatedStorage',
      'MonitoringInterval', 'MonitoringRoleArn', 'PerformanceInsightsKMSKeyId', 'PerformanceInsightsRetentionPeriod', 'PreferredBackupWindow',
      'PreferredMaintenanceWindow',
    ].sort());
  });
});

describe('long restores', () => {
  test('a 3-hour restore succeeds with the default polling, in few transitions', async () => {
    h.fresh({ restore: 3 * 3600 });
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run(input('create_snapshot'));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.seconds).toBeGreaterThan(3 * 3600);
    // the sleeps the checks ask for (a Wait state, or from 2 minutes a callback sleep that an RDS event may end)
    const restoredWait = result.checks.filter((c) => c.payload.subject === 'restored instance');
    // back-off: 30 s growing by 1.5 up to 5 min, so a 3-hour wait takes a few dozen polls, not hundreds
    expect(restoredWait.length).toBeLessThan(45);
    expect(Math.max(...restoredWait.map((c) => c.result.interval))).toBe(300);
    expect(result.historyEvents).toBeLessThan(1000);
  });
});
