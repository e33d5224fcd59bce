import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TAG_PIPELINE, TAG_SOURCE } from '../../../lambda-src/rds/naming';
import { AfterRestore, Cutover, OldDatabasePolicy } from '../../../src';
import { COPY_KMS_KEY, fullyConfiguredInstance, seedCluster, seedSharedGolden, SOURCE_ACCOUNT } from '../../sim/fixtures';
import { FaultRule, RdsSimulator } from '../../sim/rds-sim';
import type { Route53Simulator } from '../../sim/route53';
import { hookFunction } from '../fixtures/after-restore-hook.fixture';
import { Harness } from '../harness';

/** The paths the matrix covers, and the pipeline (old-database policy, cutover) each runs on. */

export const DNS_ZONE = 'Z0SIMULATED0ZONE';
export const DNS_RECORD = 'orders.example.internal';

const polling = { maxWait: Duration.hours(1), maxPollInterval: Duration.minutes(10), pollBackoffRate: 2 };
const PROPS = {
  'delete': polling,
  'snapshot then delete': { ...polling, oldDatabase: OldDatabasePolicy.snapshotThenDelete() },
  'keep for 2 h': { ...polling, oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(2)) },
  'cutover: restore then swap': { ...polling, cutover: Cutover.RESTORE_THEN_SWAP },
  // clients reach the database through this record, which the run finds pointing at it (seeded)
  'cutover: dns alias': (stack: Stack) => ({
    ...polling,
    cutover: Cutover.dnsAlias({
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: DNS_ZONE, zoneName: 'example.internal' }),
      recordName: DNS_RECORD,
    }),
  }),
  'export': (stack: Stack) => ({
    ...polling,
    exportTo: { bucket: s3.Bucket.fromBucketName(stack, 'Exports', 'orders-exports'), key: new kms.Key(stack, 'ExportKey') },
  }),
  // a user's Lambda hook after the verify step (the fixture answers { sanitized: true })
  'after-restore hook': (stack: Stack) => ({ ...polling, afterRestore: AfterRestore.lambda(hookFunction(stack)) }),
  // snapshots shared from another account: copied (re-encrypted with copyKey), restored from, the copy deleted or kept
  'shared snapshots': (stack: Stack) => ({ ...polling, sourceAccounts: [SOURCE_ACCOUNT], copyKey: kms.Key.fromKeyArn(stack, 'CopyKey', COPY_KMS_KEY) }),
  'shared snapshots, copies kept': (stack: Stack) => ({
    ...polling, sourceAccounts: [SOURCE_ACCOUNT], copyKey: kms.Key.fromKeyArn(stack, 'CopyKey', COPY_KMS_KEY), keepSnapshotCopies: true,
  }),
  'managed master password': { ...polling, restoreManagedMasterPassword: true },
};
export type Policy = keyof typeof PROPS;

/** One synthesized pipeline per policy, made when a shard first needs it. */
const harnesses = new Map<Policy, Harness>();
export function harnessFor(policy: Policy): Harness {
  if (!harnesses.has(policy)) harnesses.set(policy, new Harness(PROPS[policy]));
  return harnesses.get(policy)!;
}

export interface Scenario {
  readonly name: string;
  readonly policy: Policy;
  readonly isCluster: boolean;
  readonly task: string;
  /** Faults that shape the path itself (the rollback path needs a failed restore). */
  readonly baseline: FaultRule[];
  /** More fields of the execution input (the restore source). */
  readonly input?: Record<string, unknown>;
  /**
   * db_restore of GOLDEN, a snapshot shared from SOURCE_ACCOUNT (seeded, encrypted with its key):
   * the run's copy is `deleted` at the end, or `kept` (keepSnapshotCopies).
   */
  readonly copy?: 'deleted' | 'kept';
  /** The original has an RDS-managed master password (MasterUserSecret, MANAGED_KEY), which restoreManagedMasterPassword turns back on. */
  readonly managedPassword?: boolean;
  /** A DNS alias cutover: the database clients reach is the one the record points at. */
  readonly dns?: boolean;
}

/** The ARN of the snapshot SOURCE_ACCOUNT shares with this one (seedSharedGolden). */
export const GOLDEN = (isCluster: boolean) => `arn:aws:rds:us-east-1:${SOURCE_ACCOUNT}:${isCluster ? 'cluster-snapshot' : 'snapshot'}:golden`;
/** The KMS key of the original's managed master password secret. */
export const MANAGED_KEY = 'arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555';

/** db_restore from the sources other than a snapshot of this pipeline (issue 9). */
const SOURCES: { what: string; input: Record<string, unknown> }[] = [
  { what: 'from the latest automated snapshot', input: { source: 'latest-automated' } },
  { what: 'from a point in time', input: { source: 'point-in-time', restoreTime: '2026-01-09T06:00:00Z' } },
];

