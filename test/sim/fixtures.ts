import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { RdsSimulator } from './rds-sim';
import { snapshotIdentifier, TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { RESTORABLE_TAG_KEY, RESTORABLE_TAG_VALUE } from '../../src/input-rules';

const ACCOUNT = '123456789012';

/** The tag that lets the pipeline restore a database (see allowedIdentifiers). */
export const RESTORABLE = { Key: RESTORABLE_TAG_KEY, Value: RESTORABLE_TAG_VALUE };

/** The customer-managed KMS key the fixture instance's storage (so its snapshots) is encrypted with. */
export const INSTANCE_KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0a1b2c3d-1111-4222-8333-444455556666`;

/**
 * An original with a non-default value for every setting in the retention
 * table (where RDS allows it): a restore that forgets one is caught. Encrypted
 * with a customer-managed key, as most production databases are, and its
 * Performance Insights with another.
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
    StorageEncrypted: true,
    KmsKeyId: INSTANCE_KMS_KEY,
    AllocatedStorage: 500,
    Iops: 12000,
    StorageThroughput: 500,
    MaxAllocatedStorage: 1000,
    TagList: [{ Key: 'team', Value: 'orders' }, { Key: 'env', Value: 'perf' }, RESTORABLE],
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

type ClusterSpec = DBCluster & { DBClusterIdentifier: string; Engine: string };

/** The customer-managed KMS key the fixture cluster and its Performance Insights are encrypted with. */
export const CLUSTER_KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f`;

/**
 * An Aurora PostgreSQL cluster with a non-default value for every setting in the cluster table,
 * encrypted with a customer-managed key, in Database Insights advanced mode (cluster-level
 * Performance Insights with 465 days, and enhanced monitoring).
 */
export function fullyConfiguredCluster(identifier: string, overrides: Partial<DBCluster> = {}): ClusterSpec {
  return {
    DBClusterIdentifier: identifier,
    Engine: 'aurora-postgresql',
    EngineVersion: '16.4',
    EngineMode: 'provisioned',
    Port: 6432,
    DBSubnetGroup: 'orders-private',
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0aaa1111', Status: 'active' }, { VpcSecurityGroupId: 'sg-0ccc3333', Status: 'active' }],
    DBClusterParameterGroup: 'orders-cluster-pg16',
    ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 16, SecondsUntilAutoPause: 3600 },
    StorageType: 'aurora-iopt1',
    StorageEncrypted: true,
    KmsKeyId: CLUSTER_KMS_KEY,
    IAMDatabaseAuthenticationEnabled: true,
    DeletionProtection: true,
    EnabledCloudwatchLogsExports: ['postgresql'],
    CopyTagsToSnapshot: true,
    TagList: [{ Key: 'team', Value: 'orders' }, { Key: 'env', Value: 'perf' }, RESTORABLE],
    BackupRetentionPeriod: 14,
    PreferredBackupWindow: '02:00-02:30',
    PreferredMaintenanceWindow: 'sat:04:00-sat:04:30',
    HttpEndpointEnabled: true,
    DatabaseInsightsMode: 'advanced',
    PerformanceInsightsEnabled: true,
    PerformanceInsightsKMSKeyId: CLUSTER_KMS_KEY,
    PerformanceInsightsRetentionPeriod: 465,
    MonitoringInterval: 30,
    MonitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-monitoring`,
    NetworkType: 'DUAL',
    EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    ...overrides,
  };
}

/**
 * Member settings that differ from every default, varied per member where Aurora allows it.
 * Performance Insights and enhanced monitoring are the cluster's: with Database Insights
 * "each DB instance in a DB cluster must have the same Performance Insights and Enhanced
 * Monitoring settings" (Aurora User Guide, "Considerations for Database Insights").
 */
type MemberSpec = Spec & { DBClusterIdentifier: string };

export function fullyConfiguredMember(identifier: string, cluster: string, overrides: Partial<DBInstance> = {}): MemberSpec {
  return {
    DBInstanceIdentifier: identifier,
    DBClusterIdentifier: cluster,
    Engine: 'aurora-postgresql',
    DBInstanceClass: 'db.r6g.large',
    AvailabilityZone: 'us-east-1a',
    PromotionTier: 0,
    DBParameterGroups: [{ DBParameterGroupName: 'orders-member-pg16', ParameterApplyStatus: 'in-sync' }],
    PubliclyAccessible: true,
    MonitoringInterval: 30,
    MonitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-monitoring`,
    PerformanceInsightsEnabled: true,
    PerformanceInsightsKMSKeyId: CLUSTER_KMS_KEY,
    PerformanceInsightsRetentionPeriod: 465,
    AutoMinorVersionUpgrade: false,
    CACertificateIdentifier: 'rds-ca-ecc384-g1',
    PreferredMaintenanceWindow: 'sun:06:00-sun:06:30',
    TagList: [{ Key: 'role', Value: identifier.endsWith('1') ? 'writer' : 'reader' }, RESTORABLE],
    ...overrides,
  };
}

