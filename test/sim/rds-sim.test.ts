import {
  AddTagsToResourceCommand, CreateDBSnapshotCommand, DBInstanceNotFoundFault, DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, InsufficientDBInstanceCapacityFault,
  ListTagsForResourceCommand, ModifyDBInstanceCommand, RDSClient, RDSServiceException, RemoveTagsFromResourceCommand,
  RestoreDBInstanceFromDBSnapshotCommand, StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { SimClock } from './clock';
import { DEFAULT_DURATIONS, RdsSimulator } from './rds-sim';

const D = DEFAULT_DURATIONS;

let clock: SimClock;
let sim: RdsSimulator;
let rds: RDSClient;

beforeEach(() => {
  clock = new SimClock();
  sim = new RdsSimulator({ clock });
  sim.install();
  rds = new RDSClient({ region: 'us-east-1' });
});

afterEach(() => sim.uninstall());

/** The instance as DescribeDBInstances shows it. */
async function describeDb(id: string) {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  return out.DBInstances![0];
}

async function status(id: string): Promise<string | undefined> {
  return (await describeDb(id)).DBInstanceStatus;
}

/** An original instance with many non-default settings, as a real production DB would have. */
function seedProduction(id = 'prod-db') {
  return sim.addInstance({
    DBInstanceIdentifier: id,
    Engine: 'postgres',
    DBInstanceClass: 'db.m5.large',
    AllocatedStorage: 100,
    StorageType: 'gp3',
    Iops: 3000,
    StorageThroughput: 125,
    DBName: 'app',
    MasterUsername: 'appadmin',
    Endpoint: { Port: 6543 },
    MultiAZ: true,
    AvailabilityZone: 'us-east-1c',
    DBParameterGroups: [{ DBParameterGroupName: 'prod-pg16', ParameterApplyStatus: 'in-sync' }],
    OptionGroupMemberships: [{ OptionGroupName: 'prod-og', Status: 'in-sync' }],
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0prod', Status: 'active' }],
    DBSubnetGroup: { DBSubnetGroupName: 'prod-subnets', VpcId: 'vpc-0prod' },
    PubliclyAccessible: true,
    DeletionProtection: true,
    CopyTagsToSnapshot: true,
    IAMDatabaseAuthenticationEnabled: true,
    EnabledCloudwatchLogsExports: ['postgresql'],
    MonitoringInterval: 60,
    MonitoringRoleArn: 'arn:aws:iam::123456789012:role/rds-monitoring',
    PerformanceInsightsEnabled: true,
    BackupRetentionPeriod: 14,
    PreferredBackupWindow: '01:00-01:30',
    PreferredMaintenanceWindow: 'mon:02:00-mon:02:30',
    MaxAllocatedStorage: 500,
    CACertificateIdentifier: 'rds-ca-ecc384-g1',
    Tags: [{ Key: 'team', Value: 'payments' }],
  });
}

describe('installation and call log', () => {
  test('the real RDSClient is routed to the simulator and every call is logged with its time', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db1', Engine: 'postgres' });
    clock.advance(42);
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    expect(out.DBInstances!.map(i => i.DBInstanceIdentifier)).toEqual(['db1']);
    expect(out.$metadata).toBeDefined();
    expect(sim.calls).toEqual([{ at: 42, command: 'DescribeDBInstances', input: {} }]);
  });

  test('a command the simulator does not implement throws an Error naming it', async () => {
    await expect(rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'db1' }))).rejects.toThrow(/StopDBInstance/);
    expect(sim.calls[0]).toMatchObject({ command: 'StopDBInstance', error: 'Error' });
  });

  test('uninstall restores the real client', async () => {
    sim.uninstall();
    const fake = new RDSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    await expect(fake.send(new DescribeDBInstancesCommand({}))).rejects.toBeDefined();
    expect(sim.calls).toHaveLength(0);
  });

  test('mutatingCalls leaves out Describe* and List*', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db1', Engine: 'mysql' });
    await describeDb('db1');
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db1', DeletionProtection: true }));
    await rds.send(new ListTagsForResourceCommand({ ResourceName: 'arn:aws:rds:us-east-1:123456789012:db:db1' }));
    expect(sim.mutatingCalls().map(c => c.command)).toEqual(['ModifyDBInstance']);
  });
});

