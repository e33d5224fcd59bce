/**
 * The DB instance pipeline against the RDS behaviours issue 8 found it got
 * wrong: statuses that never clear or last past maxWait, changes that RDS shows
 * as pending before it applies them, final snapshots of a backing-up DB, and
 * the rules of SQL Server.
 */
import { ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { Harness, identity } from './harness';
import { OldDatabasePolicy } from '../../src';
import { fullyConfiguredInstance, RESTORABLE } from '../sim/fixtures';

const h = new Harness();
const withFinalSnapshot = new Harness({ oldDatabase: OldDatabasePolicy.snapshotThenDelete() });
afterEach(() => {
  h.done();
  withFinalSnapshot.done();
});

const input = (task = 'create_snapshot') => ({ identifier: 'orders-db', task, isCluster: false });
const TEMP = 'orders-db-trapheus-old';

describe('statuses', () => {
  test('insufficient-capacity does not clear by itself: the restored instance is deleted and the original is back at once, not after maxWait', async () => {
    h.fresh();
    const before = identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')));
    h.sim.stickNext('orders-db', 'insufficient-capacity');
    const result = await h.run(input());
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DBInstanceFailed');
    expect(result.cause).toMatch(/restored instance orders-db entered status insufficient-capacity, which it will not leave by itself: RDS has no capacity/);
    expect(result.cause).toMatch(/Rolled back: orders-db is the original DB instance again/);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    // failed at the first check after the restore, not after the 6-hour maxWait
    const restoredChecks = result.timeline.filter((e) => e.state === 'Check restored instance');
    expect(restoredChecks).toHaveLength(1);
    expect(result.seconds).toBeLessThan(2 * 3600);
  });

  test('SQL Server grown since its snapshot: restored without AllocatedStorage, grown after, and a storage-optimization past maxWait does not fail it', async () => {
    // "can sometimes take up to and even beyond 24 hours" (RDS User Guide): longer than the 6-hour maxWait
    h.fresh({ storageOptimization: 30 * 3600 });
    h.sim.addInstance({
      DBInstanceIdentifier: 'orders-db',
      Engine: 'sqlserver-se',
      DBInstanceClass: 'db.m5.xlarge',
      StorageType: 'gp3',
      AllocatedStorage: 200,
      Iops: 6000,
      StorageThroughput: 250,
      Tags: [RESTORABLE],
    });
    h.sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snapshot', DBInstanceIdentifier: 'orders-db' });
    // the original grew after the snapshot, and its storage optimization is over
    const rds = new RDSClient({ region: 'us-east-1' });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'orders-db', AllocatedStorage: 300, Iops: 9000, ApplyImmediately: true }));
    h.sim.clock.advance(h.sim.durations.modifyPending + h.sim.durations.modify + 30 * 3600);
    const before = h.sim.instance('orders-db')!;
    expect(before).toMatchObject({ DBInstanceStatus: 'available', AllocatedStorage: 300, Iops: 9000 });

    const result = await h.run(input('db_restore'));
    expect(result.status).toBe('SUCCEEDED');
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(restore.input).not.toHaveProperty('AllocatedStorage');
    expect(restore.input).not.toHaveProperty('EngineLifecycleSupport');
    expect(restore.input).toMatchObject({ StorageType: 'gp3', Iops: 9000, StorageThroughput: 250 });
    const grow = h.sim.calls.find((c) => c.command === 'ModifyDBInstance' && c.input.AllocatedStorage !== undefined && c.at > restore.at)!;
    expect(grow.input).toMatchObject({ DBInstanceIdentifier: 'orders-db', AllocatedStorage: 300, Iops: 9000, ApplyImmediately: true });
    expect(h.sim.instance('orders-db')).toMatchObject({ DBInstanceStatus: 'storage-optimization', AllocatedStorage: 300, Iops: 9000 });
    expect(h.sim.instance(TEMP)).toBeUndefined();
    expect(h.sim.calls.filter((c) => c.command === 'DeleteDBInstance' && !c.error).map((c) => c.input.DBInstanceIdentifier)).toEqual([TEMP]);
  });
});

