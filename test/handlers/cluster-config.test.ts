import type { DBCluster } from '@aws-sdk/client-rds';
import { captureClusterConfig, clusterChangesAfterRestore, clusterRestoreParams } from '../../lambda-src/rds/cluster-config';
import { CLUSTER_KMS_KEY, fullyConfiguredCluster } from '../sim/fixtures';

const ROLE = 'arn:aws:iam::123456789012:role/rds-monitoring';

/** A cluster as RestoreDBClusterFromSnapshot leaves it when given only the restore fields. */
function restoredFrom(original: DBCluster): DBCluster {
  const fields = clusterRestoreParams(captureClusterConfig(original), original.Engine!);
  return {
    DBClusterIdentifier: original.DBClusterIdentifier,
    Engine: original.Engine,
    ServerlessV2ScalingConfiguration: fields.ServerlessV2ScalingConfiguration,
    PerformanceInsightsEnabled: fields.EnablePerformanceInsights,
    PerformanceInsightsKMSKeyId: fields.PerformanceInsightsKMSKeyId,
    PerformanceInsightsRetentionPeriod: fields.PerformanceInsightsRetentionPeriod,
    MonitoringInterval: fields.MonitoringInterval,
    MonitoringRoleArn: fields.MonitoringRoleArn,
    DatabaseInsightsMode: 'standard',
    HttpEndpointEnabled: false,
  };
}

describe('cluster configuration: the restore call', () => {
  test('carries cluster-level Performance Insights and enhanced monitoring, and Serverless v2 auto-pause', () => {
    const original = fullyConfiguredCluster('orders-aurora');
    const fields = clusterRestoreParams(captureClusterConfig(original), 'aurora-postgresql');
    expect(fields).toMatchObject({
      Engine: 'aurora-postgresql',
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: CLUSTER_KMS_KEY,
      PerformanceInsightsRetentionPeriod: 465,
      MonitoringInterval: 30,
      MonitoringRoleArn: ROLE,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 16, SecondsUntilAutoPause: 3600 },
    });
    // neither the Data API nor the Database Insights mode is a RestoreDBClusterFromSnapshot field
    expect(fields).not.toHaveProperty('EnableHttpEndpoint');
    expect(fields).not.toHaveProperty('DatabaseInsightsMode');
  });

  test('a cluster without cluster-level Performance Insights or monitoring: nothing is sent for them, not even "off"', () => {
    const original = fullyConfiguredCluster('orders-aurora', {
      PerformanceInsightsEnabled: false, MonitoringInterval: 0, MonitoringRoleArn: undefined, DatabaseInsightsMode: 'standard',
    });
    const fields = clusterRestoreParams(captureClusterConfig(original), 'aurora-postgresql');
    for (const absent of ['EnablePerformanceInsights', 'PerformanceInsightsKMSKeyId', 'PerformanceInsightsRetentionPeriod', 'MonitoringInterval', 'MonitoringRoleArn']) {
      expect(fields).not.toHaveProperty(absent);
    }
  });
});

describe('cluster configuration: after the restore', () => {
  test('the Data API is its own operation and never a ModifyDBCluster field; advanced mode goes with Performance Insights and 465 days', () => {
    const original = fullyConfiguredCluster('orders-aurora');
    const changes = clusterChangesAfterRestore(captureClusterConfig(original), restoredFrom(original));
    expect(changes.httpEndpoint).toBe(true);
    expect(changes.modify).not.toHaveProperty('EnableHttpEndpoint');
    expect(changes.modify).toMatchObject({ DatabaseInsightsMode: 'advanced', EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 465 });
  });

  test('nothing differs: no Data API call and an empty ModifyDBCluster', () => {
    const original = fullyConfiguredCluster('orders-aurora');
    const changes = clusterChangesAfterRestore(captureClusterConfig(original), original);
    expect(changes).toEqual({ modify: {}, httpEndpoint: undefined });
  });

  test('standard mode: only the mode, without Performance Insights fields', () => {
    const original = fullyConfiguredCluster('orders-aurora', { DatabaseInsightsMode: 'standard', HttpEndpointEnabled: false });
    const changes = clusterChangesAfterRestore(captureClusterConfig(original), { ...original, DatabaseInsightsMode: 'advanced' });
    expect(changes).toEqual({ modify: { DatabaseInsightsMode: 'standard' }, httpEndpoint: undefined });
  });
});