describe('seeding and describing', () => {
  test('addInstance fills realistic defaults and spec values replace them', () => {
    const pg = sim.addInstance({ DBInstanceIdentifier: 'pg', Engine: 'postgres' });
    expect(pg).toMatchObject({
      DBInstanceStatus: 'available',
      EngineVersion: '16.3',
      DBInstanceClass: 'db.t3.micro',
      Endpoint: { Address: 'pg.c1abcdefghij.us-east-1.rds.amazonaws.com', Port: 5432, HostedZoneId: 'Z2R2ITUGPM61AM' },
      DBInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:pg',
      DBParameterGroups: [{ DBParameterGroupName: 'default.postgres16' }],
      OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-16' }],
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-default', Status: 'active' }],
      DBSubnetGroup: { DBSubnetGroupName: 'default', VpcId: 'vpc-default' },
      TagList: [],
      MultiAZ: false,
      DeletionProtection: false,
      StorageEncrypted: true,
    });
    expect(pg.DbiResourceId).toMatch(/^db-[A-Z0-9]{26}$/);
    const my = sim.addInstance({
      DBInstanceIdentifier: 'my',
      Engine: 'mysql',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1', Status: 'active' }],
      Tags: [{ Key: 'a', Value: 'b' }],
    });
    expect(my).toMatchObject({ EngineVersion: '8.0.39', Endpoint: { Port: 3306 }, DBParameterGroups: [{ DBParameterGroupName: 'default.mysql8.0' }] });
    expect(my.VpcSecurityGroups).toEqual([{ VpcSecurityGroupId: 'sg-1', Status: 'active' }]);
    expect(my.TagList).toEqual([{ Key: 'a', Value: 'b' }]);
    expect(my.DbiResourceId).not.toEqual(pg.DbiResourceId);
  });

  test('DescribeDBInstances: NotFound fault, filters, and copies rather than internal objects', async () => {
    const a = sim.addInstance({ DBInstanceIdentifier: 'a', Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'b', Engine: 'postgres' });
    const err = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' })).catch(e => e);
    expect(err).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(err.message).toBe('DBInstance nope not found.');
    expect(sim.calls[0].error).toBe('DBInstanceNotFoundFault');

    const byResource = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'dbi-resource-id', Values: [a.DbiResourceId!] }] }));
    expect(byResource.DBInstances!.map(i => i.DBInstanceIdentifier)).toEqual(['a']);
    const byId = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ['b'] }] }));
    expect(byId.DBInstances!.map(i => i.DBInstanceIdentifier)).toEqual(['b']);
    const none = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'dbi-resource-id', Values: ['db-X'] }] }));
    expect(none.DBInstances).toEqual([]);

    const view = await describeDb('a');
    view.DeletionProtection = true;
    view.TagList!.push({ Key: 'x', Value: 'y' });
    expect(sim.instance('a')).toMatchObject({ DeletionProtection: false, TagList: [] });
  });
});

