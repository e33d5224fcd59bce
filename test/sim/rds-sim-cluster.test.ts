import {
  AddTagsToResourceCommand, CreateDBClusterSnapshotCommand, CreateDBInstanceCommand, CreateDBSnapshotCommand,
  DBClusterNotFoundFault, DeleteDBClusterCommand, DeleteDBClusterSnapshotCommand, DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, InsufficientDBClusterCapacityFault,
  ListTagsForResourceCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand, RDSClient, RemoveTagsFromResourceCommand,
  RestoreDBClusterFromSnapshotCommand,
} from '@aws-sdk/client-rds';
import { SimClock } from './clock';
import { ClusterSpec, DEFAULT_DURATIONS, RdsSimulator } from './rds-sim';

const D = DEFAULT_DURATIONS;
const ARN = 'arn:aws:rds:us-east-1:123456789012';

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

async function describeCluster(id: string) {
  const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
  return out.DBClusters![0];
}

async function clusterStatus(id: string): Promise<string | undefined> {
  return (await describeCluster(id)).Status;
}

async function describeDb(id: string) {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  return out.DBInstances![0];
}

/** [identifier, IsClusterWriter, PromotionTier] of each member, as DescribeDBClusters shows them. */
async function members(id: string) {
  return (await describeCluster(id)).DBClusterMembers!.map(m => [m.DBInstanceIdentifier, m.IsClusterWriter, m.PromotionTier]);
}

/** Create a member and return once RDS has accepted it. */
function createMember(cluster: string, id: string, extra: Record<string, unknown> = {}) {
  return rds.send(new CreateDBInstanceCommand({
    DBClusterIdentifier: cluster, DBInstanceIdentifier: id, Engine: 'aurora-postgresql', DBInstanceClass: 'db.r6g.large', ...extra,
  }));
}

/** A production Aurora PostgreSQL cluster with a non-default value wherever RDS allows one. */
function productionCluster(id = 'orders', overrides: Partial<ClusterSpec> = {}) {
  return sim.addCluster({
    DBClusterIdentifier: id,
    Engine: 'aurora-postgresql',
    EngineVersion: '15.8',
    Port: 6543,
    DatabaseName: 'orders',
    MasterUsername: 'ordersadmin',
    DBSubnetGroup: 'orders-private',
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa1111', Status: 'active' }],
    DBClusterParameterGroup: 'orders-cpg15',
    DeletionProtection: true,
    IAMDatabaseAuthenticationEnabled: true,
    CopyTagsToSnapshot: true,
    EnabledCloudwatchLogsExports: ['postgresql'],
    ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
    StorageType: 'aurora-iopt1',
    BackupRetentionPeriod: 14,
    PreferredBackupWindow: '02:00-02:30',
    PreferredMaintenanceWindow: 'sat:04:00-sat:04:30',
    KmsKeyId: `${ARN.replace(':rds:', ':kms:')}:key/11111111-2222-3333-4444-555555555555`,
    HttpEndpointEnabled: true,
    Tags: [{ Key: 'team', Value: 'orders' }],
    ...overrides,
  });
}

