import { handler } from '../../lambda-src/capture.lambda';
import { tempIdentifier } from '../../lambda-src/rds/naming';
import type { RestoreInput } from '../../src/input-rules';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';
import { RdsSimulator } from '../sim/rds-sim';

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
  // Most tests are about other checks: allow their identifiers by list (the tag mode is tested below).
  process.env.ALLOWED_IDENTIFIERS = JSON.stringify(['orders*', 'small-db', 'other-db']);
});

afterEach(() => {
  // Capture only reads: whatever happened, it changed nothing.
  expect(sim.mutatingCalls()).toEqual([]);
  sim.uninstall();
  delete process.env.ALLOWED_IDENTIFIERS;
});

describe('capture: may this pipeline restore it?', () => {
  test('an identifier outside allowedIdentifiers is refused, naming the list', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'billing-db', Engine: 'postgres' });
    await expect(handler(job('billing-db'))).rejects.toMatchObject({
      name: 'IdentifierNotAllowed',
      message: 'billing-db is not in this pipeline\'s allowedIdentifiers (orders*, small-db, other-db): the DB instance may not be restored by it.',
    });
  });

  test('without allowedIdentifiers, the trapheus:restorable=true tag decides', async () => {
    delete process.env.ALLOWED_IDENTIFIERS;
    sim.addInstance({ DBInstanceIdentifier: 'plain-db', Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'tagged-db', Engine: 'postgres', TagList: [{ Key: 'trapheus:restorable', Value: 'true' }] });
    await expect(handler(job('plain-db'))).rejects.toMatchObject({
      name: 'IdentifierNotAllowed',
      message: expect.stringMatching(/^plain-db does not carry the tag trapheus:restorable=true.*Tag it, or list it in allowedIdentifiers\.$/),
    });
    await expect(handler(job('tagged-db'))).resolves.toMatchObject({ engine: 'postgres' });
  });

  // IAM's StringEquals is case-sensitive (IAM User Guide, "IAM JSON policy elements: Condition
  // operators", string condition operators): the role's aws:ResourceTag/trapheus:restorable
  // condition allows "true" only, so the pre-flight must not accept "True" either.
  test.each(['True', 'TRUE', ' true'])('the tag value is compared exactly, as IAM does: %j is refused, naming the value', async (value) => {
    delete process.env.ALLOWED_IDENTIFIERS;
    sim.addInstance({ DBInstanceIdentifier: 'cased-db', Engine: 'postgres', TagList: [{ Key: 'trapheus:restorable', Value: value }] });
    await expect(handler(job('cased-db'))).rejects.toMatchObject({
      name: 'IdentifierNotAllowed',
      message: `cased-db carries trapheus:restorable=${JSON.stringify(value)}, but IAM compares tag values exactly (case-sensitive): `
        + 'set the value to "true", or list it in allowedIdentifiers.',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });
});

const job = (identifier: string, task: RestoreInput['task'] = 'db_restore'): RestoreInput => ({ identifier, task, isCluster: false });

const describedIds = () => sim.calls.map((c) => ({ command: c.command, input: c.input }));