describe('rename', () => {
  test('lifecycle: available under the old id with a pending rename, then renaming under the new id, then available', async () => {
    const before = sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    clock.advance(100);
    const out = await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-old', ApplyImmediately: true }));
    expect(out.DBInstance).toMatchObject({ DBInstanceIdentifier: 'db', DBInstanceStatus: 'available', PendingModifiedValues: { DBInstanceIdentifier: 'db-old' } });

    clock.advance(D.renamePending - 1); // the gap a naive waiter falls into
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'available', PendingModifiedValues: { DBInstanceIdentifier: 'db-old' } });
    await expect(describeDb('db-old')).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });

    clock.advance(1);
    await expect(describeDb('db')).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    const renaming = await describeDb('db-old');
    expect(renaming).toMatchObject({
      DBInstanceStatus: 'renaming',
      DbiResourceId: before.DbiResourceId,
      DBInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:db-old',
      Endpoint: { Address: 'db-old.c1abcdefghij.us-east-1.rds.amazonaws.com' },
    });
    expect(renaming.PendingModifiedValues).toEqual({});

    clock.advance(D.rename);
    expect(await status('db-old')).toBe('available');
    expect(sim.endpointEvents).toEqual([
      { at: 0, identifier: 'db', reachable: true },
      { at: 100 + D.renamePending, identifier: 'db', reachable: false },
      { at: 100 + D.renamePending + D.rename, identifier: 'db-old', reachable: true },
    ]);
  });

  test('events are stamped at the phase boundaries even when the clock jumps past them', () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    return rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-old', ApplyImmediately: true }))
      .then(() => {
        clock.advance(10_000);
        expect(sim.instance('db-old')?.DBInstanceStatus).toBe('available');
        expect(sim.endpointEvents.map(e => e.at)).toEqual([0, D.renamePending, D.renamePending + D.rename]);
      });
  });

  test('without ApplyImmediately only PendingModifiedValues is set and nothing happens', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-old' }));
    clock.advance(100_000);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'available', PendingModifiedValues: { DBInstanceIdentifier: 'db-old' } });
    expect(sim.instance('db-old')).toBeUndefined();
  });

  test('refused: target id taken or reserved, invalid id, instance not available', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'other', Engine: 'postgres' });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'other', ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'DBInstanceAlreadyExistsFault' });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'bad--id', ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: '1db', ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidParameterValue' });

    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-old', ApplyImmediately: true }));
    // the new id is reserved at once, for renames and restores alike
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'other', NewDBInstanceIdentifier: 'db-old', ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'DBInstanceAlreadyExistsFault' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'other' });
    await expect(rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'db-old', DBSnapshotIdentifier: 'snap' })))
      .rejects.toMatchObject({ name: 'DBInstanceAlreadyExistsFault' });

    clock.advance(D.renamePending);
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db-old', NewDBInstanceIdentifier: 'db2', ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' });
    expect(sim.calls.filter(c => c.error).map(c => c.error)).toEqual([
      'DBInstanceAlreadyExistsFault', 'InvalidParameterValue', 'InvalidParameterValue', 'DBInstanceAlreadyExistsFault',
      'DBInstanceAlreadyExistsFault', 'InvalidDBInstanceStateFault',
    ]);
  });
});