const TASKS = ['create_snapshot', 'db_restore', 'create_snapshot_only'];
export const SCENARIOS: Scenario[] = [false, true].flatMap((isCluster): Scenario[] => {
  const kind = isCluster ? 'cluster' : 'instance';
  return [
    ...TASKS.map((task) => ({ name: `${kind} ${task}`, policy: 'delete' as Policy, isCluster, task, baseline: [] })),
    // the other old-database policies add their own steps after the restore
    ...(['snapshot then delete', 'keep for 2 h'] as Policy[]).map((policy) => ({
      name: `${kind} create_snapshot, old database: ${policy}`, policy, isCluster, task: 'create_snapshot', baseline: [],
    })),
    ...(isCluster ? [] : [{ name: 'instance create_snapshot, cutover: restore then swap', policy: 'cutover: restore then swap' as Policy, isCluster, task: 'create_snapshot', baseline: [] }]),
    ...SOURCES.map(({ what, input }) => ({ name: `${kind} db_restore ${what}`, policy: 'delete' as Policy, isCluster, task: 'db_restore', baseline: [], input })),
    // a point-in-time restore under the staging identifier names the original by its identifier
    ...(isCluster ? [] : [{
      name: 'instance db_restore from a point in time, cutover: restore then swap',
      policy: 'cutover: restore then swap' as Policy,
      isCluster,
      task: 'db_restore',
      baseline: [],
      input: { source: 'point-in-time', useLatestRestorableTime: true },
    }]),
    // the staged cutovers: a DNS alias (instance, cluster), the cluster swap (the instance one is above)
    { name: `${kind} create_snapshot, cutover: dns alias`, policy: 'cutover: dns alias' as Policy, isCluster, task: 'create_snapshot', baseline: [], dns: true },
    ...(isCluster ? [{ name: 'cluster create_snapshot, cutover: restore then swap', policy: 'cutover: restore then swap' as Policy, isCluster, task: 'create_snapshot', baseline: [] }] : []),
    // the after-restore hook: its Lambda task joins the path (Lambda faults at it), and its failure rolls back
    { name: `${kind} create_snapshot, after-restore hook`, policy: 'after-restore hook' as Policy, isCluster, task: 'create_snapshot', baseline: [] },
    // the export of the newest pipeline snapshot to S3 (exportTo)
    { name: `${kind} export_snapshot`, policy: 'export' as Policy, isCluster, task: 'export_snapshot', baseline: [] },
    // a snapshot shared from another account, copied into this one first (the copy deleted at the end, or kept)
    ...([['shared snapshots', 'deleted', ''], ['shared snapshots, copies kept', 'kept', ', copy kept']] as const).map(([policy, copy, suffix]) => ({
      name: `${kind} db_restore from a shared snapshot${suffix}`, policy, isCluster, task: 'db_restore', baseline: [], input: { snapshotIdentifier: GOLDEN(isCluster) }, copy,
    })),
    // restoreManagedMasterPassword: the settings step turns the managed password back on, the verify step checks it
    { name: `${kind} create_snapshot, managed master password`, policy: 'managed master password' as Policy, isCluster, task: 'create_snapshot', baseline: [], managedPassword: true },
    {
      name: `${kind} rollback`,
      policy: 'delete',
      isCluster,
      task: 'create_snapshot',
      baseline: [{
        command: isCluster ? 'CreateDBInstance' : 'RestoreDBInstanceFromDBSnapshot',
        when: (i: any) => !isCluster || i.DBInstanceIdentifier === 'orders-aurora-2',
        error: 'InsufficientDBInstanceCapacityFault',
        message: 'baseline fault that sends the run down its rollback path',
      }],
    },
  ];
});

/**
 * The shards, one test file each, so jest runs them on every core; sized by
 * their run time (the cluster paths are the long ones).
 */
