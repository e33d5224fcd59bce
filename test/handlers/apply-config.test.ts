import { handler } from '../../lambda-src/apply-config.lambda';
import { captureInstanceConfig, InstanceConfig } from '../../lambda-src/rds/instance-config';
import type { Job, RestoredRef } from '../../lambda-src/rds/job';
import { handler as rename } from '../../lambda-src/rename.lambda';
import { handler as restore } from '../../lambda-src/restore.lambda';
import { fullyConfiguredInstance } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => sim.uninstall());

/** The job as the state machine has it after the restore: `resourceId` is the restored DB's. */
function jobOf(resourceId: string, config: InstanceConfig, identifier = 'orders-db'): Job {
  return {
    identifier,
    task: 'create_snapshot',
    isCluster: false,
    original: { resourceId: 'db-ORIGINAL000000000000000000', engine: String(config.engine), config },
    restored: { resourceId },
  };
}

const apply = (resourceId: string, config: InstanceConfig, identifier = 'orders-db') =>
  handler({ op: 'apply', job: jobOf(resourceId, config, identifier) }) as Promise<{ changed: string[] }>;
const verify = (resourceId: string, config: InstanceConfig, identifier = 'orders-db') =>
  handler({ op: 'verify', job: jobOf(resourceId, config, identifier) }) as Promise<{ verified: true }>;
const modifies = () => sim.calls.filter((c) => c.command === 'ModifyDBInstance');

/** The fully configured original restored as the pipeline does it, up to an available restored DB. */
async function restoredFromFullyConfigured(): Promise<{ config: InstanceConfig; resourceId: string }> {
  const db = sim.addInstance(fullyConfiguredInstance('orders-db'));
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
  expect(sim.instance('orders-db')?.DBInstanceStatus).toBe('available');
  sim.calls.splice(0);
  return { config, resourceId };
}

/** A plain DB under `orders-db` and its captured configuration changed by `edits`. */
function plainRestored(edits: InstanceConfig = {}) {
  const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
  return { resourceId: db.DbiResourceId!, config: { ...captureInstanceConfig(db), ...edits } };
}