describe('modify', () => {
  test('a class change with ApplyImmediately: pending while still available, then modifying, applied at the end', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    const out = await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DBInstanceClass: 'db.r6g.large', ApplyImmediately: true }));
    expect(out.DBInstance).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.t3.micro', PendingModifiedValues: { DBInstanceClass: 'db.r6g.large' } });
    clock.advance(D.modifyPending);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'modifying', PendingModifiedValues: { DBInstanceClass: 'db.r6g.large' } });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DeletionProtection: true })))
      .rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault', message: 'Database instance is not in available state.' });
    clock.advance(D.modify);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.r6g.large', PendingModifiedValues: {} });
  });

  test('without ApplyImmediately a class change waits in PendingModifiedValues', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    const out = await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DBInstanceClass: 'db.r6g.large' }));
    expect(out.DBInstance).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.t3.micro', PendingModifiedValues: { DBInstanceClass: 'db.r6g.large' } });
    clock.advance(100_000);
    expect(await describeDb('db')).toMatchObject({ DBInstanceClass: 'db.t3.micro' });
    // a later modify with ApplyImmediately applies what was pending too
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DeletionProtection: true, ApplyImmediately: true }));
    clock.advance(D.modifyPending);
    expect(await status('db')).toBe('modifying');
    clock.advance(D.modify);
    expect(await describeDb('db')).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.r6g.large', DeletionProtection: true });
  });

  test('deletion protection, copy-tags, windows apply at once with no status change', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    const out = await rds.send(new ModifyDBInstanceCommand({
      DBInstanceIdentifier: 'db',
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      PreferredMaintenanceWindow: 'tue:01:00-tue:01:30',
      BackupRetentionPeriod: 7,
      ApplyImmediately: true,
    }));
    expect(out.DBInstance).toMatchObject({
      DBInstanceStatus: 'available',
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      PreferredMaintenanceWindow: 'tue:01:00-tue:01:30',
      BackupRetentionPeriod: 7,
    });
    expect(sim.endpointEvents).toHaveLength(1);
  });

  test('every other attribute is applied to the instance', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    await rds.send(new ModifyDBInstanceCommand({
      DBInstanceIdentifier: 'db',
      ApplyImmediately: true,
      DBParameterGroupName: 'custom-pg',
      VpcSecurityGroupIds: ['sg-1', 'sg-2'],
      OptionGroupName: 'custom-og',
      CloudwatchLogsExportConfiguration: { EnableLogTypes: ['postgresql', 'upgrade'] },
      MonitoringInterval: 30,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/mon',
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 31,
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      MultiAZ: true,
      MaxAllocatedStorage: 200,
      DBPortNumber: 6000,
      EnableIAMDatabaseAuthentication: true,
      PubliclyAccessible: true,
      AllocatedStorage: 50,
    }));
    // a storage change ends in storage-optimization
    clock.advance(D.modifyPending + D.modify + D.storageOptimization);
    expect(await describeDb('db')).toMatchObject({
      DBInstanceStatus: 'available',
      DBParameterGroups: [{ DBParameterGroupName: 'custom-pg' }],
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }, { VpcSecurityGroupId: 'sg-2' }],
      OptionGroupMemberships: [{ OptionGroupName: 'custom-og' }],
      EnabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
      MonitoringInterval: 30,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/mon',
      PerformanceInsightsEnabled: true,
      PerformanceInsightsRetentionPeriod: 31,
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      CertificateDetails: { CAIdentifier: 'rds-ca-ecc384-g1' },
      MultiAZ: true,
      MaxAllocatedStorage: 200,
      Endpoint: { Port: 6000 },
      IAMDatabaseAuthenticationEnabled: true,
      PubliclyAccessible: true,
      AllocatedStorage: 50,
      PendingModifiedValues: {},
    });
  });

  test('refusals: monitoring without a role, no modification, storage decrease, unknown instance', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', AllocatedStorage: 100 });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', MonitoringInterval: 60, ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidParameterCombination', message: 'No modifications were requested' });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', AllocatedStorage: 50, ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'nope', DeletionProtection: true })))
      .rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    expect(sim.instance('db')).toMatchObject({ MonitoringInterval: 0, AllocatedStorage: 100, DBInstanceStatus: 'available' });
  });
});

