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