/** The cluster: one writer and two readers of different classes and tiers (one serverless v2). */
export function seedCluster(sim: RdsSimulator, identifier = 'orders-aurora', overrides: Partial<DBCluster> = {}): { cluster: DBCluster; members: DBInstance[] } {
  sim.addCluster(fullyConfiguredCluster(identifier, overrides));
  const members = [
    sim.addClusterInstance(fullyConfiguredMember(`${identifier}-1`, identifier)),
    sim.addClusterInstance(fullyConfiguredMember(`${identifier}-2`, identifier, { DBInstanceClass: 'db.r6g.xlarge', AvailabilityZone: 'us-east-1b', PromotionTier: 1 })),
    sim.addClusterInstance(fullyConfiguredMember(`${identifier}-3`, identifier, {
      DBInstanceClass: 'db.serverless', AvailabilityZone: 'us-east-1c', PromotionTier: 2, PubliclyAccessible: false,
    })),
  ];
  return { cluster: sim.cluster(identifier)!, members };
}

/** The account that shares golden snapshots with the simulated one (a `sourceAccounts` entry). */
export const SOURCE_ACCOUNT = '210987654321';
/** The customer managed key of SOURCE_ACCOUNT its shared snapshots are encrypted with. */
export const SOURCE_KMS_KEY = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/9e8d7c6b-5a49-4382-a716-151413121110`;
/** The key of the simulated account that copies of shared snapshots are re-encrypted with (`copyKey`). */
export const COPY_KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9`;

/**
 * A golden snapshot of SOURCE_ACCOUNT shared with the simulated account, with the
 * data of the simulator's `from` instance (or cluster): encrypted with
 * SOURCE_KMS_KEY, whose key policy allows the simulated account unless
 * `keyAllowsThisAccount` is false (the source account forgot the key grant).
 */
export function seedSharedGolden(sim: RdsSimulator, opts: {
  from: string; isCluster?: boolean; name?: string; encrypted?: boolean; keyAllowsThisAccount?: boolean; sharedWithThisAccount?: boolean;
}): string {
  const arn = `arn:aws:rds:us-east-1:${SOURCE_ACCOUNT}:${opts.isCluster ? 'cluster-snapshot' : 'snapshot'}:${opts.name ?? 'golden'}`;
  const encrypted = opts.encrypted ?? true;
  if (encrypted) sim.addForeignKey(SOURCE_KMS_KEY, opts.keyAllowsThisAccount === false ? [] : [ACCOUNT]);
  sim.addSharedSnapshot({
    arn,
    from: opts.from,
    isCluster: opts.isCluster,
    kmsKeyId: encrypted ? SOURCE_KMS_KEY : undefined,
    sharedWith: opts.sharedWithThisAccount === false ? [] : [ACCOUNT],
  });
  return arn;
}