describe('restore', () => {
  test('with no optional parameters the new instance does NOT carry the original settings', async () => {
    const original = seedProduction();
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'prod-db' });
    const out = await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'restored', DBSnapshotIdentifier: 'snap' }));
    expect(out.DBInstance!.DBInstanceStatus).toBe('creating');
    expect(out.DBInstance!.Endpoint).toBeUndefined();

    clock.advance(D.restore + D.restoreBackup);
    const r = await describeDb('restored');
    // from the snapshot
    expect(r).toMatchObject({
      DBInstanceStatus: 'available',
      Engine: 'postgres',
      EngineVersion: original.EngineVersion,
      DBInstanceClass: 'db.m5.large',
      AllocatedStorage: 100,
      StorageType: 'gp3',
      Iops: 3000,
      StorageThroughput: 125,
      MasterUsername: 'appadmin',
      DBName: 'app',
      StorageEncrypted: true,
      KmsKeyId: original.KmsKeyId,
      Endpoint: { Address: 'restored.c1abcdefghij.us-east-1.rds.amazonaws.com', Port: 6543 },
    });
    // AWS defaults, not the original's
    expect(r.DbiResourceId).not.toBe(original.DbiResourceId);
    expect(r).toMatchObject({
      MultiAZ: false,
      DBParameterGroups: [{ DBParameterGroupName: 'default.postgres16' }],
      OptionGroupMemberships: [{ OptionGroupName: 'default:postgres-16' }],
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-default', Status: 'active' }],
      DBSubnetGroup: { DBSubnetGroupName: 'default' },
      PubliclyAccessible: false,
      DeletionProtection: false,
      CopyTagsToSnapshot: false,
      IAMDatabaseAuthenticationEnabled: false,
      MonitoringInterval: 0,
      PerformanceInsightsEnabled: false,
      BackupRetentionPeriod: 1,
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
      NetworkType: 'IPV4',
      TagList: [],
    });
    expect(r.EnabledCloudwatchLogsExports).toBeUndefined();
    expect(r.MonitoringRoleArn).toBeUndefined();
    expect(r.MaxAllocatedStorage).toBeUndefined();
    expect(r.AvailabilityZone).not.toBe(original.AvailabilityZone);
    expect(r.PreferredBackupWindow).not.toBe(original.PreferredBackupWindow);
    expect(r.PreferredMaintenanceWindow).not.toBe(original.PreferredMaintenanceWindow);
  });

  test('with parameters the new instance carries them', async () => {
    seedProduction();
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'prod-db' });
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({
      DBInstanceIdentifier: 'restored',
      DBSnapshotIdentifier: 'snap',
      DBInstanceClass: 'db.r6g.xlarge',
      Port: 7000,
      MultiAZ: true,
      DBSubnetGroupName: 'prod-subnets',
      VpcSecurityGroupIds: ['sg-0prod'],
      PubliclyAccessible: true,
      DBParameterGroupName: 'prod-pg16',
      OptionGroupName: 'prod-og',
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql'],
      Tags: [{ Key: 'team', Value: 'payments' }],
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '01:00-01:30',
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      AutoMinorVersionUpgrade: false,
      StorageType: 'io1',
      Iops: 5000,
      AllocatedStorage: 200,
    }));
    clock.advance(D.restore + D.restoreBackup);
    expect(await describeDb('restored')).toMatchObject({
      DBInstanceStatus: 'available',
      DBInstanceClass: 'db.r6g.xlarge',
      Endpoint: { Port: 7000 },
      MultiAZ: true,
      DBSubnetGroup: { DBSubnetGroupName: 'prod-subnets', VpcId: 'vpc-0prod' },
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0prod', Status: 'active' }],
      PubliclyAccessible: true,
      DBParameterGroups: [{ DBParameterGroupName: 'prod-pg16' }],
      OptionGroupMemberships: [{ OptionGroupName: 'prod-og' }],
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      IAMDatabaseAuthenticationEnabled: true,
      EnabledCloudwatchLogsExports: ['postgresql'],
      TagList: [{ Key: 'team', Value: 'payments' }],
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '01:00-01:30',
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      AutoMinorVersionUpgrade: false,
      StorageType: 'io1',
      Iops: 5000,
      AllocatedStorage: 200,
    });
  });

  test('status runs creating -> backing-up -> available, and skips backing-up without backups', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: 'mysql' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'r1', DBSnapshotIdentifier: 'snap' }));
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'r2', DBSnapshotIdentifier: 'snap', BackupRetentionPeriod: 0 }));
    clock.advance(D.restore - 1);
    expect([await status('r1'), await status('r2')]).toEqual(['creating', 'creating']);
    expect((await describeDb('r1')).InstanceCreateTime).toBeUndefined();
    clock.advance(1);
    expect([await status('r1'), await status('r2')]).toEqual(['backing-up', 'available']);
    clock.advance(D.restoreBackup);
    expect(await status('r1')).toBe('available');
    expect((await describeDb('r1')).InstanceCreateTime).toEqual(clock.start);
  });

  test('refused: snapshot missing or not available, identifier taken, AZ with Multi-AZ', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'creating-snap', DBInstanceIdentifier: 'src', Status: 'creating' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
    const send = (input: object) => rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'new', DBSnapshotIdentifier: 'snap', ...input }));
    await expect(send({ DBSnapshotIdentifier: 'missing' })).rejects.toMatchObject({ name: 'DBSnapshotNotFoundFault', message: 'DBSnapshot not found: missing' });
    await expect(send({ DBSnapshotIdentifier: 'creating-snap' })).rejects.toMatchObject({ name: 'InvalidDBSnapshotStateFault' });
    await expect(send({ DBInstanceIdentifier: 'src' })).rejects.toMatchObject({ name: 'DBInstanceAlreadyExistsFault' });
    await expect(send({ MultiAZ: true, AvailabilityZone: 'us-east-1a' })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    expect(sim.instances().map(i => i.DBInstanceIdentifier)).toEqual(['src']);
    clock.advance(D.snapshotCreate);
    await expect(send({ DBSnapshotIdentifier: 'creating-snap' })).resolves.toBeDefined();
  });
});

