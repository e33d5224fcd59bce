/**
 * Rules of real RDS for DB instances that the pipeline got wrong once (issue 8):
 * each test names the page the rule comes from, as the simulator does.
 */
import {
  DeleteDBClusterCommand, DeleteDBInstanceCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand, RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { addCallGate, AwsCall } from './aws-calls';
import { SimClock } from './clock';
import { DEFAULT_DURATIONS, RdsSimulator } from './rds-sim';

const D = DEFAULT_DURATIONS;
const CMK = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-4222-8333-444455556666';

let clock: SimClock;
let sim: RdsSimulator;
let rds: RDSClient;
let kmsCalls: AwsCall[];
let removeGate: () => void;

beforeEach(() => {
  clock = new SimClock();
  sim = new RdsSimulator({ clock });
  sim.install();
  rds = new RDSClient({ region: 'us-east-1' });
  kmsCalls = [];
  removeGate = addCallGate((call) => {
    if (call.service === 'kms') kmsCalls.push(call);
  });
});

afterEach(() => {
  removeGate();
  sim.uninstall();
});

async function describeDb(id: string) {
  return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances![0];
}

describe('a final snapshot needs an available DB instance or cluster', () => {
  test('DeleteDBInstance with a final snapshot of a backing-up instance: InvalidDBInstanceStateFault; without one it is deleted', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'old-db', Engine: 'postgres', DBInstanceStatus: 'backing-up' });
    await expect(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'old-db', FinalDBSnapshotIdentifier: 'old-db-final' })))
      .rejects.toMatchObject({
        name: 'InvalidDBInstanceStateFault',
        message: 'Cannot create a snapshot because the database instance old-db is not currently in the available state.',
      });
    expect(sim.snapshot('old-db-final')).toBeUndefined();
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'old-db', SkipFinalSnapshot: true }));
    expect(sim.instance('old-db')?.DBInstanceStatus).toBe('deleting');
  });

  test('DeleteDBCluster with a final snapshot of a backing-up cluster: InvalidDBClusterStateFault', async () => {
    sim.addCluster({ DBClusterIdentifier: 'old-cluster', Engine: 'aurora-postgresql', Status: 'backing-up' });
    await expect(rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'old-cluster', FinalDBSnapshotIdentifier: 'old-cluster-final' })))
      .rejects.toMatchObject({ name: 'InvalidDBClusterStateFault', message: expect.stringContaining('is not currently in the available state') });
    expect(sim.clusterSnapshot('old-cluster-final')).toBeUndefined();
  });
});

describe('DB instance statuses', () => {
  test('insufficient-capacity: the instance can be deleted (the user guide says to delete it and try again)', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', DBInstanceStatus: 'insufficient-capacity' });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'db', SkipFinalSnapshot: true }));
    expect(sim.instance('db')?.DBInstanceStatus).toBe('deleting');
  });

  test('a storage change: modifying, then storage-optimization (serving), then available', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'sqlserver-se', AllocatedStorage: 100, StorageType: 'gp3', Iops: 3000, StorageThroughput: 125 });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', AllocatedStorage: 200, Iops: 3000, ApplyImmediately: true }));
    clock.advance(D.modifyPending + D.modify);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'storage-optimization', AllocatedStorage: 200, PendingModifiedValues: {} });
    expect(sim.endpointDowntime('db')).toEqual([]);
    // no further storage change while it lasts; any other change is accepted
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', AllocatedStorage: 300, Iops: 3000, ApplyImmediately: true })))
      .rejects.toMatchObject({
        name: 'InvalidParameterCombination',
        message: 'You can\'t currently modify the storage of this DB instance because the previous storage change is being optimized.',
      });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DeletionProtection: true, ApplyImmediately: true }));
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'storage-optimization', DeletionProtection: true });
    clock.advance(D.storageOptimization);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'available' });
  });

  test('a rename during storage-optimization is accepted, and the optimization goes on after it', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', DBInstanceStatus: 'storage-optimization' });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-new', ApplyImmediately: true }));
    clock.advance(D.renamePending + D.rename);
    expect(await describeDb('db-new')).toMatchObject({ DBInstanceStatus: 'storage-optimization' });
  });

  test('a storage size change on an instance with provisioned IOPS needs the IOPS too', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', AllocatedStorage: 500, StorageType: 'io1', Iops: 5000 });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', AllocatedStorage: 600, ApplyImmediately: true })))
      .rejects.toMatchObject({
        name: 'InvalidParameterCombination',
        message: 'You must specify both the storage size and iops when modifying the storage size or iops on a DB instance that has iops.',
      });
  });
});

