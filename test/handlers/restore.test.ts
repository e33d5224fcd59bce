import { captureInstanceConfig, InstanceConfig, restoreParams } from '../../lambda-src/rds/instance-config';
import type { Job, RestoredRef } from '../../lambda-src/rds/job';
import { handler as rename } from '../../lambda-src/rename.lambda';
import { handler } from '../../lambda-src/restore.lambda';
import { fullyConfiguredInstance } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

const SNAPSHOT = 'orders-db-trapheus-20260109-080000';
const TEMP = 'orders-db-trapheus-old';

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => sim.uninstall());

interface Original { resourceId: string; config: InstanceConfig }

/** The fully configured original with a snapshot; `moved`: renamed out of the way (the rename is under way). */
async function seedOriginal(moved: 'renamed' | 'pending' | 'no'): Promise<Original> {
  const db = sim.addInstance(fullyConfiguredInstance('orders-db'));
  sim.addSnapshot({ DBSnapshotIdentifier: SNAPSHOT, DBInstanceIdentifier: 'orders-db' });
  const original = { resourceId: db.DbiResourceId!, config: captureInstanceConfig(db) };
  if (moved !== 'no') await rename({ op: 'forward', identifier: 'orders-db', resourceId: original.resourceId });
  if (moved === 'renamed') sim.clock.advance(sim.durations.renamePending + 1);
  sim.calls.splice(0);
  return original;
}

/** The job as the state machine has it when it restores: captured, snapshot found, renamed out of the way. */
function jobOf(o: Original, snapshotId: string, identifier = 'orders-db', staging?: string): Job {
  return {
    identifier,
    task: 'db_restore',
    isCluster: false,
    original: { resourceId: o.resourceId, engine: String(o.config.engine), config: o.config, ...(staging ? { staging } : {}) },
    snapshot: { id: snapshotId, created: false },
    temp: { identifier: `${identifier}-trapheus-old` },
  };
}

const restore = (o: Original, snapshotId = SNAPSHOT) => handler({ op: 'instance', job: jobOf(o, snapshotId) });