describe('delete', () => {
  test('refused while creating, renaming, and in the rename gap; allowed when backing-up', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'db' });
    const del = (id: string) => rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id, SkipFinalSnapshot: true }));

    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-old', ApplyImmediately: true }));
    await expect(del('db')).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' }); // pending rename
    clock.advance(D.renamePending);
    await expect(del('db-old')).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' }); // renaming

    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'db', DBSnapshotIdentifier: 'snap' }));
    await expect(del('db')).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' }); // creating
    clock.advance(D.restore);
    expect(await status('db')).toBe('backing-up');
    const out = await del('db');
    expect(out.DBInstance!.DBInstanceStatus).toBe('deleting');
    await expect(del('db')).rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault', message: 'Instance db is already being deleted.' });
  });

  test('refused when deletion protected or without a final snapshot decision', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', DeletionProtection: true });
    await expect(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'db', SkipFinalSnapshot: true }))).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
      message: 'Cannot delete protected DB Instance, please disable deletion protection and try again.',
    });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DeletionProtection: false }));
    await expect(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'db' }))).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    expect(await status('db')).toBe('available');
  });

  test('deleting then gone, the id free again; a final snapshot is taken', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', CopyTagsToSnapshot: true, Tags: [{ Key: 'k', Value: 'v' }] });
    sim.addSnapshot({ DBSnapshotIdentifier: 'taken', DBInstanceIdentifier: 'db' });
    await expect(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'db', FinalDBSnapshotIdentifier: 'taken' })))
      .rejects.toMatchObject({ name: 'DBSnapshotAlreadyExistsFault' });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'db', FinalDBSnapshotIdentifier: 'final', DeleteAutomatedBackups: false }));
    expect(sim.snapshot('final')).toMatchObject({ Status: 'creating', DBInstanceIdentifier: 'db', TagList: [{ Key: 'k', Value: 'v' }] });
    clock.advance(D.delete - 1);
    expect(await status('db')).toBe('deleting');
    clock.advance(1);
    await expect(describeDb('db')).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    expect(sim.snapshot('final')?.Status).toBe('available');
    expect(sim.mutatingCalls().at(-1)?.input.DeleteAutomatedBackups).toBe(false);
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'db', DBSnapshotIdentifier: 'final' }));
    expect(await status('db')).toBe('creating');
  });
});