describe('seeding and describing clusters', () => {
  test('addCluster fills realistic defaults per engine; spec values replace them', () => {
    const pg = sim.addCluster({ DBClusterIdentifier: 'pg', Engine: 'aurora-postgresql' });
    expect(pg).toMatchObject({
      Status: 'available',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.4',
      EngineMode: 'provisioned',
      Port: 5432,
      Endpoint: 'pg.cluster-c1abcdefghij.us-east-1.rds.amazonaws.com',
      ReaderEndpoint: 'pg.cluster-ro-c1abcdefghij.us-east-1.rds.amazonaws.com',
      DBClusterArn: `${ARN}:cluster:pg`,
      DBSubnetGroup: 'default',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-default', Status: 'active' }],
      DBClusterParameterGroup: 'default.aurora-postgresql16',
      BackupRetentionPeriod: 1,
      PreferredBackupWindow: '03:00-03:30',
      PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
      StorageEncrypted: true,
      DeletionProtection: false,
      IAMDatabaseAuthenticationEnabled: false,
      CopyTagsToSnapshot: false,
      StorageType: 'aurora',
      TagList: [],
      DBClusterMembers: [],
      AvailabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      MasterUsername: 'postgres',
      DatabaseName: 'app',
      MultiAZ: false,
    });
    expect(pg.DbClusterResourceId).toMatch(/^cluster-[A-Z0-9]{26}$/);
    expect(pg.KmsKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(pg.EnabledCloudwatchLogsExports).toBeUndefined();
    expect(pg.BacktrackWindow).toBeUndefined();
    expect(pg.ServerlessV2ScalingConfiguration).toBeUndefined();
    expect(pg.PendingModifiedValues).toBeUndefined();

    const my = sim.addCluster({ DBClusterIdentifier: 'My', Engine: 'aurora-mysql', BacktrackWindow: 86400, Tags: [{ Key: 'a', Value: 'b' }] });
    expect(my).toMatchObject({
      DBClusterIdentifier: 'my',
      EngineVersion: '8.0.mysql_aurora.3.08.0',
      Port: 3306,
      DBClusterParameterGroup: 'default.aurora-mysql8.0',
      MasterUsername: 'admin',
      BacktrackWindow: 86400,
      TagList: [{ Key: 'a', Value: 'b' }],
    });
    expect(my.DbClusterResourceId).not.toBe(pg.DbClusterResourceId);
    expect(() => sim.addCluster({ DBClusterIdentifier: 'pg', Engine: 'aurora-postgresql' })).toThrow(/already exists/);
    expect(() => sim.addInstance({ DBInstanceIdentifier: 'x', Engine: 'aurora-postgresql' })).toThrow(/addClusterInstance/);
  });

  test('Serverless v1 and Multi-AZ DB clusters can be seeded and describe as such', async () => {
    sim.addCluster({
      DBClusterIdentifier: 'v1',
      Engine: 'aurora-postgresql',
      EngineMode: 'serverless',
      EngineVersion: '13.12',
      ScalingConfigurationInfo: { MinCapacity: 2, MaxCapacity: 8, AutoPause: true },
    });
    sim.addCluster({ DBClusterIdentifier: 'maz', Engine: 'postgres', DBClusterInstanceClass: 'db.r6gd.large', EngineVersion: '16.3' });
    expect(await describeCluster('v1')).toMatchObject({
      EngineMode: 'serverless',
      EngineVersion: '13.12',
      ScalingConfigurationInfo: { MinCapacity: 2, MaxCapacity: 8 },
      DBClusterParameterGroup: 'default.aurora-postgresql13',
    });
    expect(await describeCluster('maz')).toMatchObject({
      Engine: 'postgres',
      DBClusterInstanceClass: 'db.r6gd.large',
      MultiAZ: true,
      StorageType: 'io1',
      EngineMode: 'provisioned',
      DBClusterParameterGroup: 'default.postgres16',
    });
  });

  test('DescribeDBClusters: NotFound fault, filters, all, and copies rather than internal objects', async () => {
    const a = sim.addCluster({ DBClusterIdentifier: 'a', Engine: 'aurora-postgresql' });
    sim.addCluster({ DBClusterIdentifier: 'b', Engine: 'aurora-mysql' });
    const err = await describeCluster('nope').catch(e => e);
    expect(err).toBeInstanceOf(DBClusterNotFoundFault);
    expect(err.message).toBe('DBCluster nope not found.');
    expect(sim.calls[0]).toMatchObject({ command: 'DescribeDBClusters', error: 'DBClusterNotFoundFault' });

    const all = await rds.send(new DescribeDBClustersCommand({}));
    expect(all.DBClusters!.map(c => c.DBClusterIdentifier)).toEqual(['a', 'b']);
    const byResource = await rds.send(new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-resource-id', Values: [a.DbClusterResourceId!] }] }));
    expect(byResource.DBClusters!.map(c => c.DBClusterIdentifier)).toEqual(['a']);
    const byId = await rds.send(new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-id', Values: ['b'] }] }));
    expect(byId.DBClusters!.map(c => c.DBClusterIdentifier)).toEqual(['b']);
    expect((await describeCluster(`${ARN}:cluster:a`)).DBClusterIdentifier).toBe('a');

    const view = await describeCluster('a');
    view.DeletionProtection = true;
    view.TagList!.push({ Key: 'x', Value: 'y' });
    expect(sim.cluster('a')).toMatchObject({ DeletionProtection: false, TagList: [] });
  });

  test('addClusterInstance: member defaults, membership, and cluster-level settings shown from the cluster', async () => {
    productionCluster();
    const w = sim.addClusterInstance({ DBClusterIdentifier: 'orders', DBInstanceIdentifier: 'orders-1', AvailabilityZone: 'us-east-1a' });
    sim.addClusterInstance({
      DBClusterIdentifier: 'orders',
      DBInstanceIdentifier: 'orders-2',
      DBInstanceClass: 'db.serverless',
      PromotionTier: 0,
      AvailabilityZone: 'us-east-1b',
      MonitoringInterval: 30,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/mon',
      PerformanceInsightsEnabled: true,
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    expect(w).toMatchObject({
      Engine: 'aurora-postgresql',
      DBClusterIdentifier: 'orders',
      DBInstanceClass: 'db.r6g.large',
      PromotionTier: 1,
      StorageType: 'aurora',
      Endpoint: { Address: 'orders-1.c1abcdefghij.us-east-1.rds.amazonaws.com', Port: 6543 },
      DBParameterGroups: [{ DBParameterGroupName: 'default.aurora-postgresql15' }],
      EngineVersion: '15.8',
      MasterUsername: 'ordersadmin',
      DBName: 'orders',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa1111' }],
      DBSubnetGroup: { DBSubnetGroupName: 'orders-private' },
      BackupRetentionPeriod: 14,
      IAMDatabaseAuthenticationEnabled: true,
      MonitoringInterval: 0,
      PerformanceInsightsEnabled: false,
      AutoMinorVersionUpgrade: true,
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    });
    expect(await describeDb('orders-2')).toMatchObject({
      DBInstanceClass: 'db.serverless',
      PromotionTier: 0,
      MonitoringInterval: 30,
      PerformanceInsightsEnabled: true,
      PerformanceInsightsRetentionPeriod: 7,
      TagList: [{ Key: 'k', Value: 'v' }],
    });
    expect(await members('orders')).toEqual([['orders-1', true, 1], ['orders-2', false, 0]]);
    expect((await describeCluster('orders')).DBClusterMembers![0]).toEqual({
      DBInstanceIdentifier: 'orders-1', IsClusterWriter: true, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: 1,
    });
    expect((await describeCluster('orders')).MultiAZ).toBe(true);
    expect(sim.writer('orders')).toBe('orders-1');
    const byCluster = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: ['orders'] }] }));
    expect(byCluster.DBInstances!.map(i => i.DBInstanceIdentifier)).toEqual(['orders-1', 'orders-2']);
    expect(() => sim.addClusterInstance({ DBClusterIdentifier: 'nope', DBInstanceIdentifier: 'x' })).toThrow(/no cluster/);
  });
});

