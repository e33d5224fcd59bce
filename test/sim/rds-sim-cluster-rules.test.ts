/**
 * Simulator rules for Aurora clusters that the pipeline once got wrong: RDS
 * using a customer-managed KMS key for the caller.
 */
import {
  CreateDBInstanceCommand, ModifyDBClusterCommand, RDSClient, RestoreDBClusterFromSnapshotCommand,
} from '@aws-sdk/client-rds';
import { addCallGate, AwsCall } from './aws-calls';
import { SimClock } from './clock';
import { RdsSimulator } from './rds-sim';

const ACCOUNT = '123456789012';
const CMK = `arn:aws:kms:us-east-1:${ACCOUNT}:key/6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f`;
const AWS_RDS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/5f8b9a1e-3c2d-4e6f-8a7b-9c0d1e2f3a4b`;

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
