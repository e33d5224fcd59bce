import type { DBInstance } from '@aws-sdk/client-rds';
import { captureInstanceConfig, configDrift, modifyParams, restoreParams } from '../../lambda-src/rds/instance-config';

const original: DBInstance = {
  DBInstanceIdentifier: 'orders-db',
  Engine: 'postgres',
  DBInstanceClass: 'db.r6g.large',
  MultiAZ: true,
  AvailabilityZone: 'us-east-1b',
  DBSubnetGroup: { DBSubnetGroupName: 'private' },
  VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-2' }, { VpcSecurityGroupId: 'sg-1' }],
  StorageType: 'gp3',
  AllocatedStorage: 100,
  Iops: 3000,
  StorageThroughput: 125,
  TagList: [{ Key: 'team', Value: 'orders' }, { Key: 'aws:cloudformation:stack-name', Value: 's' }],
  MonitoringInterval: 15,
  MonitoringRoleArn: 'arn:aws:iam::1:role/m',
  PerformanceInsightsEnabled: false,
  PerformanceInsightsRetentionPeriod: 7,
  BackupRetentionPeriod: 14,
};

describe('instance configuration mapping', () => {
  const config = captureInstanceConfig(original);

  test('restore carries what it can; Multi-AZ drops the AZ; gp3 below 400 GiB stays at baseline', () => {
    const params = restoreParams(config);
    expect(params).toMatchObject({ DBInstanceClass: 'db.r6g.large', MultiAZ: true, DBSubnetGroupName: 'private', VpcSecurityGroupIds: ['sg-1', 'sg-2'], StorageType: 'gp3', AllocatedStorage: 100 });
    expect(params.AvailabilityZone).toBeUndefined();
    expect(params.Iops).toBeUndefined();
    expect(params.StorageThroughput).toBeUndefined();
  });

  test('aws: tags are not carried (nobody may set them)', () => {
    expect(restoreParams(config).Tags).toEqual([{ Key: 'team', Value: 'orders' }]);
  });

  test('modify sends only what differs, and monitoring goes with its role', () => {
    const restored: DBInstance = { ...original, MonitoringInterval: 0, MonitoringRoleArn: undefined, BackupRetentionPeriod: 14 };
    expect(modifyParams(config, restored)).toEqual({ MonitoringInterval: 15, MonitoringRoleArn: 'arn:aws:iam::1:role/m' });
    expect(modifyParams(config, original)).toEqual({});
  });

  test('Performance Insights settings are ignored while it is off', () => {
    expect(config.performanceInsightsRetention).toBeUndefined();
  });

  test('drift lists every kept attribute that differs', () => {
    expect(configDrift(config, { ...original, DBInstanceClass: 'db.t3.micro', DeletionProtection: true })).toEqual(['instanceClass']);
    expect(configDrift(config, original)).toEqual([]);
  });
});

describe('engine-specific rules', () => {
  const sqlServer: DBInstance = {
    ...original,
    Engine: 'sqlserver-se',
    StorageType: 'gp3',
    AllocatedStorage: 200,
    Iops: 6000,
    StorageThroughput: 250,
    EngineLifecycleSupport: 'open-source-rds-extended-support',
  };

  test('SQL Server: no AllocatedStorage on the restore (API_RestoreDBInstanceFromDBSnapshot: "This setting isn\'t valid for RDS for SQL Server")', () => {
    expect(restoreParams(captureInstanceConfig(sqlServer))).not.toHaveProperty('AllocatedStorage');
  });

  test('SQL Server gp3 has no baseline threshold: IOPS and throughput are carried at any size', () => {
    expect(restoreParams(captureInstanceConfig(sqlServer))).toMatchObject({ StorageType: 'gp3', Iops: 6000, StorageThroughput: 250 });
    // other engines below 400 GiB run at the baseline, which RDS sets by itself
    expect(restoreParams(captureInstanceConfig({ ...sqlServer, Engine: 'postgres' }))).not.toHaveProperty('Iops');
  });

  test('SQL Server: storage the original gained since the snapshot is added by ModifyDBInstance, with its IOPS', () => {
    const config = captureInstanceConfig(sqlServer);
    expect(modifyParams(config, { ...sqlServer, AllocatedStorage: 150 })).toEqual({ AllocatedStorage: 200, Iops: 6000 });
    expect(modifyParams(config, sqlServer)).toEqual({});
    // and verify still checks it
    expect(configDrift(config, { ...sqlServer, AllocatedStorage: 150 })).toEqual(['allocatedStorage']);
    // other engines carry it on the restore, never by modify
    expect(modifyParams(captureInstanceConfig(original), { ...original, AllocatedStorage: 50 })).toEqual({});
  });

  test.each(['sqlserver-se', 'oracle-ee', 'mariadb'])('EngineLifecycleSupport is not sent for %s (MySQL and PostgreSQL only)', (engine) => {
    const config = captureInstanceConfig({ ...sqlServer, Engine: engine });
    expect(restoreParams(config)).not.toHaveProperty('EngineLifecycleSupport');
    expect(configDrift(config, { ...sqlServer, Engine: engine, EngineLifecycleSupport: undefined })).not.toContain('engineLifecycleSupport');
  });

  test.each(['mysql', 'postgres'])('EngineLifecycleSupport is carried for %s', (engine) => {
    expect(restoreParams(captureInstanceConfig({ ...sqlServer, Engine: engine }))).toMatchObject({ EngineLifecycleSupport: 'open-source-rds-extended-support' });
  });
});