describe('cluster rename', () => {
  test('the identifier, ARN and endpoints change at once; renaming then available; members follow', async () => {
    const before = productionCluster('prod');
    sim.addClusterInstance({ DBClusterIdentifier: 'prod', DBInstanceIdentifier: 'prod-1' });
    sim.addClusterInstance({ DBClusterIdentifier: 'prod', DBInstanceIdentifier: 'prod-2' });
    clock.advance(100);
    const out = await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'prod', NewDBClusterIdentifier: 'prod-old', ApplyImmediately: true }));
    expect(out.DBCluster).toMatchObject({
      DBClusterIdentifier: 'prod-old',
      Status: 'renaming',
      DbClusterResourceId: before.DbClusterResourceId,
      DBClusterArn: `${ARN}:cluster:prod-old`,
      Endpoint: 'prod-old.cluster-c1abcdefghij.us-east-1.rds.amazonaws.com',
      ReaderEndpoint: 'prod-old.cluster-ro-c1abcdefghij.us-east-1.rds.amazonaws.com',
    });
    await expect(describeCluster('prod')).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
    expect(await members('prod-old')).toEqual([['prod-1', true, 1], ['prod-2', false, 1]]);
    expect((await describeDb('prod-1')).DBClusterIdentifier).toBe('prod-old');
    // the members' own endpoints do not change
    expect((await describeDb('prod-1')).Endpoint!.Address).toBe('prod-1.c1abcdefghij.us-east-1.rds.amazonaws.com');

    clock.advance(D.clusterRename - 1);
    expect(await clusterStatus('prod-old')).toBe('renaming');
    clock.advance(1);
    expect(await clusterStatus('prod-old')).toBe('available');
    expect(sim.endpointEvents.filter(e => e.kind === 'cluster')).toEqual([
      { at: 0, identifier: 'prod', reachable: true, kind: 'cluster' },
      { at: 100, identifier: 'prod', reachable: false, kind: 'cluster' },
      { at: 100 + D.clusterRename, identifier: 'prod-old', reachable: true, kind: 'cluster' },
    ]);
    // the old name is free for a new cluster
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'prod-old' });
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'prod', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql' }));
    expect(await members('prod')).toEqual([]);
  });

  test('refused: target taken, invalid id, cluster not available; without ApplyImmediately it waits', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    sim.addCluster({ DBClusterIdentifier: 'other', Engine: 'aurora-postgresql' });
    const rename = (id: string, to: string, immediate = true) =>
      rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: id, NewDBClusterIdentifier: to, ApplyImmediately: immediate }));
    await expect(rename('c', 'other')).rejects.toMatchObject({ name: 'DBClusterAlreadyExistsFault' });
    await expect(rename('c', 'bad--id')).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(rename('nope', 'x')).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });

    const held = await rename('c', 'c-later', false);
    expect(held.DBCluster).toMatchObject({ DBClusterIdentifier: 'c', Status: 'available', PendingModifiedValues: { DBClusterIdentifier: 'c-later' } });
    clock.advance(100_000);
    expect(sim.cluster('c-later')).toBeUndefined();

    await rename('c', 'c-old');
    await expect(rename('c-old', 'c2')).rejects.toMatchObject({
      name: 'InvalidDBClusterStateFault', message: 'DB cluster c-old is not in available state.',
    });
    expect(sim.calls.filter(c => c.error).map(c => c.error)).toEqual([
      'DBClusterAlreadyExistsFault', 'InvalidParameterValue', 'DBClusterNotFoundFault', 'InvalidDBClusterStateFault',
    ]);
  });

  test('renaming a member reboots it for memberRename and keeps its membership and writer role', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-1' });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'c-1', NewDBInstanceIdentifier: 'c-writer', ApplyImmediately: true }));
    clock.advance(D.renamePending);
    expect(await describeDb('c-writer')).toMatchObject({ DBInstanceStatus: 'renaming', DBClusterIdentifier: 'c' });
    expect(await members('c')).toEqual([['c-writer', true, 1]]);
    clock.advance(D.memberRename - 1);
    expect((await describeDb('c-writer')).DBInstanceStatus).toBe('renaming');
    clock.advance(1);
    expect((await describeDb('c-writer')).DBInstanceStatus).toBe('available');
    // the writer rebooted: the cluster endpoint was down meanwhile
    expect(sim.endpointDowntime('c')).toEqual([{ from: D.renamePending, to: D.renamePending + D.memberRename, seconds: D.memberRename }]);
  });
});

describe('ModifyDBCluster', () => {
  test('instant settings change nothing else; the others run modifying for clusterModify', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-1' });
    const instant = await rds.send(new ModifyDBClusterCommand({
      DBClusterIdentifier: 'c',
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: '01:00-01:30',
      PreferredMaintenanceWindow: 'tue:01:00-tue:01:30',
    }));
    expect(instant.DBCluster).toMatchObject({
      Status: 'available',
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      BackupRetentionPeriod: 7,
      PreferredBackupWindow: '01:00-01:30',
      PreferredMaintenanceWindow: 'tue:01:00-tue:01:30',
    });

    const out = await rds.send(new ModifyDBClusterCommand({
      DBClusterIdentifier: 'c',
      ApplyImmediately: true,
      DBClusterParameterGroupName: 'custom-cpg',
      VpcSecurityGroupIds: ['sg-1', 'sg-2'],
      Port: 6000,
      EnableIAMDatabaseAuthentication: true,
      CloudwatchLogsExportConfiguration: { EnableLogTypes: ['postgresql'] },
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 32 },
      StorageType: 'aurora-iopt1',
    }));
    expect(out.DBCluster!.Status).toBe('modifying');
    await expect(rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'c', DeletionProtection: false })))
      .rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
    clock.advance(D.clusterModify);
    expect(await describeCluster('c')).toMatchObject({
      Status: 'available',
      DBClusterParameterGroup: 'custom-cpg',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }, { VpcSecurityGroupId: 'sg-2' }],
      Port: 6000,
      IAMDatabaseAuthenticationEnabled: true,
      EnabledCloudwatchLogsExports: ['postgresql'],
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 32 },
      StorageType: 'aurora-iopt1',
    });
    // the members show the cluster's port and security groups
    expect(await describeDb('c-1')).toMatchObject({ Endpoint: { Port: 6000 }, VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }, { VpcSecurityGroupId: 'sg-2' }] });
    // modifying keeps the cluster endpoint up
    expect(sim.endpointDowntime('c')).toEqual([]);
  });

  test('EngineVersion waits in PendingModifiedValues without ApplyImmediately; refusals', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    sim.addCluster({ DBClusterIdentifier: 'm', Engine: 'aurora-mysql' });
    const held = await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'c', EngineVersion: '16.6' }));
    expect(held.DBCluster).toMatchObject({ Status: 'available', EngineVersion: '16.4', PendingModifiedValues: { EngineVersion: '16.6' } });
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'c', ApplyImmediately: true, EngineVersion: '16.6' }));
    expect(await clusterStatus('c')).toBe('modifying');
    clock.advance(D.clusterModify);
    expect(await describeCluster('c')).toMatchObject({ Status: 'available', EngineVersion: '16.6' });
    expect((await describeCluster('c')).PendingModifiedValues).toBeUndefined();

    const send = (input: object) => rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'c', ApplyImmediately: true, ...input }));
    await expect(send({})).rejects.toMatchObject({ name: 'InvalidParameterCombination', message: 'No modifications were requested' });
    await expect(send({ EngineVersion: '17.2' })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(send({ BacktrackWindow: 3600 })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(send({ StorageType: 'gp3' })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'm', ApplyImmediately: true, BacktrackWindow: 3600 }));
    clock.advance(D.clusterModify);
    expect(sim.cluster('m')).toMatchObject({ BacktrackWindow: 3600, Status: 'available' });
    expect(sim.cluster('c')).toMatchObject({ Status: 'available', EngineVersion: '16.6', StorageType: 'aurora' });
  });
});

