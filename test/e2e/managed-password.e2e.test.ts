import { Harness } from './harness';
import { CLUSTER_UNKEPT } from '../../lambda-src/rds/cluster-config';
import { INSTANCE_UNKEPT } from '../../lambda-src/rds/instance-config';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';

/**
 * The RDS-managed master password across a restore, end to end (every call
 * IAM-checked): without `restoreManagedMasterPassword` the restored database
 * has none, as the README's retention tables say; with it, the settings step
 * turns it back on with the original's key, and the new secret's ARN is in the
 * execution output and the success alert.
 */
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555';
const secretOf = (kind: 'db' | 'cluster') => ({
  SecretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!${kind}-original-XyZ123`, SecretStatus: 'active', KmsKeyId: KEY,
});
const instanceInput = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const clusterInput = { identifier: 'orders-aurora', task: 'create_snapshot', isCluster: true };

describe('without restoreManagedMasterPassword (default)', () => {
  const h = new Harness({ notifyOnSuccess: true });
  beforeEach(() => h.fresh());
  afterEach(() => h.done());

  test('an instance: the restored one has no managed password, as the README table says; nothing reported', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db', { MasterUserSecret: secretOf('db') }));
    const result = await h.run(instanceInput);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.instance('orders-db')!.MasterUserSecret).toBeUndefined();
    expect(h.sim.calls.some((c) => c.input?.ManageMasterUserPassword !== undefined)).toBe(false);
    expect(result.output.verified).toEqual({ verified: true, endpoint: expect.anything() });
    expect(JSON.stringify(h.aws.alerts()[0].details)).not.toContain('secretsmanager');
    expect(INSTANCE_UNKEPT.find((u) => u.name.includes('ManageMasterUserPassword'))!.how).toBe('not kept');
  });

  test('a cluster: the same', async () => {
    seedCluster(h.sim, 'orders-aurora', { MasterUserSecret: secretOf('cluster') });
    const result = await h.run(clusterInput);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.cluster('orders-aurora')!.MasterUserSecret).toBeUndefined();
    expect(result.output.verified.masterUserSecret).toBeUndefined();
    expect(CLUSTER_UNKEPT.find((u) => u.name.startsWith('Secrets Manager'))!.how).toBe('not kept');
  });
});

describe('with restoreManagedMasterPassword', () => {
  const h = new Harness({ notifyOnSuccess: true, restoreManagedMasterPassword: true });
  beforeEach(() => h.fresh());
  afterEach(() => h.done());

  test('an instance: managed again with the original\'s key; the new secret in the output and the success alert', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db', { MasterUserSecret: secretOf('db') }));
    const result = await h.run(instanceInput);
    expect(result.status).toBe('SUCCEEDED');
    const secret = h.sim.instance('orders-db')!.MasterUserSecret!;
    expect(secret).toMatchObject({ KmsKeyId: KEY, SecretStatus: 'active' });
    expect(secret.SecretArn).not.toBe(secretOf('db').SecretArn);
    const modify = h.sim.calls.find((c) => c.command === 'ModifyDBInstance' && c.input.ManageMasterUserPassword)!;
    expect(modify.input).toMatchObject({ DBInstanceIdentifier: 'orders-db', MasterUserSecretKmsKeyId: KEY });
    expect(result.output.verified.masterUserSecret).toEqual({ secretArn: secret.SecretArn, kmsKeyId: KEY, status: 'active' });
    expect(h.aws.alerts()[0].details['Master password secret']).toBe(`${secret.SecretArn} (new, managed by RDS)`);
  });

  test('an instance without a managed password: none is made, nothing reported', async () => {
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run(instanceInput);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.instance('orders-db')!.MasterUserSecret).toBeUndefined();
    expect(result.output.verified).toEqual({ verified: true, endpoint: expect.anything() });
    expect(h.aws.alerts()[0].details['Master password secret']).toBeUndefined();
  });

  test('a cluster: managed again (ModifyDBCluster) with the original\'s key; reported', async () => {
    seedCluster(h.sim, 'orders-aurora', { MasterUserSecret: secretOf('cluster') });
    const result = await h.run(clusterInput);
    expect(result.status).toBe('SUCCEEDED');
    const secret = h.sim.cluster('orders-aurora')!.MasterUserSecret!;
    expect(secret).toMatchObject({ KmsKeyId: KEY, SecretStatus: 'active' });
    expect(secret.SecretArn).toMatch(/:secret:rds!cluster-/);
    expect(secret.SecretArn).not.toBe(secretOf('cluster').SecretArn);
    const modify = h.sim.calls.find((c) => c.command === 'ModifyDBCluster' && c.input.ManageMasterUserPassword)!;
    expect(modify.input).toMatchObject({ DBClusterIdentifier: 'orders-aurora', MasterUserSecretKmsKeyId: KEY });
    expect(result.output.verified.masterUserSecret).toEqual({ secretArn: secret.SecretArn, kmsKeyId: KEY, status: 'active' });
    expect(h.aws.alerts()[0].details['Master password secret']).toBe(`${secret.SecretArn} (new, managed by RDS)`);
  });
});