describe('capture: the original', () => {
  test('returns resource id, endpoint, engine and the kept configuration', async () => {
    const seeded = sim.addInstance(fullyConfiguredInstance('orders-db'));
    const out = await handler(job('orders-db'));

    expect(out.resourceId).toBe(seeded.DbiResourceId);
    expect(out.resourceId).toMatch(/^db-[A-Z0-9]{26}$/);
    expect(out.endpoint).toBe('orders-db.c1abcdefghij.us-east-1.rds.amazonaws.com');
    expect(out.engine).toBe('postgres');
    expect(out.config).toMatchObject({
      engine: 'postgres',
      instanceClass: 'db.r6g.large',
      multiAz: true,
      subnetGroup: 'orders-private',
      securityGroups: ['sg-0aaa1111', 'sg-0bbb2222'],
      publiclyAccessible: true,
      parameterGroup: 'orders-pg16',
      optionGroup: 'orders-options',
      port: 6543,
      storageType: 'gp3',
      allocatedStorage: 500,
      iops: 12000,
      storageThroughput: 500,
      maxAllocatedStorage: 1000,
      tags: [{ Key: 'env', Value: 'perf' }, { Key: 'team', Value: 'orders' }, { Key: 'trapheus:restorable', Value: 'true' }],
      copyTagsToSnapshot: true,
      deletionProtection: true,
      iamAuth: true,
      logExports: ['postgresql', 'upgrade'],
      autoMinorVersionUpgrade: false,
      caCertificate: 'rds-ca-ecc384-g1',
      backupRetention: 14,
      backupWindow: '02:00-02:30',
      maintenanceWindow: 'sat:04:00-sat:04:30',
      monitoringInterval: 15,
      monitoringRole: 'arn:aws:iam::123456789012:role/rds-monitoring',
      performanceInsights: true,
      performanceInsightsRetention: 465,
      databaseInsightsMode: 'advanced',
      networkType: 'DUAL',
      engineLifecycleSupport: 'open-source-rds-extended-support-disabled',
      domain: expect.objectContaining({ Domain: 'd-9067a1b2c3', DomainIAMRoleName: 'rds-directory-access' }),
    });
    // A Multi-AZ instance's AZ is RDS's choice: not kept.
    expect(out.config.availabilityZone).toBeUndefined();
    // The configuration is plain JSON (it travels in the Step Functions document).
    expect(JSON.parse(JSON.stringify(out.config))).toEqual(out.config);
  });

  test('a Single-AZ instance keeps its availability zone', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'small-db', Engine: 'mysql', AvailabilityZone: 'us-east-1c' });
    const out = await handler(job('small-db'));
    expect(out.engine).toBe('mysql');
    expect(out.config).toMatchObject({ engine: 'mysql', multiAz: false, availabilityZone: 'us-east-1c', port: 3306, instanceClass: 'db.t3.micro' });
  });

  test('describes the instance, then checks that its temporary and staging identifiers are free', async () => {
    sim.addInstance(fullyConfiguredInstance('orders-db'));
    await handler(job('orders-db'));
    expect(describedIds()).toEqual([
      { command: 'DescribeDBInstances', input: { DBInstanceIdentifier: 'orders-db' } },
      { command: 'DescribeDBInstances', input: { DBInstanceIdentifier: 'orders-db-trapheus-old' } },
      { command: 'DescribeDBInstances', input: { DBInstanceIdentifier: 'orders-db-trapheus-new' } },
    ]);
  });

  test('create_snapshot_only does not look at the temporary identifier', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await handler(job('orders-db', 'create_snapshot_only'));
    expect(describedIds()).toEqual([{ command: 'DescribeDBInstances', input: { DBInstanceIdentifier: 'orders-db' } }]);
  });
});