describe('RestoreDBClusterFromSnapshot', () => {
  test('with no optional parameters the new cluster does NOT carry the original settings', async () => {
    const original = productionCluster();
    sim.addClusterInstance({ DBClusterIdentifier: 'orders', DBInstanceIdentifier: 'orders-1' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'orders' });
    const out = await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'restored', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql' }));
    expect(out.DBCluster).toMatchObject({ Status: 'creating', DBClusterMembers: [] });

    clock.advance(D.clusterRestore - 1);
    expect(await clusterStatus('restored')).toBe('creating');
    clock.advance(1);
    const r = await describeCluster('restored');
    // from the snapshot
    expect(r).toMatchObject({
      Status: 'available',
      Engine: 'aurora-postgresql',
      EngineVersion: '15.8',
      Port: 6543,
      MasterUsername: 'ordersadmin',
      DatabaseName: 'orders',
      StorageEncrypted: true,
      KmsKeyId: original.KmsKeyId,
      Endpoint: 'restored.cluster-c1abcdefghij.us-east-1.rds.amazonaws.com',
    });
    // AWS defaults, not the original's
    expect(r.DbClusterResourceId).not.toBe(original.DbClusterResourceId);
    expect(r).toMatchObject({
      DBSubnetGroup: 'default',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-default', Status: 'active' }],
      DBClusterParameterGroup: 'default.aurora-postgresql15',
      DeletionProtection: false,
      IAMDatabaseAuthenticationEnabled: false,
      CopyTagsToSnapshot: false,
      StorageType: 'aurora',
      BackupRetentionPeriod: 1,
      HttpEndpointEnabled: false,
      EngineMode: 'provisioned',
      TagList: [],
      DBClusterMembers: [],
    });
    expect(r.EnabledCloudwatchLogsExports).toBeUndefined();
    expect(r.ServerlessV2ScalingConfiguration).toBeUndefined();
    expect(r.BacktrackWindow).toBeUndefined();
    expect(r.PreferredBackupWindow).not.toBe(original.PreferredBackupWindow);
    expect(r.PreferredMaintenanceWindow).not.toBe(original.PreferredMaintenanceWindow);
    expect(r.PreferredBackupWindow).not.toBe('03:00-03:30');
    expect(r.PreferredMaintenanceWindow).not.toBe('sun:05:00-sun:05:30');
    // no members: the original's stay with the original
    expect(await members('orders')).toEqual([['orders-1', true, 1]]);
  });

  test('with parameters the new cluster carries them', async () => {
    productionCluster();
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'orders' });
    await rds.send(new RestoreDBClusterFromSnapshotCommand({
      DBClusterIdentifier: 'restored',
      SnapshotIdentifier: `${ARN}:cluster-snapshot:snap`,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.10',
      EngineMode: 'provisioned',
      Port: 7000,
      DBSubnetGroupName: 'orders-private',
      VpcSecurityGroupIds: ['sg-0aaa1111'],
      DBClusterParameterGroupName: 'orders-cpg15',
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql'],
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      StorageType: 'aurora-iopt1',
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '02:00-02:30',
      Tags: [{ Key: 'team', Value: 'orders' }],
      NetworkType: 'DUAL',
      EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    }));
    clock.advance(D.clusterRestore);
    expect(await describeCluster('restored')).toMatchObject({
      Status: 'available',
      EngineVersion: '15.10',
      Port: 7000,
      DBSubnetGroup: 'orders-private',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa1111', Status: 'active' }],
      DBClusterParameterGroup: 'orders-cpg15',
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
      IAMDatabaseAuthenticationEnabled: true,
      EnabledCloudwatchLogsExports: ['postgresql'],
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      StorageType: 'aurora-iopt1',
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '02:00-02:30',
      TagList: [{ Key: 'team', Value: 'orders' }],
      NetworkType: 'DUAL',
      EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    });
  });

  test('Aurora MySQL: backtracking is not carried unless given', async () => {
    sim.addCluster({ DBClusterIdentifier: 'my', Engine: 'aurora-mysql', BacktrackWindow: 86400 });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'my' });
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'r1', SnapshotIdentifier: 'snap', Engine: 'aurora-mysql' }));
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'r2', SnapshotIdentifier: 'snap', Engine: 'aurora-mysql', BacktrackWindow: 3600 }));
    expect(sim.cluster('r1')!.BacktrackWindow).toBeUndefined();
    expect(sim.cluster('r2')).toMatchObject({ BacktrackWindow: 3600, EngineVersion: '8.0.mysql_aurora.3.08.0', Port: 3306 });
  });

  test('refused: snapshot missing or not available, engine missing or different, identifier taken', async () => {
    sim.addCluster({ DBClusterIdentifier: 'src', Engine: 'aurora-postgresql' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'creating-snap', DBClusterIdentifier: 'src', Status: 'creating' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'src' });
    const send = (input: object) => rds.send(new RestoreDBClusterFromSnapshotCommand({
      DBClusterIdentifier: 'new', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql', ...input,
    }));
    await expect(send({ SnapshotIdentifier: 'missing' })).rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
    await expect(send({ SnapshotIdentifier: 'creating-snap' })).rejects.toMatchObject({ name: 'InvalidDBClusterSnapshotStateFault' });
    await expect(send({ Engine: undefined })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(send({ Engine: 'aurora-mysql' })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(send({ DBClusterIdentifier: 'src' })).rejects.toMatchObject({ name: 'DBClusterAlreadyExistsFault' });
    await expect(send({ DBClusterIdentifier: '9lives' })).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(send({ BacktrackWindow: 3600 })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    expect(sim.clusters().map(c => c.DBClusterIdentifier)).toEqual(['src']);
    clock.advance(D.clusterSnapshotCreate);
    await expect(send({ SnapshotIdentifier: 'creating-snap' })).resolves.toBeDefined();
  });
});

describe('cluster members', () => {
  test('CreateDBInstance is refused until the restored cluster is available, then creating for memberCreate', async () => {
    sim.addCluster({ DBClusterIdentifier: 'src', Engine: 'aurora-postgresql' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'src' });
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'db', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql' }));
    await expect(createMember('db', 'db-1')).rejects.toMatchObject({
      name: 'InvalidDBClusterStateFault', message: 'DB cluster db is not in available state',
    });
    clock.advance(D.clusterRestore - 1);
    await expect(createMember('db', 'db-1')).rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
    expect(sim.instance('db-1')).toBeUndefined();
    clock.advance(1);
    const out = await createMember('db', 'db-1', { PromotionTier: 0, AvailabilityZone: 'us-east-1c', DBParameterGroupName: 'custom-pg' });
    expect(out.DBInstance).toMatchObject({ DBInstanceStatus: 'creating', DBClusterIdentifier: 'db', PromotionTier: 0 });
    expect(out.DBInstance!.Endpoint).toBeUndefined();
    expect(await members('db')).toEqual([['db-1', false, 0]]);
    expect(sim.writer('db')).toBeUndefined();
    clock.advance(D.memberCreate);
    expect(await describeDb('db-1')).toMatchObject({
      DBInstanceStatus: 'available',
      AvailabilityZone: 'us-east-1c',
      DBParameterGroups: [{ DBParameterGroupName: 'custom-pg' }],
      Endpoint: { Address: 'db-1.c1abcdefghij.us-east-1.rds.amazonaws.com', Port: 5432 },
    });
    expect(await members('db')).toEqual([['db-1', true, 0]]);
  });

  test('refused: missing cluster, wrong engine, cluster-level parameters, taken id, db.serverless without v2 scaling', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    sim.addCluster({ DBClusterIdentifier: 'v2', Engine: 'aurora-postgresql', ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 } });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'taken' });
    await expect(createMember('nope', 'x')).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
    await expect(createMember('c', 'x', { Engine: 'aurora-mysql' })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    for (const param of [{ AllocatedStorage: 100 }, { MultiAZ: true }, { VpcSecurityGroupIds: ['sg-1'] }, { StorageType: 'gp3' }, { Iops: 3000 }]) {
      await expect(createMember('c', 'x', param)).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    }
    await expect(createMember('c', 'taken')).rejects.toMatchObject({ name: 'DBInstanceAlreadyExistsFault' });
    await expect(createMember('c', 'x', { DBInstanceClass: 'db.serverless' })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(createMember('c', 'x', { MonitoringInterval: 60 })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(createMember('v2', 'x', { DBInstanceClass: 'db.serverless' })).resolves.toBeDefined();
    await expect(rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'solo', Engine: 'postgres', DBInstanceClass: 'db.t3.micro' })))
      .rejects.toThrow(/only for members/);
    expect(sim.instances().map(i => i.DBInstanceIdentifier).sort()).toEqual(['taken', 'x']);
  });

  test('accepted settings land on the member; defaults otherwise', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    await createMember('c', 'full', {
      DBInstanceClass: 'db.r7g.xlarge',
      AvailabilityZone: 'us-east-1b',
      PromotionTier: 3,
      DBParameterGroupName: 'pg-custom',
      PubliclyAccessible: true,
      MonitoringInterval: 15,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/mon',
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 465,
      AutoMinorVersionUpgrade: false,
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      Tags: [{ Key: 't', Value: '1' }],
      CopyTagsToSnapshot: true,
      PreferredMaintenanceWindow: 'fri:03:00-fri:03:30',
    });
    await createMember('c', 'bare');
    clock.advance(D.memberCreate);
    expect(await describeDb('full')).toMatchObject({
      DBInstanceClass: 'db.r7g.xlarge',
      AvailabilityZone: 'us-east-1b',
      PromotionTier: 3,
      DBParameterGroups: [{ DBParameterGroupName: 'pg-custom' }],
      PubliclyAccessible: true,
      MonitoringInterval: 15,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/mon',
      PerformanceInsightsEnabled: true,
      PerformanceInsightsRetentionPeriod: 465,
      AutoMinorVersionUpgrade: false,
      CACertificateIdentifier: 'rds-ca-ecc384-g1',
      CertificateDetails: { CAIdentifier: 'rds-ca-ecc384-g1' },
      TagList: [{ Key: 't', Value: '1' }],
      CopyTagsToSnapshot: true,
      PreferredMaintenanceWindow: 'fri:03:00-fri:03:30',
    });
    expect(await describeDb('bare')).toMatchObject({
      DBInstanceClass: 'db.r6g.large',
      PromotionTier: 1,
      DBParameterGroups: [{ DBParameterGroupName: 'default.aurora-postgresql16' }],
      PubliclyAccessible: false,
      MonitoringInterval: 0,
      PerformanceInsightsEnabled: false,
      AutoMinorVersionUpgrade: true,
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
      TagList: [],
    });
  });

  test('the writer is the first member to become available; deleting it fails over by promotion tier, then identifier', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    await createMember('c', 'first', { PromotionTier: 15 });
    clock.advance(10);
    await createMember('c', 'a-tier2', { PromotionTier: 2 });
    await createMember('c', 'r-tier0-b', { PromotionTier: 0 });
    await createMember('c', 'r-tier0-a', { PromotionTier: 0 });
    clock.advance(D.memberCreate - 10);
    // 'first' is available, the others are still creating
    expect(sim.writer('c')).toBe('first');
    clock.advance(10);
    expect(await members('c')).toEqual([
      ['a-tier2', false, 2], ['first', true, 15], ['r-tier0-a', false, 0], ['r-tier0-b', false, 0],
    ]);

    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'first' }));
    expect(sim.writer('c')).toBe('r-tier0-a');
    expect(await members('c')).toEqual([
      ['a-tier2', false, 2], ['first', false, 15], ['r-tier0-a', true, 0], ['r-tier0-b', false, 0],
    ]);
    clock.advance(D.delete);
    expect((await members('c')).map(m => m[0])).toEqual(['a-tier2', 'r-tier0-a', 'r-tier0-b']);
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'r-tier0-a', SkipFinalSnapshot: true }));
    expect(sim.writer('c')).toBe('r-tier0-b');
    // failover is instant: the cluster endpoint never went down
    expect(sim.endpointDowntime('c')).toEqual([]);
  });

  test('members created together: the first created is the writer, whatever its promotion tier', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql' });
    await createMember('c', 'writer', { PromotionTier: 15 });
    await createMember('c', 'reader', { PromotionTier: 0 });
    clock.advance(D.memberCreate);
    expect(await members('c')).toEqual([['reader', false, 0], ['writer', true, 15]]);
  });

  test('members: deletable despite cluster deletion protection, no final snapshot, no instance snapshot, no cluster-level modify', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql', DeletionProtection: true });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-1' });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-2' });
    await expect(rds.send(new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 's', DBInstanceIdentifier: 'c-1' })))
      .rejects.toMatchObject({ name: 'InvalidDBInstanceStateFault' });
    await expect(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'c-1', VpcSecurityGroupIds: ['sg-1'], ApplyImmediately: true })))
      .rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'c-1', FinalDBSnapshotIdentifier: 'final' })))
      .rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'c-2', PromotionTier: 4 }));
    expect(await members('c')).toEqual([['c-1', true, 1], ['c-2', false, 4]]);
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'c-2' }));
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'c-1' }));
    clock.advance(D.delete);
    expect(await members('c')).toEqual([]);
    expect(await clusterStatus('c')).toBe('available');
    expect(sim.endpointDowntime('c')).toEqual([{ from: 0, to: D.delete, seconds: D.delete }]);
  });
});