describe('snapshots', () => {
  test('lifecycle: creating with progress, available, refusals, delete then gone', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', DBInstanceClass: 'db.m5.large' });
    const out = await rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 'snap-1', DBInstanceIdentifier: 'db' }));
    expect(out.DBSnapshot).toMatchObject({
      Status: 'creating',
      SnapshotType: 'manual',
      PercentProgress: 0,
      DBInstanceIdentifier: 'db',
      Engine: 'postgres',
      Port: 5432,
      DBSnapshotArn: 'arn:aws:rds:us-east-1:123456789012:snapshot:snap-1',
      SnapshotCreateTime: clock.now(),
    });
    await expect(rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 'snap-1', DBInstanceIdentifier: 'db' }))).rejects.toMatchObject({
      name: 'DBSnapshotAlreadyExistsFault',
      message: 'Cannot create the snapshot because a snapshot with the identifier snap-1 already exists.',
    });
    await expect(rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 'bad-', DBInstanceIdentifier: 'db' })))
      .rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'snap-1' }))).rejects.toMatchObject({ name: 'InvalidDBSnapshotStateFault' });

    clock.advance(D.snapshotCreate / 2);
    expect(sim.snapshot('snap-1')).toMatchObject({ Status: 'creating', PercentProgress: 50 });
    clock.advance(D.snapshotCreate / 2);
    const described = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'db', SnapshotType: 'manual' }));
    expect(described.DBSnapshots!.map(s => [s.DBSnapshotIdentifier, s.Status, s.PercentProgress])).toEqual([['snap-1', 'available', 100]]);
    expect((await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'automated' }))).DBSnapshots).toEqual([]);

    await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'snap-1' }));
    expect(sim.snapshot('snap-1')?.Status).toBe('deleting');
    clock.advance(D.snapshotDelete);
    await expect(rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'snap-1' })))
      .rejects.toMatchObject({ name: 'DBSnapshotNotFoundFault' });
  });

  test('CreateDBSnapshot needs an existing, available instance; tags follow CopyTagsToSnapshot unless given', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', CopyTagsToSnapshot: true, Tags: [{ Key: 'team', Value: 'x' }] });
    await expect(rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 's0', DBInstanceIdentifier: 'nope' })))
      .rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    await rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 's1', DBInstanceIdentifier: 'db' }));
    await rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 's2', DBInstanceIdentifier: 'db', Tags: [{ Key: 'own', Value: 'y' }] }));
    expect(sim.snapshot('s1')?.TagList).toEqual([{ Key: 'team', Value: 'x' }]);
    expect(sim.snapshot('s2')?.TagList).toEqual([{ Key: 'own', Value: 'y' }]);
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DBInstanceClass: 'db.m5.large', ApplyImmediately: true }));
    clock.advance(D.modifyPending);
    await expect(rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 's3', DBInstanceIdentifier: 'db' }))).rejects.toMatchObject({
      name: 'InvalidDBInstanceStateFault',
      message: 'Cannot create a snapshot because the database instance db is not currently in the available state.',
    });
  });
});

describe('tags', () => {
  test('add, list and remove by ARN; the ARN follows a rename', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', Tags: [{ Key: 'a', Value: '1' }] });
    const arn = 'arn:aws:rds:us-east-1:123456789012:db:db';
    await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }] }));
    expect((await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList).toEqual([{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }]);
    await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['a'] }));
    expect((await describeDb('db')).TagList).toEqual([{ Key: 'b', Value: '3' }]);

    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-old', ApplyImmediately: true }));
    clock.advance(D.renamePending);
    await expect(rds.send(new ListTagsForResourceCommand({ ResourceName: arn }))).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
    const moved = await rds.send(new ListTagsForResourceCommand({ ResourceName: 'arn:aws:rds:us-east-1:123456789012:db:db-old' }));
    expect(moved.TagList).toEqual([{ Key: 'b', Value: '3' }]);

    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'db-old' });
    const snapArn = 'arn:aws:rds:us-east-1:123456789012:snapshot:snap';
    await rds.send(new AddTagsToResourceCommand({ ResourceName: snapArn, Tags: [{ Key: 's', Value: '1' }] }));
    expect(sim.snapshot('snap')?.TagList).toEqual([{ Key: 's', Value: '1' }]);
  });
});