describe('capture: refusals', () => {
  test('no such DB instance: DBInstanceNotFoundFault, pointing at isCluster', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'other-db', Engine: 'postgres' });
    await expect(handler(job('missing-db'))).rejects.toMatchObject({
      name: 'DBInstanceNotFoundFault',
      message: 'There is no DB instance "missing-db" in this account and Region. Check "identifier" (for an Aurora cluster set "isCluster": true).',
    });
  });

  test.each(['stopped', 'modifying', 'backing-up', 'storage-full'])('a DB instance that is %s: DBInstanceNotAvailable', async (status) => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: status });
    await expect(handler(job('orders-db'))).rejects.toMatchObject({
      name: 'DBInstanceNotAvailable',
      message: `DB instance orders-db is ${status}; it must be available before a snapshot or restore.`,
    });
  });

  test('a DB instance in storage-optimization: a snapshot goes ahead; a restore is refused, saying why and when to run again', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'storage-optimization' });
    await expect(handler(job('orders-db', 'create_snapshot_only'))).resolves.toMatchObject({ engine: 'postgres' });
    await expect(handler(job('orders-db', 'create_snapshot'))).rejects.toMatchObject({
      name: 'DBInstanceNotAvailable',
      message: 'DB instance orders-db is storage-optimization: it serves, and create_snapshot_only works now, but a restore ends by deleting '
        + 'the original, which needs it available. Storage optimization can last beyond 24 hours; run again once it is available.',
    });
  });

  test('a cluster member: UseClusterRestore, naming the cluster', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-instance-1', Engine: 'postgres', DBClusterIdentifier: 'orders-cluster' });
    await expect(handler(job('orders-instance-1'))).rejects.toMatchObject({
      name: 'UseClusterRestore',
      message: expect.stringMatching(/^DB instance orders-instance-1 is a member of cluster orders-cluster: restore the cluster with "identifier": "orders-cluster", "isCluster": true\.$/),
    });
  });

  test('a cluster member is refused as such even when it is not available', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-instance-1', Engine: 'postgres', DBClusterIdentifier: 'orders-cluster', DBInstanceStatus: 'modifying' });
    await expect(handler(job('orders-instance-1'))).rejects.toMatchObject({ name: 'UseClusterRestore' });
  });

  test('the source of a read replica: HasReadReplicas', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', ReadReplicaDBInstanceIdentifiers: ['orders-replica'] });
    await expect(handler(job('orders-db'))).rejects.toMatchObject({
      name: 'HasReadReplicas',
      message: 'DB instance orders-db is part of a read replica set; an in-place restore would break replication.',
    });
  });

  test('a read replica itself: HasReadReplicas', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-replica', Engine: 'postgres', ReadReplicaSourceDBInstanceIdentifier: 'orders-db' });
    await expect(handler(job('orders-replica'))).rejects.toMatchObject({
      name: 'HasReadReplicas',
      message: expect.stringContaining('orders-replica is part of a read replica set'),
    });
  });

  // An instance can be the source of an Aurora read replica cluster (ReadReplicaDBClusterIdentifiers).
  test('the source of an Aurora read replica cluster: HasReadReplicas', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'mysql', ReadReplicaDBClusterIdentifiers: ['orders-aurora-replica'] });
    await expect(handler(job('orders-db'))).rejects.toMatchObject({ name: 'HasReadReplicas' });
  });

  test('the temporary identifier is taken: TemporaryIdentifierTaken, naming it', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db-trapheus-old', Engine: 'postgres' });
    await expect(handler(job('orders-db'))).rejects.toMatchObject({
      name: 'TemporaryIdentifierTaken',
      message: 'A DB instance orders-db-trapheus-old already exists, maybe left by an earlier run: delete or rename it, then run again.',
    });
    await expect(handler(job('orders-db', 'create_snapshot'))).rejects.toMatchObject({ name: 'TemporaryIdentifierTaken' });
  });

  test('a taken temporary identifier does not stop create_snapshot_only', async () => {
    const seeded = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db-trapheus-old', Engine: 'postgres' });
    await expect(handler(job('orders-db', 'create_snapshot_only'))).resolves.toMatchObject({ resourceId: seeded.DbiResourceId, engine: 'postgres' });
  });

  test('a long identifier checks its shortened, hashed temporary identifier', async () => {
    const long = `orders-${'x'.repeat(55)}`;
    const temp = tempIdentifier(long);
    expect(temp).not.toBe(`${long}-trapheus-old`);
    expect(temp.length).toBeLessThanOrEqual(63);
    sim.addInstance({ DBInstanceIdentifier: long, Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: temp, Engine: 'postgres' });
    await expect(handler(job(long))).rejects.toMatchObject({
      name: 'TemporaryIdentifierTaken',
      message: expect.stringContaining(`A DB instance ${temp} already exists`),
    });
  });

  test('a throttled describe is classified RdsThrottled with its context', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    sim.failOn({ command: 'DescribeDBInstances', error: 'Throttling', times: 1 });
    await expect(handler(job('orders-db'))).rejects.toMatchObject({
      name: 'RdsThrottled',
      message: 'Describing DB instance orders-db: Throttling: Rate exceeded',
    });
  });
});