describe('DeleteDBCluster', () => {
  test('refused with deletion protection, with members not deleting, and without a final snapshot decision', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql', DeletionProtection: true });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-1' });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-2' });
    const del = (input: object = { SkipFinalSnapshot: true }) => rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'c', ...input }));
    await expect(del()).rejects.toMatchObject({
      name: 'InvalidParameterCombination', message: 'Cannot delete protected Cluster, please disable deletion protection and try again.',
    });
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'c', DeletionProtection: false }));
    await expect(del()).rejects.toMatchObject({
      name: 'InvalidDBClusterStateFault', message: 'Cluster cannot be deleted, it still contains DB instances in non-deleting state.',
    });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'c-1' }));
    // one member deleting, one not
    await expect(del()).rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'c-2' }));
    await expect(del({})).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(del({ SkipFinalSnapshot: true, FinalDBSnapshotIdentifier: 'f' })).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'nope', SkipFinalSnapshot: true })))
      .rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
    expect(await clusterStatus('c')).toBe('available');
  });

  test('accepted once every member is deleting: waits for them, then deleting for clusterDelete, then gone', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql', CopyTagsToSnapshot: true, Tags: [{ Key: 'k', Value: 'v' }] });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-1' });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'c-1' }));
    clock.advance(10);
    const out = await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'c', FinalDBSnapshotIdentifier: 'c-final' }));
    expect(out.DBCluster!.Status).toBe('available');
    expect(sim.clusterSnapshot('c-final')).toMatchObject({ Status: 'creating', DBClusterIdentifier: 'c', TagList: [{ Key: 'k', Value: 'v' }] });
    // no new members while it is being deleted, and no second delete
    await expect(createMember('c', 'c-2')).rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
    await expect(rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'c', SkipFinalSnapshot: true })))
      .rejects.toMatchObject({ name: 'InvalidDBClusterStateFault', message: 'Cluster c is already being deleted.' });

    clock.advance(D.delete - 10 - 1);
    expect(await clusterStatus('c')).toBe('available');
    clock.advance(1);
    expect(await clusterStatus('c')).toBe('deleting');
    clock.advance(D.clusterDelete - 1);
    expect(await clusterStatus('c')).toBe('deleting');
    clock.advance(1);
    await expect(describeCluster('c')).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
    expect(sim.clusterSnapshot('c-final')?.Status).toBe('available');
    // the identifier is free again
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'c', SnapshotIdentifier: 'c-final', Engine: 'aurora-postgresql' }));
    expect(await clusterStatus('c')).toBe('creating');
  });

  test('an empty cluster is deleting at once', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-mysql' });
    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'c', SkipFinalSnapshot: true }));
    expect(sim.cluster('c')?.Status).toBe('deleting');
    clock.advance(D.clusterDelete);
    expect(sim.cluster('c')).toBeUndefined();
  });
});

