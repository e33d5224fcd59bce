import type { DBInstance } from '@aws-sdk/client-rds';
import type { RdsSimulator } from './rds-sim';
import { snapshotIdentifier, TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';

const ACCOUNT = '123456789012';

/**
 * An original with a non-default value for every setting in the retention
 * table (where RDS allows it): a restore that forgets one is caught.
 */
type Spec = DBInstance & { DBInstanceIdentifier: string; Engine: string };

export function fullyConfiguredInstance(identifier: string, overrides: Partial<DBInstance> = {}): Spec {
  return {
    DBInstanceIdentifier: identifier,
    Engine: 'postgres',
    EngineVersion: '16.3',
    DBInstanceClass: 'db.r6g.large',
    MultiAZ: true,
    DBSubnetGroup: { DBSubnetGroupName: 'orders-private', VpcId: 'vpc-0abc' },
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa1111', Status: 'active' }, { VpcSecurityGroupId: 'sg-0bbb2222', Status: 'active' }],
    PubliclyAccessible: true,
    DBParameterGroups: [{ DBParameterGroupName: 'orders-pg16', ParameterApplyStatus: 'in-sync' }],
    OptionGroupMemberships: [{ OptionGroupName: 'orders-options', Status: 'in-sync' }],
    Endpoint: { Port: 6543 },
    StorageType: 'gp3',
    AllocatedStorage: 500,
    Iops: 12000,
    StorageThroughput: 500,
    MaxAllocatedStorage: 1000,
    TagList: [{ Key: 'team', Value: 'orders' }, { Key: 'env', Value: 'perf' }],
    CopyTagsToSnapshot: true,
    DeletionProtection: true,
    IAMDatabaseAuthenticationEnabled: true,
    EnabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
    AutoMinorVersionUpgrade: false,
    CACertificateIdentifier: 'rds-ca-ecc384-g1',
    BackupRetentionPeriod: 14,
    PreferredBackupWindow: '02:00-02:30',
    PreferredMaintenanceWindow: 'sat:04:00-sat:04:30',
    MonitoringInterval: 15,
    MonitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-monitoring`,
    PerformanceInsightsEnabled: true,
    PerformanceInsightsKMSKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
    PerformanceInsightsRetentionPeriod: 465,
    DatabaseInsightsMode: 'advanced',
    NetworkType: 'DUAL',
    EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    DomainMemberships: [{ Domain: 'd-9067a1b2c3', Status: 'joined', IAMRoleName: 'rds-directory-access' }],
    ...overrides,
  };
}

/** A snapshot this pipeline made earlier, tagged as the pipeline tags its own. */
export function seedPipelineSnapshot(sim: RdsSimulator, identifier: string, pipelineId: string, takenAt: string) {
  return sim.addSnapshot({
    DBSnapshotIdentifier: snapshotIdentifier(identifier, takenAt),
    DBInstanceIdentifier: identifier,
    SnapshotCreateTime: new Date(takenAt),
    Tags: [{ Key: TAG_SOURCE, Value: identifier }, { Key: TAG_PIPELINE, Value: pipelineId }],
  });
}

/** The demo's database: fully configured, with last week's pipeline snapshot and the original tool's snapshot. */
export function seedDemoInstance(sim: RdsSimulator, identifier: string, pipelineId: string): { before: DBInstance } {
  const before = sim.addInstance(fullyConfiguredInstance(identifier));
  seedPipelineSnapshot(sim, identifier, pipelineId, '2026-01-02T08:00:00Z');
  sim.addSnapshot({ DBSnapshotIdentifier: `${identifier}-snapshot`, DBInstanceIdentifier: identifier, SnapshotCreateTime: new Date('2025-12-01T08:00:00Z') });
  return { before };
}