export const SHARDS: Record<string, string[]> = {
  'instance tasks': ['instance create_snapshot', 'instance db_restore', 'instance create_snapshot_only', 'instance rollback'],
  'instance policies': ['instance create_snapshot, old database: snapshot then delete', 'instance create_snapshot, old database: keep for 2 h',
    'instance create_snapshot, cutover: restore then swap'],
  'cluster tasks': ['cluster create_snapshot', 'cluster db_restore', 'cluster create_snapshot_only'],
  'cluster snapshot then delete, rollback': ['cluster create_snapshot, old database: snapshot then delete', 'cluster rollback'],
  'cluster keep': ['cluster create_snapshot, old database: keep for 2 h'],
  'exports': ['instance export_snapshot', 'cluster export_snapshot'],
  'after-restore hook': ['instance create_snapshot, after-restore hook', 'cluster create_snapshot, after-restore hook'],
  'restore sources': ['instance db_restore from the latest automated snapshot', 'instance db_restore from a point in time',
    'instance db_restore from a point in time, cutover: restore then swap', 'cluster db_restore from the latest automated snapshot',
    'cluster db_restore from a point in time'],
  'shared snapshots': ['instance db_restore from a shared snapshot', 'instance db_restore from a shared snapshot, copy kept',
    'cluster db_restore from a shared snapshot', 'cluster db_restore from a shared snapshot, copy kept'],
  'managed master password': ['instance create_snapshot, managed master password', 'cluster create_snapshot, managed master password'],
  'cutovers': ['instance create_snapshot, cutover: dns alias', 'cluster create_snapshot, cutover: dns alias', 'cluster create_snapshot, cutover: restore then swap'],
};

export const ID = (s: Scenario) => (s.isCluster ? 'orders-aurora' : 'orders-db');

/** Seed the database of a scenario; returns the identifiers and resource ids of the originals (and the pipeline's id). */
export function seed(
  sim: RdsSimulator, s: Scenario, pipelineId: string, dns?: Route53Simulator,
): { ids: string[]; resourceIds: Set<string>; pipelineId: string } {
  const seeded = seedDatabase(sim, s, pipelineId);
  if (s.dns) {
    dns!.addZone(DNS_ZONE, 'example.internal');
    const endpoint = s.isCluster ? sim.cluster(ID(s))!.Endpoint! : sim.instance(ID(s))!.Endpoint!.Address!;
    dns!.putRecord(DNS_ZONE, { name: DNS_RECORD, type: 'CNAME', ttl: 30, values: [endpoint] });
  }
  return seeded;
}

function seedDatabase(sim: RdsSimulator, s: Scenario, pipelineId: string): { ids: string[]; resourceIds: Set<string>; pipelineId: string } {
  // created days before the run, so a point in time has a window; a cluster restored to one has no cluster-level
  // monitoring or Performance Insights (RDS refuses them in that restore: lambda-src/rds/restore-window.ts)
  const created = new Date('2026-01-05T08:00:00Z');
  const pointInTime = s.input?.source === 'point-in-time';
  const secret = (kind: string) => (s.managedPassword
    ? { MasterUserSecret: { SecretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!${kind}-original-XyZ123`, SecretStatus: 'active', KmsKeyId: MANAGED_KEY } }
    : {});
  const shareGolden = () => {
    if (s.copy && seedSharedGolden(sim, { from: ID(s), isCluster: s.isCluster }) !== GOLDEN(s.isCluster)) throw new Error('fault matrix: GOLDEN is not the seeded ARN');
  };
  if (s.isCluster) {
    const { members } = seedCluster(sim, 'orders-aurora', {
      ClusterCreateTime: created, ...(pointInTime ? { MonitoringInterval: 0, PerformanceInsightsEnabled: false } : {}), ...secret('cluster'),
    });
    shareGolden();
    if (s.input?.source === 'latest-automated') sim.addAutomatedSnapshot({ identifier: 'orders-aurora', isCluster: true, at: new Date('2026-01-08T03:00:00Z') });
    sim.addClusterSnapshot({
      DBClusterSnapshotIdentifier: 'orders-aurora-trapheus-20260102-080000',
      DBClusterIdentifier: 'orders-aurora',
      SnapshotCreateTime: new Date('2026-01-02T08:00:00Z'),
      Tags: [{ Key: TAG_SOURCE, Value: 'orders-aurora' }, { Key: TAG_PIPELINE, Value: pipelineId }],
    });
    return {
      ids: ['orders-aurora', ...members.map((m) => m.DBInstanceIdentifier!)],
      resourceIds: new Set([sim.cluster('orders-aurora')!.DbClusterResourceId!, ...members.map((m) => m.DbiResourceId!)]),
      pipelineId,
    };
  }
  const db = sim.addInstance(fullyConfiguredInstance('orders-db', { InstanceCreateTime: created, ...secret('db') }));
  shareGolden();
  if (s.input?.source === 'latest-automated') sim.addAutomatedSnapshot({ identifier: 'orders-db', at: new Date('2026-01-08T03:00:00Z') });
  sim.addSnapshot({
    DBSnapshotIdentifier: 'orders-db-trapheus-20260102-080000',
    DBInstanceIdentifier: 'orders-db',
    SnapshotCreateTime: new Date('2026-01-02T08:00:00Z'),
    Tags: [{ Key: TAG_SOURCE, Value: 'orders-db' }, { Key: TAG_PIPELINE, Value: pipelineId }],
  });
  return { ids: ['orders-db'], resourceIds: new Set([db.DbiResourceId!]), pipelineId };
}