describe('cluster snapshots', () => {
  test('lifecycle: creating with progress, available, refusals, delete then gone', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql', Port: 6000, Tags: [{ Key: 'team', Value: 'x' }] });
    const out = await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'snap-1', DBClusterIdentifier: 'c' }));
    expect(out.DBClusterSnapshot).toMatchObject({
      Status: 'creating',
      PercentProgress: 0,
      SnapshotType: 'manual',
      DBClusterIdentifier: 'c',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.4',
      Port: 6000,
      DBClusterSnapshotArn: `${ARN}:cluster-snapshot:snap-1`,
      SnapshotCreateTime: clock.now(),
      StorageEncrypted: true,
      TagList: [],
    });
    await expect(rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'snap-1', DBClusterIdentifier: 'c' })))
      .rejects.toMatchObject({ name: 'DBClusterSnapshotAlreadyExistsFault' });
    await expect(rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'bad-', DBClusterIdentifier: 'c' })))
      .rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 's', DBClusterIdentifier: 'nope' })))
      .rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
    await expect(rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'snap-1' })))
      .rejects.toMatchObject({ name: 'InvalidDBClusterSnapshotStateFault' });

    clock.advance(D.clusterSnapshotCreate / 2);
    expect(sim.clusterSnapshot('snap-1')).toMatchObject({ Status: 'creating', PercentProgress: 50 });
    clock.advance(D.clusterSnapshotCreate / 2);
    const described = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'c', SnapshotType: 'manual' }));
    expect(described.DBClusterSnapshots!.map(s => [s.DBClusterSnapshotIdentifier, s.Status, s.PercentProgress])).toEqual([['snap-1', 'available', 100]]);
    expect((await rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'automated' }))).DBClusterSnapshots).toEqual([]);
    await expect(rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: 'nope' })))
      .rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });

    await rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'snap-1' }));
    expect(sim.clusterSnapshot('snap-1')?.Status).toBe('deleting');
    clock.advance(D.snapshotDelete);
    await expect(rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: 'snap-1' })))
      .rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
    await expect(rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'snap-1' })))
      .rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
  });

  test('tags follow CopyTagsToSnapshot unless given; the cluster must be available', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql', CopyTagsToSnapshot: true, Tags: [{ Key: 'team', Value: 'x' }] });
    await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 's1', DBClusterIdentifier: 'c' }));
    await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 's2', DBClusterIdentifier: 'c', Tags: [{ Key: 'own', Value: 'y' }] }));
    const listed = await rds.send(new DescribeDBClusterSnapshotsCommand({ Filters: [{ Name: 'db-cluster-snapshot-id', Values: ['s1', 's2'] }] }));
    expect(listed.DBClusterSnapshots!.map(s => s.TagList)).toEqual([[{ Key: 'team', Value: 'x' }], [{ Key: 'own', Value: 'y' }]]);
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'c', DBClusterParameterGroupName: 'other', ApplyImmediately: true }));
    await expect(rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 's3', DBClusterIdentifier: 'c' })))
      .rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
  });
});