describe('restore', () => {
  test('restores the snapshot under the original identifier with the captured configuration', async () => {
    const original = await seedOriginal('renamed');
    const out = await restore(original) as RestoredRef;

    const restored = sim.instance('orders-db')!;
    expect(out).toEqual({ resourceId: restored.DbiResourceId });
    expect(out.resourceId).not.toBe(original.resourceId);
    expect(restored.DBInstanceStatus).toBe('creating');

    const calls = sim.mutatingCalls();
    expect(calls.map((c) => c.command)).toEqual(['RestoreDBInstanceFromDBSnapshot']);
    const input = calls[0].input;
    expect(input).toMatchObject({
      DBInstanceIdentifier: 'orders-db',
      DBSnapshotIdentifier: SNAPSHOT,
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: true,
      DBSubnetGroupName: 'orders-private',
      VpcSecurityGroupIds: ['sg-0aaa1111', 'sg-0bbb2222'],
      PubliclyAccessible: true,
      DBParameterGroupName: 'orders-pg16',
      OptionGroupName: 'orders-options',
      Port: 6543,
      StorageType: 'gp3',
      AllocatedStorage: 500,
      Iops: 12000,
      StorageThroughput: 500,
      Tags: [{ Key: 'env', Value: 'perf' }, { Key: 'team', Value: 'orders' }, { Key: 'trapheus:restorable', Value: 'true' }],
      CopyTagsToSnapshot: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      AutoMinorVersionUpgrade: false,
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      NetworkType: 'DUAL',
      EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
      Domain: 'd-9067a1b2c3',
      DomainIAMRoleName: 'rds-directory-access',
    });
    // Exactly the restore-time parameters plus the two identifiers: nothing else.
    expect(input).toEqual({ ...restoreParams(original.config), DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: SNAPSHOT });
    // Multi-AZ: RDS picks the AZ. Modify-time settings (deletion protection first of all) wait for apply-config.
    for (const absent of ['AvailabilityZone', 'DeletionProtection', 'BackupRetentionPeriod', 'MonitoringInterval', 'MaxAllocatedStorage', 'EnablePerformanceInsights']) {
      expect(input).not.toHaveProperty(absent);
    }

    expect(restored).toMatchObject({
      DBInstanceClass: 'db.r6g.large',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa1111' }, { VpcSecurityGroupId: 'sg-0bbb2222' }],
      TagList: [{ Key: 'env', Value: 'perf' }, { Key: 'team', Value: 'orders' }, { Key: 'trapheus:restorable', Value: 'true' }],
      DeletionProtection: false,
    });
    // The original is untouched, under its temporary identifier.
    expect(sim.instance(TEMP)?.DbiResourceId).toBe(original.resourceId);
  });

  test('staged-instance (cutover RESTORE_THEN_SWAP): the same restore under the staging identifier, while the original keeps its own', async () => {
    const original = await seedOriginal('no');
    const out = await handler({ op: 'staged-instance', job: jobOf(original, SNAPSHOT, 'orders-db', 'orders-db-trapheus-new') }) as RestoredRef;
    expect(sim.instance('orders-db-trapheus-new')).toMatchObject({ DbiResourceId: out.resourceId, DBInstanceStatus: 'creating' });
    expect(sim.mutatingCalls()[0].input).toEqual({ ...restoreParams(original.config), DBInstanceIdentifier: 'orders-db-trapheus-new', DBSnapshotIdentifier: SNAPSHOT });
    expect(sim.instance('orders-db')?.DbiResourceId).toBe(original.resourceId);
  });

  test('a job without its staging identifier is refused, naming what is missing', async () => {
    const original = await seedOriginal('no');
    await expect(handler({ op: 'staged-instance', job: jobOf(original, SNAPSHOT) })).rejects.toMatchObject({
      name: 'InvalidJob',
      message: 'The job for orders-db has no staging identifier (cutover RESTORE_THEN_SWAP).',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('a Single-AZ original keeps its availability zone', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'small-db', Engine: 'mysql', AvailabilityZone: 'us-east-1c', DBInstanceClass: 'db.t3.small' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'small-db-snapshot', DBInstanceIdentifier: 'small-db' });
    await rename({ op: 'forward', identifier: 'small-db', resourceId: db.DbiResourceId! });
    sim.clock.advance(sim.durations.renamePending + 1);
    sim.calls.splice(0);
    await handler({ op: 'instance', job: jobOf({ resourceId: db.DbiResourceId!, config: captureInstanceConfig(db) }, 'small-db-snapshot', 'small-db') });
    expect(sim.mutatingCalls()[0].input).toMatchObject({ AvailabilityZone: 'us-east-1c', MultiAZ: false, DBInstanceClass: 'db.t3.small', Port: 3306 });
    expect(sim.instance('small-db')?.AvailabilityZone).toBe('us-east-1c');
  });

  test.each(['no', 'pending'] as const)('the original still holds the identifier (rename: %s): DBInstanceAlreadyExistsFault', async (moved) => {
    const original = await seedOriginal(moved);
    await expect(restore(original)).rejects.toMatchObject({
      name: 'DBInstanceAlreadyExistsFault',
      message: 'The original DB instance still holds orders-db: the rename has not taken effect.',
    });
    expect(sim.instances()).toHaveLength(1);
    expect(sim.instance('orders-db')?.DbiResourceId).toBe(original.resourceId);
  });

  test('a retry adopts the DB its first attempt started creating', async () => {
    const original = await seedOriginal('renamed');
    const first = await restore(original) as RestoredRef;
    sim.clock.advance(30);
    await expect(restore(original)).resolves.toEqual(first);
    expect(sim.mutatingCalls().map((c) => c.error)).toEqual([undefined, 'DBInstanceAlreadyExistsFault']);
    expect(sim.instances()).toHaveLength(2);
  });

  test('an available DB under the identifier that is not the original is not adopted', async () => {
    const original = await seedOriginal('renamed');
    const first = await restore(original) as RestoredRef;
    sim.clock.advance(sim.durations.restore + sim.durations.restoreBackup);
    expect(sim.instance('orders-db')?.DBInstanceStatus).toBe('available');
    await expect(restore(original)).rejects.toMatchObject({
      name: 'DBInstanceAlreadyExistsFault',
      message: `Restoring snapshot ${SNAPSHOT} as orders-db: DB instance already exists`,
    });
    expect(sim.instance('orders-db')?.DbiResourceId).toBe(first.resourceId);
  });

  test('a snapshot that is not available: InvalidDBSnapshotStateFault, with context', async () => {
    const original = await seedOriginal('renamed');
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-fresh', DBInstanceIdentifier: TEMP, Status: 'creating' });
    await expect(restore(original, 'orders-db-fresh')).rejects.toMatchObject({
      name: 'InvalidDBSnapshotStateFault',
      message: 'Restoring snapshot orders-db-fresh as orders-db: DBSnapshot must have state available but actually has creating',
    });
  });

  test('a missing snapshot: DBSnapshotNotFoundFault', async () => {
    const original = await seedOriginal('renamed');
    await expect(restore(original, 'orders-db-nope')).rejects.toMatchObject({
      name: 'DBSnapshotNotFoundFault',
      message: expect.stringMatching(/^Restoring snapshot orders-db-nope as orders-db: /),
    });
  });

  test('capacity faults keep their name (the rollback decides)', async () => {
    const original = await seedOriginal('renamed');
    sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault' });
    await expect(restore(original)).rejects.toMatchObject({
      name: 'InsufficientDBInstanceCapacityFault',
      message: expect.stringMatching(/^Restoring snapshot orders-db-trapheus-20260109-080000 as orders-db: Cannot create a database instance/),
    });
    expect(sim.instance('orders-db')).toBeUndefined();
  });
});