describe('fault injection and stuck resources', () => {
  test('failOn fails the matching calls `times` times with real SDK exceptions, then lets them through', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'db' });
    sim.failOn({ command: 'DescribeDBInstances', error: 'Throttling', times: 2 });
    sim.failOn({
      command: 'RestoreDBInstanceFromDBSnapshot',
      error: 'InsufficientDBInstanceCapacityFault',
      times: 1,
      when: input => input.DBInstanceClass === 'db.x2g.16xlarge',
    });

    const first = await describeDb('db').catch(e => e);
    expect(first).toBeInstanceOf(RDSServiceException);
    expect(first).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $fault: 'client' });
    await expect(describeDb('db')).rejects.toMatchObject({ name: 'Throttling' });
    await expect(describeDb('db')).resolves.toMatchObject({ DBInstanceStatus: 'available' });

    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'r1', DBSnapshotIdentifier: 'snap' }));
    const capacity = await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({
      DBInstanceIdentifier: 'r2', DBSnapshotIdentifier: 'snap', DBInstanceClass: 'db.x2g.16xlarge',
    })).catch(e => e);
    expect(capacity).toBeInstanceOf(InsufficientDBInstanceCapacityFault);
    expect(sim.instance('r2')).toBeUndefined();
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'r2', DBSnapshotIdentifier: 'snap', DBInstanceClass: 'db.x2g.16xlarge' }));
    expect(sim.calls.map(c => c.error)).toEqual(['Throttling', 'Throttling', undefined, undefined, 'InsufficientDBInstanceCapacityFault', undefined]);
  });

  test("failOn '*' hits every command; service faults are 5xx server faults", async () => {
    sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    sim.failOn({ command: '*', error: 'InternalFailure', times: 2 });
    await expect(describeDb('db')).rejects.toMatchObject({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', DeletionProtection: true })))
      .rejects.toMatchObject({ name: 'InternalFailure' });
    expect(sim.instance('db')?.DeletionProtection).toBe(false);
    await expect(describeDb('db')).resolves.toBeDefined();
  });

  test('stick: the next instance created under an id never leaves creating', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
    sim.stick('db');
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'db', DBSnapshotIdentifier: 'snap' }));
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'other', DBSnapshotIdentifier: 'snap' }));
    clock.advance(1_000_000);
    expect(await status('db')).toBe('creating');
    expect(await status('other')).toBe('available');
  });

  test('stick with a status: enters it and stays; an instance mid-rename sticks in renaming', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'src', Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'src' });
    sim.stick('db', 'incompatible-restore');
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'db', DBSnapshotIdentifier: 'snap' }));
    clock.advance(100_000);
    expect(await status('db')).toBe('incompatible-restore');
    // incompatible-restore may be deleted
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'db', SkipFinalSnapshot: true }));
    expect(await status('db')).toBe('deleting');

    sim.stick('src');
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'src', NewDBInstanceIdentifier: 'src-old', ApplyImmediately: true }));
    clock.advance(100_000);
    expect(await status('src-old')).toBe('renaming');
  });
});

describe('endpoint downtime', () => {
  test('an in-place restore: rename away, restore under the old name; downtime from rename start to backing-up', async () => {
    seedProduction('db');
    sim.addSnapshot({ DBSnapshotIdentifier: 'snap', DBInstanceIdentifier: 'db' });
    clock.advance(60);
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db', NewDBInstanceIdentifier: 'db-old', ApplyImmediately: true }));
    clock.advance(D.renamePending + 5);
    await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: 'db', DBSnapshotIdentifier: 'snap' }));
    const restoreAt = clock.elapsed;
    clock.advance(10_000);

    const renameStart = 60 + D.renamePending;
    expect(sim.endpointDowntime('db')).toEqual([{ from: renameStart, to: restoreAt + D.restore, seconds: restoreAt + D.restore - renameStart }]);
    expect(sim.endpointDowntime('db-old')).toEqual([]);
    expect(sim.endpointEvents.filter(e => e.identifier === 'db-old')).toEqual([
      { at: renameStart + D.rename, identifier: 'db-old', reachable: true },
    ]);
  });

  test('an open period ends now, and durations can be overridden', () => {
    const fast = new RdsSimulator({ clock, durations: { delete: 30 } });
    expect(fast.durations).toEqual({ ...D, delete: 30 });
    fast.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres' });
    fast.stick('db', 'failed');
    clock.advance(100);
    expect(fast.endpointDowntime('db')).toEqual([{ from: 0, to: 100, seconds: 100 }]);
  });
});