describe('tags on clusters and cluster snapshots', () => {
  test('add, list and remove by ARN; the ARN follows a rename', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql', Tags: [{ Key: 'a', Value: '1' }] });
    const arn = `${ARN}:cluster:c`;
    await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }] }));
    expect((await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList).toEqual([{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }]);
    await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['a'] }));
    expect((await describeCluster('c')).TagList).toEqual([{ Key: 'b', Value: '3' }]);

    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'c', NewDBClusterIdentifier: 'c-old', ApplyImmediately: true }));
    await expect(rds.send(new ListTagsForResourceCommand({ ResourceName: arn }))).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
    expect((await rds.send(new ListTagsForResourceCommand({ ResourceName: `${ARN}:cluster:c-old` }))).TagList).toEqual([{ Key: 'b', Value: '3' }]);

    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'c-old' });
    await rds.send(new AddTagsToResourceCommand({ ResourceName: `${ARN}:cluster-snapshot:snap`, Tags: [{ Key: 's', Value: '1' }] }));
    expect(sim.clusterSnapshot('snap')?.TagList).toEqual([{ Key: 's', Value: '1' }]);
    await expect(rds.send(new ListTagsForResourceCommand({ ResourceName: `${ARN}:cluster-snapshot:nope` })))
      .rejects.toMatchObject({ name: 'DBClusterSnapshotNotFoundFault' });
  });
});

describe('fault injection and stuck clusters', () => {
  test('failOn hits cluster commands with real SDK exceptions', async () => {
    sim.addCluster({ DBClusterIdentifier: 'src', Engine: 'aurora-postgresql' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'src' });
    sim.failOn({ command: 'RestoreDBClusterFromSnapshotCommand', error: 'InsufficientDBClusterCapacityFault', times: 1 });
    const err = await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'r', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql' }))
      .catch(e => e);
    expect(err).toBeInstanceOf(InsufficientDBClusterCapacityFault);
    expect(sim.cluster('r')).toBeUndefined();
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'r', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql' }));
    expect(sim.calls.map(c => [c.command, c.error])).toEqual([
      ['RestoreDBClusterFromSnapshot', 'InsufficientDBClusterCapacityFault'], ['RestoreDBClusterFromSnapshot', undefined],
    ]);
  });

  test('stick and stickNext work on clusters, their snapshots and their members', async () => {
    sim.addCluster({ DBClusterIdentifier: 'src', Engine: 'aurora-postgresql' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'src' });
    sim.stick('stuck');
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'stuck', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql' }));
    sim.stickNext('src-old');
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'src', NewDBClusterIdentifier: 'src-old', ApplyImmediately: true }));
    sim.stick('snap-2');
    await rds.send(new CreateDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: 'snap-2', DBClusterIdentifier: 'src-old' })).catch(e => e);
    clock.advance(1_000_000);
    expect(await clusterStatus('stuck')).toBe('creating');
    expect(await clusterStatus('src-old')).toBe('renaming');
    sim.stick('src-old', 'inaccessible-encryption-credentials');
    expect(await clusterStatus('src-old')).toBe('inaccessible-encryption-credentials');
    expect(sim.clusterSnapshot('snap-2')).toBeUndefined(); // refused: the cluster was renaming
  });
});

