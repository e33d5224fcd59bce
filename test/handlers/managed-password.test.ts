import { ModifyDBInstanceCommand, RDSClient, RDSServiceException, RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import { handler } from '../../lambda-src/apply-config.lambda';
import { buildAlert, renderEmail } from '../../lambda-src/notify/render';
import { captureInstanceConfig, InstanceConfig, INSTANCE_UNKEPT } from '../../lambda-src/rds/instance-config';
import type { Job, RestoredRef } from '../../lambda-src/rds/job';
import type { ManagedSecretRef } from '../../lambda-src/rds/managed-password';
import { handler as rename } from '../../lambda-src/rename.lambda';
import { handler as restore } from '../../lambda-src/restore.lambda';
import { fullyConfiguredInstance } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

/**
 * restoreManagedMasterPassword: the settings step turns the RDS-managed master
 * password back on with the original's key, and the verification reports the new secret.
 */
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555';
const ORIGINAL_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-original-XyZ123';

let sim: RdsSimulator;
beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});
afterEach(() => {
  sim.uninstall();
  delete process.env.RESTORE_MANAGED_MASTER_PASSWORD;
});

const jobOf = (resourceId: string, config: InstanceConfig): Job => ({
  identifier: 'orders-db',
  task: 'create_snapshot',
  isCluster: false,
  original: { resourceId: 'db-ORIGINAL000000000000000000', engine: 'postgres', config },
  restored: { resourceId },
});
const apply = (resourceId: string, config: InstanceConfig) =>
  handler({ op: 'apply', job: jobOf(resourceId, config) }) as Promise<{ changed: string[] }>;
const verify = (resourceId: string, config: InstanceConfig) =>
  handler({ op: 'verify', job: jobOf(resourceId, config) }) as Promise<{ verified: true; masterUserSecret?: ManagedSecretRef }>;
const modifies = () => sim.calls.filter((c) => c.command === 'ModifyDBInstance');

/** An original whose master password RDS manages (with `KEY`), restored as the pipeline does it. */
async function restoredManaged(managed = true): Promise<{ config: InstanceConfig; resourceId: string }> {
  const db = sim.addInstance(fullyConfiguredInstance('orders-db', managed
    ? { MasterUserSecret: { SecretArn: ORIGINAL_SECRET, SecretStatus: 'active', KmsKeyId: KEY } } : {}));
  sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-snap', DBInstanceIdentifier: 'orders-db' });
  const config = captureInstanceConfig(db);
  await rename({ op: 'forward', identifier: 'orders-db', resourceId: db.DbiResourceId! });
  sim.clock.advance(sim.durations.renamePending + 1);
  const { resourceId } = await restore({
    op: 'instance',
    job: {
      identifier: 'orders-db',
      task: 'create_snapshot',
      isCluster: false,
      original: { resourceId: db.DbiResourceId!, engine: 'postgres', config },
      snapshot: { id: 'orders-db-snap', created: true },
    },
  }) as RestoredRef;
  sim.clock.advance(sim.durations.restore + sim.durations.restoreBackup);
  sim.calls.splice(0);
  return { config, resourceId };
}

test('the capture keeps the key of the managed password, and nothing when there is none', async () => {
  const { config } = await restoredManaged();
  expect(config.masterUserSecretKmsKey).toBe(KEY);
  sim.uninstall();
  sim = new RdsSimulator();
  sim.install();
  const plain = await restoredManaged(false);
  expect('masterUserSecretKmsKey' in plain.config).toBe(false);
});

test('prop off: the restored instance keeps the snapshot\'s password, unmanaged, as the README says', async () => {
  const { config, resourceId } = await restoredManaged();
  // the restore call did not ask for it (RestoreDBInstanceFromDBSnapshot takes it for Oracle only)
  expect(sim.instance('orders-db')!.MasterUserSecret).toBeUndefined();
  await apply(resourceId, config);
  expect(modifies().every((c) => c.input.ManageMasterUserPassword === undefined)).toBe(true);
  sim.clock.advance(sim.durations.modifyPending + sim.durations.modify + 1);
  expect(sim.instance('orders-db')!.MasterUserSecret).toBeUndefined();
  expect(await verify(resourceId, config)).toEqual({ verified: true, endpoint: expect.anything() });
  expect(INSTANCE_UNKEPT.find((u) => u.name.includes('ManageMasterUserPassword'))).toMatchObject({ how: 'not kept' });
});

test('prop on: ModifyDBInstance turns it on with the original\'s key; the new secret is reported once RDS made it', async () => {
  process.env.RESTORE_MANAGED_MASTER_PASSWORD = 'true';
  const { config, resourceId } = await restoredManaged();
  const out = await apply(resourceId, config);
  expect(out.changed).toEqual(expect.arrayContaining(['ManageMasterUserPassword', 'MasterUserSecretKmsKeyId']));
  const [call] = modifies();
  expect(call.input).toMatchObject({ DBInstanceIdentifier: 'orders-db', ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: KEY, ApplyImmediately: true });
  expect(call.input.MasterUserPassword).toBeUndefined();
  const creating = sim.instance('orders-db')!.MasterUserSecret!;
  expect(creating).toMatchObject({ SecretStatus: 'creating', KmsKeyId: KEY });

  sim.clock.advance(sim.durations.modifyPending + sim.durations.modify + 1);
  expect(sim.instance('orders-db')!.DBInstanceStatus).toBe('available');
  const result = await verify(resourceId, config);
  expect(result.masterUserSecret).toEqual({ secretArn: creating.SecretArn, kmsKeyId: KEY, status: 'active' });
  // a new secret, not the original's
  expect(result.masterUserSecret!.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-/);
  expect(result.masterUserSecret!.secretArn).not.toBe(ORIGINAL_SECRET);
});

