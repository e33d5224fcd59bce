/**
 * Simulator rules for Aurora clusters that the pipeline once got wrong: the
 * RDS Data API operations, Database Insights advanced mode, Serverless v2
 * auto-pause, and RDS using a customer-managed KMS key for the caller.
 */
import {
  CreateDBInstanceCommand, DisableHttpEndpointCommand, EnableHttpEndpointCommand, ModifyDBClusterCommand, RDSClient,
  RestoreDBClusterFromSnapshotCommand,
} from '@aws-sdk/client-rds';
import { addCallGate, AwsCall } from './aws-calls';
import { SimClock } from './clock';
import { DEFAULT_DURATIONS, RdsSimulator } from './rds-sim';

const D = DEFAULT_DURATIONS;
const ACCOUNT = '123456789012';
const CMK = `arn:aws:kms:us-east-1:${ACCOUNT}:key/6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f`;
const AWS_RDS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/5f8b9a1e-3c2d-4e6f-8a7b-9c0d1e2f3a4b`;
const arnOf = (id: string) => `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:${id}`;

let clock: SimClock;
let sim: RdsSimulator;
let rds: RDSClient;
const removeGates: (() => void)[] = [];

beforeEach(() => {
  clock = new SimClock();
  sim = new RdsSimulator({ clock });
  sim.install();
  rds = new RDSClient({ region: 'us-east-1' });
});

afterEach(() => {
  sim.uninstall();
  removeGates.splice(0).forEach((remove) => remove());
});

/** Record the KMS calls RDS makes for the caller; refuse those on `refused` keys, as IAM would. */
function kmsGate(refused: string[] = []): AwsCall[] {
  const seen: AwsCall[] = [];
  removeGates.push(addCallGate((call) => {
    if (call.service !== 'kms') return;
    seen.push(call);
    if (refused.includes(call.input.KeyId)) throw new Error(`AccessDenied: kms:${call.action} on ${call.input.KeyId}`);
  }));
  return seen;
}

const modify = (id: string, input: object) => rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: id, ApplyImmediately: true, ...input }));

describe('RDS Data API (HTTP endpoint)', () => {
  test('ModifyDBCluster EnableHttpEndpoint: Serverless v1 only; provisioned and Serverless v2 clusters are refused', async () => {
    sim.addCluster({ DBClusterIdentifier: 'prov', Engine: 'aurora-postgresql' });
    sim.addCluster({ DBClusterIdentifier: 'v2', Engine: 'aurora-postgresql', ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 } });
    sim.addCluster({ DBClusterIdentifier: 'v1', Engine: 'aurora-postgresql', EngineMode: 'serverless', EngineVersion: '13.12' });
    for (const id of ['prov', 'v2']) {
      await expect(modify(id, { EnableHttpEndpoint: true })).rejects.toMatchObject({
        name: 'InvalidParameterCombination',
        message: expect.stringMatching(/applies only to Aurora Serverless v1 DB clusters.*use the EnableHttpEndpoint or DisableHttpEndpoint operation/),
      });
      expect(sim.cluster(id)).toMatchObject({ HttpEndpointEnabled: false, Status: 'available' });
    }
    await modify('v1', { EnableHttpEndpoint: true });
    clock.advance(D.clusterModify);
    expect(sim.cluster('v1')).toMatchObject({ HttpEndpointEnabled: true, Status: 'available' });
  });

  test('EnableHttpEndpoint / DisableHttpEndpoint by cluster ARN: no status change; the ARN follows a rename', async () => {
    sim.addCluster({ DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql' });
    const on = await rds.send(new EnableHttpEndpointCommand({ ResourceArn: arnOf('orders') }));
    expect(on).toMatchObject({ ResourceArn: arnOf('orders'), HttpEndpointEnabled: true });
    expect(sim.cluster('orders')).toMatchObject({ HttpEndpointEnabled: true, Status: 'available' });
    await modify('orders', { NewDBClusterIdentifier: 'orders-old' });
    clock.advance(D.clusterRename);
    await expect(rds.send(new DisableHttpEndpointCommand({ ResourceArn: arnOf('orders') }))).rejects.toMatchObject({ name: 'ResourceNotFoundFault' });
    const off = await rds.send(new DisableHttpEndpointCommand({ ResourceArn: arnOf('orders-old') }));
    expect(off).toMatchObject({ ResourceArn: arnOf('orders-old'), HttpEndpointEnabled: false });
    expect(sim.cluster('orders-old')?.HttpEndpointEnabled).toBe(false);
  });

  test('refused while another operation is in progress, and for Serverless v1', async () => {
    sim.addCluster({ DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql' });
    sim.addCluster({ DBClusterIdentifier: 'v1', Engine: 'aurora-postgresql', EngineMode: 'serverless', EngineVersion: '13.12' });
    await modify('orders', { DBClusterParameterGroupName: 'custom' });
    await expect(rds.send(new EnableHttpEndpointCommand({ ResourceArn: arnOf('orders') }))).rejects.toMatchObject({ name: 'InvalidResourceStateFault' });
    clock.advance(D.clusterModify);
    await rds.send(new EnableHttpEndpointCommand({ ResourceArn: arnOf('orders') }));
    await expect(rds.send(new EnableHttpEndpointCommand({ ResourceArn: arnOf('v1') }))).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });
});

describe('Database Insights advanced mode and cluster-level monitoring', () => {
  const MESSAGE = 'To enable the Advanced mode of Database Insights, modify your cluster to enable Performance Insights '
    + 'and set the retention period for Performance Insights to at least 465 days.';

  test('advanced needs EnablePerformanceInsights=true and a retention of at least 465 days in the same call', async () => {
    sim.addCluster({ DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql' });
    await expect(modify('orders', { DatabaseInsightsMode: 'advanced' })).rejects.toMatchObject({ name: 'InvalidParameterCombination', message: MESSAGE });
    await expect(modify('orders', { DatabaseInsightsMode: 'advanced', EnablePerformanceInsights: true })).rejects.toMatchObject({ message: MESSAGE });
    await expect(modify('orders', { DatabaseInsightsMode: 'advanced', EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 93 }))
      .rejects.toMatchObject({ message: MESSAGE });
    expect(sim.cluster('orders')?.DatabaseInsightsMode).toBe('standard');
    await modify('orders', { DatabaseInsightsMode: 'advanced', EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 465 });
    clock.advance(D.clusterModify);
    expect(sim.cluster('orders')).toMatchObject({ DatabaseInsightsMode: 'advanced', PerformanceInsightsEnabled: true, PerformanceInsightsRetentionPeriod: 465 });
  });

  test('refused even when the cluster already has Performance Insights with 465 days, unless the call sends both again', async () => {
    sim.addCluster({
      DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql', PerformanceInsightsEnabled: true, PerformanceInsightsRetentionPeriod: 465,
    });
    await expect(modify('orders', { DatabaseInsightsMode: 'advanced', EnablePerformanceInsights: true })).rejects.toMatchObject({ message: MESSAGE });
    await expect(modify('orders', { DatabaseInsightsMode: 'advanced', PerformanceInsightsRetentionPeriod: 465 })).rejects.toMatchObject({ message: MESSAGE });
  });

  test('Aurora: MonitoringInterval is not a ModifyDBCluster setting (Multi-AZ DB clusters only); a restore sets it', async () => {
    sim.addCluster({ DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql' });
    await expect(modify('orders', { MonitoringInterval: 30, MonitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-monitoring` }))
      .rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'orders-snap', DBClusterIdentifier: 'orders' });
    await rds.send(new RestoreDBClusterFromSnapshotCommand({
      DBClusterIdentifier: 'copy',
      SnapshotIdentifier: 'orders-snap',
      Engine: 'aurora-postgresql',
      MonitoringInterval: 30,
      MonitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-monitoring`,
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 465,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 8, SecondsUntilAutoPause: 3600 },
    }));
    expect(sim.cluster('copy')).toMatchObject({
      MonitoringInterval: 30,
      PerformanceInsightsEnabled: true,
      PerformanceInsightsRetentionPeriod: 465,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 8, SecondsUntilAutoPause: 3600 },
    });
  });

  test('SecondsUntilAutoPause is 300 to 86,400 seconds', async () => {
    sim.addCluster({ DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql', ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4 } });
    for (const seconds of [299, 86401]) {
      await expect(modify('orders', { ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: seconds } }))
        .rejects.toMatchObject({ name: 'InvalidParameterValue' });
    }
    await modify('orders', { ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: 300 } });
  });
});

describe('RDS uses a customer-managed KMS key with the caller\'s credentials', () => {
  function encryptedCluster(id = 'orders', key = CMK) {
    sim.addCluster({ DBClusterIdentifier: id, Engine: 'aurora-postgresql', StorageEncrypted: true, KmsKeyId: key });
    sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: `${id}-snap`, DBClusterIdentifier: id });
  }
  const restore = (input: object = {}) => rds.send(new RestoreDBClusterFromSnapshotCommand({
    DBClusterIdentifier: 'restored', SnapshotIdentifier: 'orders-snap', Engine: 'aurora-postgresql', ...input,
  }));

  test('restoring a snapshot under a customer-managed key: DescribeKey and CreateGrant via RDS on that key', async () => {
    encryptedCluster();
    const calls = kmsGate();
    await restore();
    expect(calls.map((c) => [c.service, c.action, c.via, c.input.KeyId])).toEqual([
      ['kms', 'DescribeKey', 'rds', CMK],
      ['kms', 'CreateGrant', 'rds', CMK],
    ]);
    expect(sim.cluster('restored')).toMatchObject({ StorageEncrypted: true, KmsKeyId: CMK });
  });

  test('the caller may not use the key: KMSKeyNotAccessibleFault naming it, and no cluster', async () => {
    encryptedCluster();
    kmsGate([CMK]);
    await expect(restore()).rejects.toMatchObject({
      name: 'KMSKeyNotAccessibleFault',
      message: `The source snapshot KMS key [${CMK}] does not exist, is not enabled or you do not have permissions to access it.`,
    });
    expect(sim.cluster('restored')).toBeUndefined();
  });

  test('the AWS managed aws/rds key needs nothing from the caller', async () => {
    encryptedCluster('orders', AWS_RDS_KEY);
    const calls = kmsGate([AWS_RDS_KEY]);
    await restore({ EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: 'alias/aws/rds' });
    expect(calls).toEqual([]);
  });

  test('a customer-managed Performance Insights key: restore, member creation and ModifyDBCluster use it for the caller', async () => {
    const PI_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/99999999-8888-7777-6666-555555555555`;
    encryptedCluster('orders', AWS_RDS_KEY);
    const calls = kmsGate([PI_KEY]);
    const refused = { name: 'KMSKeyNotAccessibleFault', message: expect.stringContaining(PI_KEY) };
    await expect(restore({ EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: PI_KEY })).rejects.toMatchObject(refused);
    await expect(rds.send(new CreateDBInstanceCommand({
      DBClusterIdentifier: 'orders',
      DBInstanceIdentifier: 'orders-2',
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.r6g.large',
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: PI_KEY,
    }))).rejects.toMatchObject(refused);
    await expect(modify('orders', { EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: PI_KEY })).rejects.toMatchObject(refused);
    expect(sim.instance('orders-2')).toBeUndefined();
    expect(sim.cluster('orders')?.PerformanceInsightsEnabled).toBeFalsy();
    expect(calls.map((c) => `${c.action} ${c.input.KeyId === PI_KEY}`)).toEqual(['DescribeKey true', 'DescribeKey true', 'DescribeKey true']);
  });
});