describe('pending modifications: ApplyImmediately is not immediate', () => {
  test('the change shows as pending while the instance is still available, then modifying, then applied', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', BackupRetentionPeriod: 1 });
    const out = await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', BackupRetentionPeriod: 0, ApplyImmediately: true }));
    expect(out.DBInstance).toMatchObject({ DBInstanceStatus: 'available', BackupRetentionPeriod: 1, PendingModifiedValues: { BackupRetentionPeriod: 0 } });
    clock.advance(D.modifyPending - 1);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'available', PendingModifiedValues: { BackupRetentionPeriod: 0 } });
    // another change that needs a status change is refused in the gap
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DBInstanceClass: 'db.m5.large', ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' });
    clock.advance(1);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'modifying', PendingModifiedValues: { BackupRetentionPeriod: 0 } });
    clock.advance(D.modify);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'available', BackupRetentionPeriod: 0, PendingModifiedValues: {} });
  });
});

describe('engine rules on RestoreDBInstanceFromDBSnapshot', () => {
  function seedSnapshot(engine: string, extra: object = {}) {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: engine, AllocatedStorage: 200, StorageType: 'gp3', ...extra });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
  }
  const restore = (input: object) => rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'restored', DBSnapshotIdentifier: 'snap', ...input }));

  test('SQL Server: AllocatedStorage is refused ("This setting isn\'t valid for RDS for SQL Server")', async () => {
    seedSnapshot('sqlserver-se');
    await expect(restore({ AllocatedStorage: 200 })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await restore({});
    expect(sim.instance('restored')).toMatchObject({ AllocatedStorage: 200 });
  });

  test('gp3 below 400 GiB: IOPS and throughput are refused for postgres, accepted for SQL Server', async () => {
    seedSnapshot('postgres');
    await expect(restore({ StorageType: 'gp3', Iops: 6000, StorageThroughput: 250 })).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
      message: 'You can\'t specify IOPS or storage throughput for engine postgres and a storage size less than 400.',
    });
    sim.uninstall();
    sim = new RdsSimulator({ clock });
    sim.install();
    seedSnapshot('sqlserver-se');
    await restore({ StorageType: 'gp3', Iops: 6000, StorageThroughput: 250 });
    expect(sim.instance('restored')).toMatchObject({ Iops: 6000, StorageThroughput: 250 });
  });

  test.each(['sqlserver-se', 'oracle-ee', 'mariadb'])('EngineLifecycleSupport is refused for %s, which has none', async (engine) => {
    seedSnapshot(engine);
    expect(sim.instance('src')?.EngineLifecycleSupport).toBeUndefined();
    await expect(restore({ EngineLifecycleSupport: 'open-source-rds-extended-support' })).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
      message: `EngineLifecycleSupport isn't supported for DB engine ${engine}.`,
    });
  });

  test('EngineLifecycleSupport is accepted for postgres and mysql', async () => {
    seedSnapshot('mysql');
    await restore({ EngineLifecycleSupport: 'open-source-rds-extended-support-disabled' });
    expect(sim.instance('restored')?.EngineLifecycleSupport).toBe('open-source-rds-extended-support-disabled');
  });
});

describe('a customer-managed KMS key is used with the caller\'s credentials', () => {
  test('restoring a snapshot encrypted with a customer-managed key: DescribeKey and CreateGrant via RDS', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: 'postgres', KmsKeyId: CMK });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'restored', DBSnapshotIdentifier: 'snap' }));
    expect(kmsCalls.map((c) => ({ action: c.action, via: c.via, input: c.input }))).toEqual([
      { action: 'DescribeKey', via: 'rds', input: { KeyId: CMK } },
      { action: 'CreateGrant', via: 'rds', input: { KeyId: CMK } },
    ]);
    expect(sim.instance('restored')?.KmsKeyId).toBe(CMK);
  });

  test('a refused grant fails the restore with KMSKeyNotAccessibleFault, and nothing is created', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: 'postgres', KmsKeyId: CMK });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
    const refuse = addCallGate((call) => {
      if (call.service === 'kms' && call.action === 'CreateGrant') throw new Error('AccessDenied');
    });
    try {
      await expect(rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'restored', DBSnapshotIdentifier: 'snap' })))
        .rejects.toMatchObject({ name: 'KMSKeyNotAccessibleFault', message: expect.stringContaining(CMK) });
    } finally {
      refuse();
    }
    expect(sim.instance('restored')).toBeUndefined();
  });

  test('the AWS managed aws/rds key needs no call from the caller', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'restored', DBSnapshotIdentifier: 'snap' }));
    expect(kmsCalls).toEqual([]);
  });

  test('enabling Performance Insights with a customer-managed key: the same calls; refused, KMSKeyNotAccessibleFault and nothing changes', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    const refuse = addCallGate((call) => {
      if (call.service === 'kms') throw new Error('AccessDenied');
    });
    try {
      await expect(rds.send(new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'db', EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: CMK, ApplyImmediately: true,
      }))).rejects.toMatchObject({ name: 'KMSKeyNotAccessibleFault' });
    } finally {
      refuse();
    }
    expect(sim.instance('db')?.PerformanceInsightsEnabled).toBe(false);
    kmsCalls.splice(0);
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: CMK, ApplyImmediately: true }));
    expect(kmsCalls.map((c) => c.action)).toEqual(['DescribeKey', 'CreateGrant']);
  });
});