describe('an original in storage-optimization', () => {
  // "fully operational" and "can sometimes take up to and even beyond 24 hours" (RDS User Guide, "Viewing
  // Amazon RDS DB instance status"); CreateDBSnapshot accepts it (API_CreateDBSnapshot).
  test('create_snapshot_only takes its snapshot while it optimizes', async () => {
    h.fresh({ storageOptimization: 30 * 3600 });
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const rds = new RDSClient({ region: 'us-east-1' });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'orders-db', AllocatedStorage: 600, Iops: 12000, ApplyImmediately: true }));
    h.sim.clock.advance(h.sim.durations.modifyPending + h.sim.durations.modify + 60);
    expect(h.sim.instance('orders-db')).toMatchObject({ DBInstanceStatus: 'storage-optimization', AllocatedStorage: 600 });

    const result = await h.run(input('create_snapshot_only'));
    expect({ status: result.status, error: result.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    const taken = h.sim.calls.filter((c) => c.command === 'CreateDBSnapshot');
    expect(taken.map((c) => c.error)).toEqual([undefined]);
    expect(h.sim.snapshot(taken[0].input.DBSnapshotIdentifier)).toMatchObject({ Status: 'available', AllocatedStorage: 600 });
  });
});

describe('pending modifications', () => {
  test('a change RDS first shows as pending while still available is waited for, not verified too early', async () => {
    h.fresh();
    // the restore gets RDS's default retention (1 day); taking it back to 0 is a pending change
    h.sim.addInstance(fullyConfiguredInstance('orders-db', { BackupRetentionPeriod: 0 }));
    const result = await h.run(input());
    expect(result.status).toBe('SUCCEEDED');
    const apply = h.sim.calls.find((c) => c.command === 'ModifyDBInstance' && c.input.BackupRetentionPeriod === 0)!;
    const checks = result.timeline.filter((e) => e.state === 'Check restored settings');
    // the first check landed in the gap, while RDS still showed the change as pending
    expect(checks[0].at - apply.at).toBeLessThan(h.sim.durations.modifyPending);
    expect(checks.length).toBeGreaterThan(1);
    expect(h.sim.instance('orders-db')).toMatchObject({ BackupRetentionPeriod: 0, PendingModifiedValues: {} });
  });
});

describe('a final snapshot of a backing-up old instance', () => {
  const backUpWhen = (command: string, match: (i: any) => boolean, seconds: number) => {
    let started = false;
    withFinalSnapshot.sim.failOn({
      command,
      // RDS starts an automated backup of the old instance (its backup window) just as this call lands
      when: (i) => {
        if (!started && match(i)) {
          started = true;
          withFinalSnapshot.sim.backUp(TEMP, seconds);
        }
        return false;
      },
      error: 'unused',
    });
  };

  test('backing up while the restore is verified: the deletion waits for it to be available, then takes the final snapshot', async () => {
    withFinalSnapshot.fresh();
    withFinalSnapshot.sim.addInstance(fullyConfiguredInstance('orders-db'));
    backUpWhen('ModifyDBInstance', (i) => i.DBInstanceIdentifier === 'orders-db' && !i.NewDBInstanceIdentifier, 2 * 3600);
    const result = await withFinalSnapshot.run(input());
    expect(result.status).toBe('SUCCEEDED');
    const deletion = withFinalSnapshot.sim.calls.find((c) => c.command === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === TEMP)!;
    expect(deletion.error).toBeUndefined();
    expect(deletion.input.FinalDBSnapshotIdentifier).toBe('orders-db-trapheus-final-20260109-080000');
    expect(withFinalSnapshot.sim.snapshot('orders-db-trapheus-final-20260109-080000')?.Status).toBe('available');
  });

  test('backing up just as the deletion is asked: RDS refuses the final snapshot, and the deletion is retried until it is available', async () => {
    withFinalSnapshot.fresh();
    withFinalSnapshot.sim.addInstance(fullyConfiguredInstance('orders-db'));
    backUpWhen('DeleteDBInstance', (i) => i.DBInstanceIdentifier === TEMP, 600);
    const result = await withFinalSnapshot.run(input());
    expect(result.status).toBe('SUCCEEDED');
    const deletions = withFinalSnapshot.sim.calls.filter((c) => c.command === 'DeleteDBInstance' && c.input.DBInstanceIdentifier === TEMP);
    expect(deletions[0].error).toBe('InvalidDBInstanceStateFault');
    expect(deletions.at(-1)!.error).toBeUndefined();
    expect(result.timeline.filter((e) => e.type === 'Retry' && e.state === 'Delete the old instance').length).toBeGreaterThan(0);
    expect(withFinalSnapshot.sim.snapshot('orders-db-trapheus-final-20260109-080000')?.Status).toBe('available');
  });
});