describe('cluster endpoint downtime', () => {
  test('an in-place cluster restore: down from the rename until the new writer is available', async () => {
    productionCluster('db', { DeletionProtection: false });
    sim.addClusterInstance({ DBClusterIdentifier: 'db', DBInstanceIdentifier: 'db-1' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'snap', DBClusterIdentifier: 'db' });
    clock.advance(60);
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'db', NewDBClusterIdentifier: 'db-old', ApplyImmediately: true }));
    await rds.send(new RestoreDBClusterFromSnapshotCommand({ DBClusterIdentifier: 'db', SnapshotIdentifier: 'snap', Engine: 'aurora-postgresql' }));
    clock.advance(D.clusterRestore);
    // the restored cluster is available but has no writer: still down
    expect(await clusterStatus('db')).toBe('available');
    expect(sim.endpointDowntime('db')).toEqual([{ from: 60, to: 60 + D.clusterRestore, seconds: D.clusterRestore }]);
    await rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db-1', NewDBInstanceIdentifier: 'db-1-old', ApplyImmediately: true }));
    clock.advance(D.renamePending);
    await createMember('db', 'db-1');
    const createdAt = clock.elapsed;
    clock.advance(10_000);

    expect(sim.endpointDowntime('db')).toEqual([{ from: 60, to: createdAt + D.memberCreate, seconds: createdAt + D.memberCreate - 60 }]);
    expect(sim.endpointDowntime('db', 'cluster')).toEqual(sim.endpointDowntime('db'));
    expect(sim.endpointDowntime('db-old')).toEqual([
      { from: 60 + D.clusterRestore + D.renamePending, to: 60 + D.clusterRestore + D.renamePending + D.memberRename, seconds: D.memberRename },
    ]);
    // an instance endpoint: the old writer's name was unreachable from its rename until the new writer was up
    const renamedAt = 60 + D.clusterRestore + D.renamePending;
    expect(sim.endpointDowntime('db-1', 'instance')).toEqual([
      { from: renamedAt, to: createdAt + D.memberCreate, seconds: createdAt + D.memberCreate - renamedAt },
    ]);
    expect(sim.writer('db')).toBe('db-1');
    expect(sim.writer('db-old')).toBe('db-1-old');
  });

  test('the new durations are in the table and can be overridden', () => {
    const fast = new RdsSimulator({ clock, durations: { clusterRestore: 30, memberCreate: 20 } });
    expect(fast.durations).toEqual({ ...D, clusterRestore: 30, memberCreate: 20 });
    expect(D).toMatchObject({
      clusterRename: 60, clusterModify: 60, clusterSnapshotCreate: 300, clusterRestore: 900, memberCreate: 600, clusterDelete: 60, memberRename: 120,
    });
  });
});

describe('DeleteAutomatedBackups', () => {
  test('a cluster deleted with DeleteAutomatedBackups: false keeps its automated backups for their retention period; by default they go', async () => {
    sim.addCluster({ DBClusterIdentifier: 'kept', Engine: 'aurora-postgresql', BackupRetentionPeriod: 7 });
    sim.addCluster({ DBClusterIdentifier: 'dropped', Engine: 'aurora-postgresql', BackupRetentionPeriod: 7 });
    sim.addCluster({ DBClusterIdentifier: 'explicit', Engine: 'aurora-postgresql', BackupRetentionPeriod: 7 });
    const kept = sim.cluster('kept')!;
    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'kept', FinalDBSnapshotIdentifier: 'kept-final', DeleteAutomatedBackups: false }));
    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'dropped', SkipFinalSnapshot: true }));
    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: 'explicit', SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
    clock.advance(D.clusterDelete);
    expect(sim.clusters()).toEqual([]);
    expect(sim.retainedAutomatedBackups()).toEqual([
      { kind: 'cluster', identifier: 'kept', resourceId: kept.DbClusterResourceId, retentionPeriod: 7, retainedAt: 0 },
    ]);
    expect(sim.clusterSnapshot('kept-final')?.Status).toBe('creating');
    clock.advance(7 * 86400 - D.clusterDelete - 1);
    expect(sim.retainedAutomatedBackups()).toHaveLength(1);
    clock.advance(1);
    expect(sim.retainedAutomatedBackups()).toEqual([]);
  });

  test('members have none of their own; a DB instance keeps its own like a cluster', async () => {
    sim.addCluster({ DBClusterIdentifier: 'c', Engine: 'aurora-postgresql', BackupRetentionPeriod: 7 });
    sim.addClusterInstance({ DBClusterIdentifier: 'c', DBInstanceIdentifier: 'c-1' });
    const db = sim.addInstance({ DBInstanceIdentifier: 'db', Engine: 'postgres', BackupRetentionPeriod: 3 });
    sim.addInstance({ DBInstanceIdentifier: 'no-backups', Engine: 'postgres', BackupRetentionPeriod: 0 });
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'c-1', DeleteAutomatedBackups: false }));
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'db', SkipFinalSnapshot: true, DeleteAutomatedBackups: false }));
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'no-backups', SkipFinalSnapshot: true, DeleteAutomatedBackups: false }));
    expect(sim.retainedAutomatedBackups()).toEqual([
      { kind: 'instance', identifier: 'db', resourceId: db.DbiResourceId, retentionPeriod: 3, retainedAt: 0 },
    ]);
  });
});
