/**
 * Automated backups in the simulator (rds/backups.ts): automated snapshots,
 * the restorable window, DescribeDBInstanceAutomatedBackups and the two
 * point-in-time restores, each rule with the page it comes from.
 */
import {
  DescribeDBInstanceAutomatedBackupsCommand, DescribeDBSnapshotsCommand, RDSClient, RestoreDBClusterToPointInTimeCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { RdsSimulator } from './rds-sim';

let sim: RdsSimulator;
let rds: RDSClient;
const CREATED = new Date('2026-01-05T08:00:00Z'); // the simulation starts at 2026-01-09T08:00:00Z

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
  rds = new RDSClient({ region: 'us-east-1' });
  sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', InstanceCreateTime: CREATED, BackupRetentionPeriod: 2 });
  sim.addCluster({ DBClusterIdentifier: 'orders-aurora', Engine: 'aurora-postgresql', ClusterCreateTime: CREATED, BackupRetentionPeriod: 7 });
});
afterEach(() => sim.uninstall());

const fault = (p: Promise<unknown>) => p.then(() => 'no fault', (e: Error) => `${e.name}: ${e.message}`);

describe('the restorable window', () => {
  test('a DB instance: LatestRestorableTime 5 minutes ago (logs every 5 minutes, USER_PIT); earliest: the retention period or its creation', async () => {
    expect(sim.instance('orders-db')!.LatestRestorableTime).toEqual(new Date('2026-01-09T07:55:00Z'));
    const out = await rds.send(new DescribeDBInstanceAutomatedBackupsCommand({ DbiResourceId: sim.instance('orders-db')!.DbiResourceId }));
    expect(out.DBInstanceAutomatedBackups).toEqual([expect.objectContaining({
      Status: 'active',
      DBInstanceIdentifier: 'orders-db',
      RestoreWindow: { EarliestTime: new Date('2026-01-07T08:00:00Z'), LatestTime: new Date('2026-01-09T07:55:00Z') },
    })]);
  });

  test('without automated backups: no LatestRestorableTime, and DBInstanceAutomatedBackupNotFound', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'no-backups', Engine: 'postgres', BackupRetentionPeriod: 0 });
    expect(sim.instance('no-backups')!.LatestRestorableTime).toBeUndefined();
    expect(await fault(rds.send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: 'no-backups' }))))
      .toMatch(/^DBInstanceAutomatedBackupNotFoundFault/);
  });

  test('an Aurora cluster: EarliestRestorableTime and LatestRestorableTime (now: logs are continuous)', () => {
    const c = sim.cluster('orders-aurora')!;
    expect([c.EarliestRestorableTime, c.LatestRestorableTime]).toEqual([CREATED, new Date('2026-01-09T08:00:00Z')]);
  });
});

describe('automated snapshots', () => {
  test('named rds:<id>-YYYY-MM-DD-HH-MM, SnapshotType automated, listed only when asked for', async () => {
    const name = sim.addAutomatedSnapshot({ identifier: 'orders-db', at: new Date('2026-01-08T03:07:00Z') });
    expect(name).toBe('rds:orders-db-2026-01-08-03-07');
    sim.addSnapshot({ DBSnapshotIdentifier: 'manual-1', DBInstanceIdentifier: 'orders-db' });
    const automated = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'orders-db', SnapshotType: 'automated' }));
    expect(automated.DBSnapshots!.map((s) => [s.DBSnapshotIdentifier, s.SnapshotType])).toEqual([[name, 'automated']]);
  });
});