test('prop on: an original without a managed password gets none, and nothing is reported', async () => {
  process.env.RESTORE_MANAGED_MASTER_PASSWORD = 'true';
  const { config, resourceId } = await restoredManaged(false);
  await apply(resourceId, config);
  expect(modifies().every((c) => c.input.ManageMasterUserPassword === undefined)).toBe(true);
  sim.clock.advance(sim.durations.modifyPending + sim.durations.modify + 1);
  expect(await verify(resourceId, config)).toEqual({ verified: true, endpoint: expect.anything() });
});

test('prop on: a restored instance without the managed password (or with another key) fails the verification', async () => {
  process.env.RESTORE_MANAGED_MASTER_PASSWORD = 'true';
  // a restored instance that matches the original in every kept setting, but has no managed password
  const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
  const config = { ...captureInstanceConfig(db), masterUserSecretKmsKey: KEY };
  const other = 'arn:aws:kms:us-east-1:123456789012:key/other';
  await expect(verify(db.DbiResourceId!, config)).rejects.toMatchObject({ name: 'ConfigurationDrift' });
  await expect(verify(db.DbiResourceId!, config)).rejects.toThrow(`has no RDS-managed master password, though the original had one (KMS key ${KEY})`);
  await apply(db.DbiResourceId!, config);
  sim.clock.advance(sim.durations.modifyPending + sim.durations.modify + 1);
  expect((await verify(db.DbiResourceId!, config)).masterUserSecret?.kmsKeyId).toBe(KEY);
  await expect(verify(db.DbiResourceId!, { ...config, masterUserSecretKmsKey: other }))
    .rejects.toThrow(`is encrypted with ${KEY}, not the original's ${other}`);
});

describe('the simulator follows the API pages', () => {
  const fault = async (p: Promise<unknown>) => { try { await p; } catch (e) { return (e as RDSServiceException).name; } return 'none'; };

  test('ManageMasterUserPassword excludes MasterUserPassword; MasterUserSecretKmsKeyId only when turning it on', async () => {
    const rds = new RDSClient({});
    sim.addInstance({ DBInstanceIdentifier: 'db1', Engine: 'postgres' });
    const send = (input: Record<string, unknown>) => fault(rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'db1', ApplyImmediately: true, ...input })));
    expect(await send({ ManageMasterUserPassword: true, MasterUserPassword: 'secret123' })).toBe('InvalidParameterCombination');
    expect(await send({ MasterUserSecretKmsKeyId: KEY })).toBe('InvalidParameterCombination');
    expect(await send({ ManageMasterUserPassword: true })).toBe('none');
    // without a key: the aws/secretsmanager key
    expect(sim.instance('db1')!.MasterUserSecret).toMatchObject({ SecretStatus: 'creating', KmsKeyId: expect.stringMatching(/:alias\/aws\/secretsmanager$/) });
    sim.clock.advance(sim.durations.modifyPending + sim.durations.modify + 1);
    expect(sim.instance('db1')!.MasterUserSecret!.SecretStatus).toBe('active');
    // the key of a managed secret can't be changed; turning it off needs a password
    expect(await send({ ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: KEY })).toBe('InvalidParameterCombination');
    expect(await send({ ManageMasterUserPassword: false })).toBe('InvalidParameterCombination');
  });

  test('RestoreDBInstanceFromDBSnapshot takes ManageMasterUserPassword for Oracle only', async () => {
    const rds = new RDSClient({});
    sim.addInstance({ DBInstanceIdentifier: 'pg', Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'pg-snap', DBInstanceIdentifier: 'pg' });
    sim.addInstance({ DBInstanceIdentifier: 'ora', Engine: 'oracle-ee', LicenseModel: 'bring-your-own-license' });
    sim.addSnapshot({ DBSnapshotIdentifier: 'ora-snap', DBInstanceIdentifier: 'ora' });
    const send = (snap: string, id: string) => fault(rds.send(new RestoreDBInstanceFromDBSnapshotCommand({
      DBInstanceIdentifier: id, DBSnapshotIdentifier: snap, ManageMasterUserPassword: true,
    })));
    expect(await send('pg-snap', 'pg2')).toBe('InvalidParameterCombination');
    expect(await send('ora-snap', 'ora2')).toBe('none');
  });
});

describe('the success alert', () => {
  const secret = { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-new-AbCdEf', kmsKeyId: KEY, status: 'active' };
  const alertOf = (job: Partial<Job>) => buildAlert({
    kind: 'success',
    ending: 'Restored',
    execution: { id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run' },
    job: { identifier: 'orders-db', task: 'create_snapshot', isCluster: false, ...job },
  });
  const row = (job: Partial<Job>) => alertOf(job).details.find(([k]) => k === 'Master password secret')?.[1];

  test('names the new secret, from the verification or the staged verification (RESTORE_THEN_SWAP)', () => {
    expect(row({ verified: { masterUserSecret: secret } })).toBe(`${secret.secretArn} (new, managed by RDS)`);
    expect(row({ stagedVerified: { masterUserSecret: secret } })).toBe(`${secret.secretArn} (new, managed by RDS)`);
    expect(renderEmail(alertOf({ verified: { masterUserSecret: secret } })).text).toContain(`Master password secret: ${secret.secretArn}`);
  });

  test('says nothing of it when there is none', () => {
    expect(row({ verified: {} })).toBeUndefined();
    expect(row({})).toBeUndefined();
  });
});