describe('capture: roles the restore passes to RDS', () => {
  const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
  afterEach(() => { delete process.env.PASSABLE_ROLES; });

  test('a monitoring role outside passableRoles is refused before any change, naming the role, its use and the prop', async () => {
    process.env.PASSABLE_ROLES = JSON.stringify([role('rds-monitoring-role'), role('rds-directory-access')]);
    sim.addInstance(fullyConfiguredInstance('orders-db'));
    await expect(handler(job('orders-db', 'create_snapshot'))).rejects.toMatchObject({
      name: 'RoleNotPassable',
      message: `The restore must pass ${role('rds-monitoring')} (orders-db's enhanced monitoring) to RDS, and this pipeline may not `
        + `(passableRoles: ${role('rds-monitoring-role')}, ${role('rds-directory-access')}). `
        + 'Add the role to the passableRoles prop of TrapheusRestore, then run again. Nothing was changed.',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('the directory role is given to RDS by name: a listed role of that name passes, another is refused', async () => {
    sim.addInstance(fullyConfiguredInstance('orders-db'));
    process.env.PASSABLE_ROLES = JSON.stringify([role('rds-monitoring'), role('service-role/rds-directory-access')]);
    await expect(handler(job('orders-db'))).resolves.toMatchObject({ engine: 'postgres' });
    process.env.PASSABLE_ROLES = JSON.stringify([role('rds-monitoring'), role('other-directory-role')]);
    await expect(handler(job('orders-db'))).rejects.toMatchObject({
      name: 'RoleNotPassable',
      message: expect.stringMatching(/^The restore must pass rds-directory-access \(orders-db's Active Directory domain d-9067a1b2c3\) to RDS/),
    });
  });

  test('create_snapshot_only restores nothing, so it passes no role', async () => {
    process.env.PASSABLE_ROLES = JSON.stringify([]);
    sim.addInstance(fullyConfiguredInstance('orders-db'));
    await expect(handler(job('orders-db', 'create_snapshot_only'))).resolves.toMatchObject({ engine: 'postgres' });
  });

  test('a cluster: the cluster\'s and every member\'s roles are checked', async () => {
    seedCluster(sim);
    process.env.PASSABLE_ROLES = JSON.stringify([role('rds-directory-access')]);
    await expect(handler({ identifier: 'orders-aurora', task: 'db_restore', isCluster: true })).rejects.toMatchObject({
      name: 'RoleNotPassable',
      message: expect.stringContaining(`${role('rds-monitoring')} (orders-aurora's enhanced monitoring)`),
    });
    process.env.PASSABLE_ROLES = JSON.stringify([role('rds-monitoring')]);
    await expect(handler({ identifier: 'orders-aurora', task: 'db_restore', isCluster: true })).resolves.toMatchObject({ engine: expect.stringMatching(/^aurora/) });
  });
});

describe('capture: allowedIdentifiers given as tokens', () => {
  afterEach(() => { delete process.env.DEPLOY_TIME_IDENTIFIERS; });
  const long = 'orders-db-stack-orderdatabase1a2b3c4d-abcdefghijklmnop'; // 55 characters, as CloudFormation names them

  test('a deploy-time identifier too long for plain temporary names is refused before any change, saying to list it literally', async () => {
    process.env.ALLOWED_IDENTIFIERS = JSON.stringify([long]);
    process.env.DEPLOY_TIME_IDENTIFIERS = JSON.stringify([long]);
    sim.addInstance({ DBInstanceIdentifier: long, Engine: 'postgres' });
    await expect(handler(job(long))).rejects.toMatchObject({
      name: 'IdentifierNotAllowed',
      message: `${long} came into allowedIdentifiers as a deploy-time value (a token) and is longer than 50 characters, so its temporary names `
        + 'are shortened with a hash that the IAM policy could not name at synth: write it in allowedIdentifiers as a literal string, then run again.',
    });
  });

  test('the same identifier written literally, or a short deploy-time one, is allowed', async () => {
    process.env.ALLOWED_IDENTIFIERS = JSON.stringify([long, 'orders-db']);
    sim.addInstance({ DBInstanceIdentifier: long, Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(handler(job(long))).resolves.toMatchObject({ engine: 'postgres' });
    process.env.DEPLOY_TIME_IDENTIFIERS = JSON.stringify(['orders-db']);
    await expect(handler(job('orders-db'))).resolves.toMatchObject({ engine: 'postgres' });
  });
});