describe('apply-config apply', () => {
  test('after a real restore: one ModifyDBInstance with exactly the settings the restore could not carry', async () => {
    const { config, resourceId } = await restoredFromFullyConfigured();
    const out = await apply(resourceId, config);

    const expected = {
      MaxAllocatedStorage: 1000,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '02:00-02:30',
      PreferredMaintenanceWindow: 'sat:04:00-sat:04:30',
      MonitoringInterval: 15,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/rds-monitoring',
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
      PerformanceInsightsRetentionPeriod: 465,
      DatabaseInsightsMode: 'advanced',
    };
    expect(sim.mutatingCalls().map((c) => c.command)).toEqual(['ModifyDBInstance']);
    expect(modifies()[0].input).toEqual({ ...expected, DBInstanceIdentifier: 'orders-db', ApplyImmediately: true });
    expect([...out.changed].sort()).toEqual(Object.keys(expected).sort());

    // Once the modification is through, the restored DB matches the original.
    sim.clock.advance(sim.durations.modify);
    await expect(verify(resourceId, config)).resolves.toMatchObject({ verified: true });
    // ... and a retried apply has nothing left to do.
    sim.calls.splice(0);
    await expect(apply(resourceId, config)).resolves.toEqual({ changed: [] });
    expect(modifies()).toEqual([]);
  });

  test('staged-apply and staged-verify work on the instance under the staging identifier', async () => {
    const { resourceId, config } = plainRestored({ deletionProtection: true });
    const staged = sim.addInstance({ DBInstanceIdentifier: 'orders-db-trapheus-new', Engine: 'postgres' });
    const job: Job = { ...jobOf(staged.DbiResourceId!, config), original: { resourceId, engine: 'postgres', config, staging: 'orders-db-trapheus-new' } };
    await expect(handler({ op: 'staged-apply', job })).resolves.toEqual({ changed: ['DeletionProtection'] });
    expect(modifies().map((c) => c.input.DBInstanceIdentifier)).toEqual(['orders-db-trapheus-new']);
    // the endpoint the after-restore hook gets: the staged instance's own
    await expect(handler({ op: 'staged-verify', job })).resolves.toEqual({
      verified: true, endpoint: { address: staged.Endpoint!.Address, port: staged.Endpoint!.Port },
    });
    expect(staged.Endpoint!.Address).toMatch(/^orders-db-trapheus-new\./);
    expect(sim.instance('orders-db')?.DeletionProtection).toBe(false);
  });

  test('sends only the differing settings', async () => {
    const { resourceId, config } = plainRestored({ deletionProtection: true, backupRetention: 7 });
    await expect(apply(resourceId, config)).resolves.toEqual({ changed: ['DeletionProtection', 'BackupRetentionPeriod'] });
    expect(modifies().map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: 'orders-db', DeletionProtection: true, BackupRetentionPeriod: 7, ApplyImmediately: true },
    ]);
    expect(sim.instance('orders-db')).toMatchObject({ DeletionProtection: true, BackupRetentionPeriod: 7 });
  });

  test('enhanced monitoring goes with its role', async () => {
    const role = 'arn:aws:iam::123456789012:role/mon';
    const { resourceId, config } = plainRestored({ monitoringInterval: 60, monitoringRole: role });
    await expect(apply(resourceId, config)).resolves.toEqual({ changed: ['MonitoringInterval', 'MonitoringRoleArn'] });
    expect(modifies()[0].input).toEqual({ DBInstanceIdentifier: 'orders-db', MonitoringInterval: 60, MonitoringRoleArn: role, ApplyImmediately: true });
  });

  test('restore-time settings that differ are not sent by apply (verify reports them)', async () => {
    const { resourceId, config } = plainRestored({ instanceClass: 'db.r6g.large' });
    await expect(apply(resourceId, config)).resolves.toEqual({ changed: [] });
    expect(modifies()).toEqual([]);
  });

  test('nothing to do: no ModifyDBInstance call', async () => {
    const { resourceId, config } = plainRestored();
    await expect(apply(resourceId, config)).resolves.toEqual({ changed: [] });
    expect(sim.mutatingCalls()).toEqual([]);
    expect(sim.calls.map((c) => ({ command: c.command, input: c.input }))).toEqual([
      { command: 'DescribeDBInstances', input: { DBInstanceIdentifier: 'orders-db' } },
    ]);
  });

  test('another DB under the identifier: ReplacementNotVerified, nothing sent', async () => {
    const { config } = plainRestored({ deletionProtection: true });
    await expect(apply('db-RESTORED00000000000000000', config)).rejects.toMatchObject({
      name: 'ReplacementNotVerified',
      message: 'The DB instance under orders-db is not the restored one (db-RESTORED00000000000000000).',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('no DB under the identifier: ReplacementNotVerified', async () => {
    await expect(apply('db-RESTORED00000000000000000', { engine: 'postgres', deletionProtection: true })).rejects.toMatchObject({
      name: 'ReplacementNotVerified',
      message: expect.stringContaining('is not the restored one (db-RESTORED00000000000000000)'),
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('an RDS refusal keeps its name and says what was applied', async () => {
    const { resourceId, config } = plainRestored({ deletionProtection: true, backupRetention: 7 });
    sim.failOn({ command: 'ModifyDBInstance', error: 'InvalidParameterCombination', message: 'Nope.' });
    await expect(apply(resourceId, config)).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
      message: 'Applying DeletionProtection, BackupRetentionPeriod to orders-db: Nope.',
    });
  });
});

describe('apply-config verify', () => {
  test('every kept setting matches: verified', async () => {
    const { resourceId, config } = plainRestored();
    await expect(verify(resourceId, config)).resolves.toMatchObject({ verified: true });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('a drifted setting: ConfigurationDrift naming the attribute and both values', async () => {
    const { resourceId, config } = plainRestored({ deletionProtection: true });
    await expect(verify(resourceId, config)).rejects.toMatchObject({
      name: 'ConfigurationDrift',
      message: 'The restored orders-db differs from the original: Deletion protection: false instead of true.',
    });
  });

  test('several drifted settings are all named', async () => {
    const { resourceId, config } = plainRestored({ instanceClass: 'db.r6g.large', securityGroups: ['sg-0aaa1111'], backupRetention: 14 });
    const err = await verify(resourceId, config).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ConfigurationDrift' });
    const message = (err as Error).message;
    expect(message).toMatch(/^The restored orders-db differs from the original: /);
    expect(message).toContain('Instance class: "db.t3.micro" instead of "db.r6g.large"');
    expect(message).toContain('VPC security groups: ["sg-default"] instead of ["sg-0aaa1111"]');
    expect(message).toContain('Backup retention period: 1 instead of 14');
    expect(message.split('; ')).toHaveLength(3);
  });

  test('a modification still being applied is drift until it is through', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', BackupRetentionPeriod: 0 });
    const config = { ...captureInstanceConfig(db), backupRetention: 7 };
    await expect(apply(db.DbiResourceId!, config)).resolves.toEqual({ changed: ['BackupRetentionPeriod'] });
    // RDS shows it pending while still available, then modifying
    expect(sim.instance('orders-db')).toMatchObject({ DBInstanceStatus: 'available', PendingModifiedValues: { BackupRetentionPeriod: 7 } });
    await expect(verify(db.DbiResourceId!, config)).rejects.toMatchObject({ name: 'ConfigurationDrift' });
    sim.clock.advance(sim.durations.modifyPending);
    expect(sim.instance('orders-db')).toMatchObject({ DBInstanceStatus: 'modifying', PendingModifiedValues: { BackupRetentionPeriod: 7 } });
    await expect(verify(db.DbiResourceId!, config)).rejects.toMatchObject({
      name: 'ConfigurationDrift',
      message: 'The restored orders-db differs from the original: Backup retention period: 0 instead of 7.',
    });
    sim.clock.advance(sim.durations.modify);
    await expect(verify(db.DbiResourceId!, config)).resolves.toMatchObject({ verified: true });
  });

  test('another DB under the identifier: ReplacementNotVerified', async () => {
    const { config } = plainRestored();
    await expect(verify('db-RESTORED00000000000000000', config)).rejects.toMatchObject({
      name: 'ReplacementNotVerified',
      message: 'The DB instance under orders-db is not the restored one (db-RESTORED00000000000000000).',
    });
  });
});