describe('RestoreDBInstanceToPointInTime (API reference)', () => {
  const base = { TargetDBInstanceIdentifier: 'orders-db-pitr', SourceDBInstanceIdentifier: 'orders-db' };

  test('a new instance from the source by identifier or by DbiResourceId, with the source\'s tags unless Tags is given', async () => {
    const source = sim.instance('orders-db')!;
    const out = await rds.send(new RestoreDBInstanceToPointInTimeCommand({ ...base, RestoreTime: new Date('2026-01-08T00:00:00Z') }));
    expect(out.DBInstance).toMatchObject({ DBInstanceIdentifier: 'orders-db-pitr', DBInstanceStatus: 'creating', Engine: 'postgres' });
    expect(out.DBInstance!.DbiResourceId).not.toBe(source.DbiResourceId);
    const byId = await rds.send(new RestoreDBInstanceToPointInTimeCommand({
      TargetDBInstanceIdentifier: 'orders-db-pitr2', SourceDbiResourceId: source.DbiResourceId, UseLatestRestorableTime: true,
    }));
    expect(byId.DBInstance!.DBInstanceIdentifier).toBe('orders-db-pitr2');
  });

  test.each([
    ['both times', { RestoreTime: new Date('2026-01-08T00:00:00Z'), UseLatestRestorableTime: true }, /^InvalidParameterCombination/],
    ['neither time', {}, /^InvalidParameterCombination/],
    ['a time before the window', { RestoreTime: new Date('2026-01-07T07:59:00Z') }, /^InvalidRestoreFault: .*outside the restorable window 2026-01-07T08:00:00.000Z - 2026-01-09T07:55:00.000Z/],
    ['a time after the latest restorable time', { RestoreTime: new Date('2026-01-09T07:56:00Z') }, /^InvalidRestoreFault/],
    ['a target that exists', { TargetDBInstanceIdentifier: 'orders-db', UseLatestRestorableTime: true }, /^DBInstanceAlreadyExistsFault/],
    ['a source that does not exist', { SourceDBInstanceIdentifier: 'nope', UseLatestRestorableTime: true }, /^DBInstanceNotFoundFault/],
  ])('%s: refused', async (_, extra, why) => {
    expect(await fault(rds.send(new RestoreDBInstanceToPointInTimeCommand({ ...base, ...extra })))).toMatch(why);
  });

  test('a source without automated backups: PointInTimeRestoreNotEnabledFault', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'no-backups', Engine: 'postgres', BackupRetentionPeriod: 0 });
    expect(await fault(rds.send(new RestoreDBInstanceToPointInTimeCommand({
      TargetDBInstanceIdentifier: 'x', SourceDBInstanceIdentifier: 'no-backups', UseLatestRestorableTime: true,
    })))).toMatch(/^PointInTimeRestoreNotEnabledFault: SourceDBInstanceIdentifier refers to a DB instance with BackupRetentionPeriod equal to 0/);
  });
});

describe('RestoreDBClusterToPointInTime (API reference)', () => {
  const base = { DBClusterIdentifier: 'orders-aurora-pitr', SourceDBClusterIdentifier: 'orders-aurora' };

  test('a new cluster without members, from the source by identifier or resource id', async () => {
    const out = await rds.send(new RestoreDBClusterToPointInTimeCommand({ ...base, RestoreToTime: new Date('2026-01-08T00:00:00Z') }));
    expect(out.DBCluster).toMatchObject({ DBClusterIdentifier: 'orders-aurora-pitr', Status: 'creating', Engine: 'aurora-postgresql', DBClusterMembers: [] });
  });

  test.each([
    ['RestoreToTime with copy-on-write', { RestoreType: 'copy-on-write', RestoreToTime: new Date('2026-01-08T00:00:00Z') }, /^InvalidParameterCombination/],
    ['a time outside the window', { RestoreToTime: new Date('2026-01-04T00:00:00Z') }, /^InvalidRestoreFault/],
    ['cluster-level Performance Insights (not an Aurora Limitless source, boto/boto3#4634)', { UseLatestRestorableTime: true, EnablePerformanceInsights: true },
      /^InvalidParameterCombination: You can enable Performance Insights or set the Enhanced Monitoring interval only when restoring from a source Aurora Limitless DB cluster/],
    ['both sources', { SourceDbClusterResourceId: 'cluster-x', UseLatestRestorableTime: true }, /^InvalidParameterCombination/],
  ])('%s: refused', async (_, extra, why) => {
    expect(await fault(rds.send(new RestoreDBClusterToPointInTimeCommand({ ...base, ...extra } as any)))).toMatch(why);
  });

  test('Engine is not a parameter of this call: the simulator refuses to guess', async () => {
    expect(await fault(rds.send(new RestoreDBClusterToPointInTimeCommand({ ...base, UseLatestRestorableTime: true, Engine: 'aurora-postgresql' } as any))))
      .toMatch(/has no parameter Engine/);
  });
});
