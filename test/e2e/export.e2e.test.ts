import type { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Harness } from './harness';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';

/** A pipeline that exports to s3://orders-exports/exports/orders/, with a key of its stack; success alerts on. */
const exportProps = (stack: Stack) => ({
  notifyOnSuccess: true,
  exportTo: {
    bucket: s3.Bucket.fromBucketName(stack, 'Exports', 'orders-exports'),
    prefix: 'exports/orders',
    key: new kms.Key(stack, 'ExportKey'),
  },
});
const h = new Harness(exportProps);
/** The same pipeline without exportTo. */
const plain = new Harness({ notifyOnSuccess: true });

afterEach(() => {
  h.done();
  plain.done();
});

const RUN_STAMP = '20260109-080000';

function pipelineSnapshot(identifier: string, takenAt: string, isCluster = false) {
  const name = `${identifier}-trapheus-${takenAt.slice(0, 10).replace(/-/g, '')}-${takenAt.slice(11, 19).replace(/:/g, '')}`;
  const tags = [{ Key: TAG_SOURCE, Value: identifier }, { Key: TAG_PIPELINE, Value: h.pipelineId }];
  const at = new Date(takenAt);
  if (isCluster) h.sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: name, DBClusterIdentifier: identifier, SnapshotCreateTime: at, Tags: tags });
  else h.sim.addSnapshot({ DBSnapshotIdentifier: name, DBInstanceIdentifier: identifier, SnapshotCreateTime: at, Tags: tags });
  return name;
}

describe.each([
  { kind: 'instance', isCluster: false, id: 'orders-db', arnType: 'snapshot', ending: 'Snapshot exported' },
  { kind: 'cluster', isCluster: true, id: 'orders-aurora', arnType: 'cluster-snapshot', ending: 'Cluster snapshot exported' },
])('export_snapshot ($kind)', ({ isCluster, id, arnType, ending }) => {
  const seed = () => {
    if (isCluster) seedCluster(h.sim);
    else h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  };
  const input = (extra: Record<string, unknown> = {}) => ({ identifier: id, task: 'export_snapshot', isCluster, ...extra });
  const path = `s3://orders-exports/exports/orders/${id}-export-${RUN_STAMP}/`;

  test('exports the newest snapshot this pipeline made, waits until the export is COMPLETE, reports the S3 path', async () => {
    h.fresh();
    seed();
    pipelineSnapshot(id, '2026-01-01T08:00:00Z', isCluster);
    const newest = pipelineSnapshot(id, '2026-01-08T08:00:00Z', isCluster);
    const before = isCluster ? h.sim.cluster(id)!.DbClusterResourceId : h.sim.instance(id)!.DbiResourceId;

    const result = await h.run(input());

    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain(ending);
    expect(result.output.export).toEqual({
      id: `${id}-export-${RUN_STAMP}`,
      snapshot: newest,
      snapshotArn: `arn:aws:rds:us-east-1:123456789012:${arnType}:${newest}`,
      bucket: 'orders-exports',
      prefix: 'exports/orders',
      s3Path: path,
    });
    // The task RDS ran: to the bucket and prefix, with the export role and the key of the stack.
    const [task] = h.sim.exports.all();
    expect(task).toMatchObject({
      ExportTaskIdentifier: `${id}-export-${RUN_STAMP}`,
      Status: 'COMPLETE',
      S3Bucket: 'orders-exports',
      S3Prefix: 'exports/orders',
      SourceArn: `arn:aws:rds:us-east-1:123456789012:${arnType}:${newest}`,
    });
    expect(task.IamRoleArn).toMatch(/^arn:aws:iam::123456789012:role\/RestoreSnapshotExportExportRole/);
    expect(task.KmsKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/ExportKey/);
    // The wait polled with back-off until the export ended (STARTING 15 min, IN_PROGRESS 30 min in the simulator).
    const waits = result.timeline.filter((e) => e.type === 'Wait' && e.state === `Wait for ${isCluster ? 'cluster snapshot' : 'snapshot'} export`);
    expect(waits.length).toBeGreaterThan(3);
    expect(waits.reduce((sum, e) => sum + e.seconds!, 0)).toBeGreaterThanOrEqual(45 * 60);
    // Nothing but the export was asked of RDS; the database is the same one.
    expect(h.sim.mutatingCalls().map((c) => c.command)).toEqual(['StartExportTask']);
    expect(isCluster ? h.sim.cluster(id)!.DbClusterResourceId : h.sim.instance(id)!.DbiResourceId).toBe(before);
    // The success alert says where the data is.
    const [alert] = h.aws.alerts();
    expect(alert).toMatchObject({ kind: 'success', ending, details: { 'Snapshot': newest, 'Exported to': path } });
  });

  test('exports the snapshot named in snapshotIdentifier', async () => {
    h.fresh();
    seed();
    pipelineSnapshot(id, '2026-01-08T08:00:00Z', isCluster);
    if (isCluster) h.sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'orders-golden', DBClusterIdentifier: id });
    else h.sim.addSnapshot({ DBSnapshotIdentifier: 'orders-golden', DBInstanceIdentifier: id });

    const result = await h.run(input({ snapshotIdentifier: 'orders-golden' }));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.export.snapshot).toBe('orders-golden');
    expect(h.sim.exports.all().map((t) => [t.SourceArn, t.Status])).toEqual([[`arn:aws:rds:us-east-1:123456789012:${arnType}:orders-golden`, 'COMPLETE']]);
  });

  test('a named snapshot of another database is refused before any export', async () => {
    h.fresh();
    seed();
    if (isCluster) {
      h.sim.addCluster({ DBClusterIdentifier: 'billing-aurora', Engine: 'aurora-postgresql' });
      h.sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'billing-golden', DBClusterIdentifier: 'billing-aurora' });
    } else {
      h.sim.addInstance({ DBInstanceIdentifier: 'billing-db', Engine: 'postgres' });
      h.sim.addSnapshot({ DBSnapshotIdentifier: 'billing-golden', DBInstanceIdentifier: 'billing-db' });
    }

    const result = await h.run(input({ snapshotIdentifier: 'billing-golden' }));

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SnapshotOfAnotherDatabase');
    expect(result.cause).toContain(`was taken of billing-${isCluster ? 'aurora' : 'db'}, not of ${id}`);
    expect(h.sim.exports.all()).toEqual([]);
  });

  test('the export failing: the run fails with RDS\'s FailureCause, the database unchanged, and the failure alert sent', async () => {
    h.fresh();
    seed();
    pipelineSnapshot(id, '2026-01-08T08:00:00Z', isCluster);
    h.sim.exports.failNext({ cause: 'The export failed: table orders.invoices has a large object of 600 MB' });

    const result = await h.run(input());

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ExportFailed');
    expect(result.cause).toContain('failed: The export failed: table orders.invoices has a large object of 600 MB.');
    expect(result.cause).toContain(path);
    expect(result.cause).toContain(`${id} was not changed.`);
    expect(h.sim.exports.all()[0].Status).toBe('FAILED');
    const [alert] = h.aws.alerts();
    expect(alert).toMatchObject({ kind: 'failure', error: 'ExportFailed', phase: 'unchanged' });
  });

  test('no snapshot made by this pipeline: refused with what to do, no export started', async () => {
    h.fresh();
    seed();

    const result = await h.run(input());

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(isCluster ? 'DBClusterSnapshotNotFoundFault' : 'DBSnapshotNotFoundFault');
    expect(result.cause).toContain('run the task "create_snapshot_only" first, or name one with "snapshotIdentifier"');
    expect(h.sim.calls.filter((c) => c.command === 'StartExportTask')).toEqual([]);
  });

  test('the snapshot is being exported already (one export per snapshot at a time): ExportAlreadyRunning, naming the running task', async () => {
    h.fresh();
    seed();
    const name = pipelineSnapshot(id, '2026-01-08T08:00:00Z', isCluster);
    h.sim.exports.start({
      ExportTaskIdentifier: 'by-hand',
      SourceArn: `arn:aws:rds:us-east-1:123456789012:${arnType}:${name}`,
      S3BucketName: 'elsewhere',
      IamRoleArn: 'arn:aws:iam::123456789012:role/someone',
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/someone',
    });

    const result = await h.run(input());

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ExportAlreadyRunning');
    expect(result.cause).toContain('(export task by-hand STARTING)');
    expect(h.sim.exports.all().map((t) => t.ExportTaskIdentifier)).toEqual(['by-hand']);
  });

  test('an export that never ends fails at maxWait (WaitTimedOut), saying where it stands', async () => {
    h.fresh();
    seed();
    pipelineSnapshot(id, '2026-01-08T08:00:00Z', isCluster);
    h.sim.exports.durations = { starting: 60, inProgress: 100 * 3600 };

    const result = await h.run(input());

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('WaitTimedOut');
    expect(result.cause).toMatch(new RegExp(`Waited 6\\.0 h for the ${isCluster ? 'cluster snapshot' : 'snapshot'} export ${id}-export-${RUN_STAMP} to be complete; it is still IN_PROGRESS, \\d+%`));
  });

  test('without exportTo, export_snapshot is refused by the first state (ExportNotConfigured), before any AWS call', async () => {
    plain.fresh();
    if (isCluster) seedCluster(plain.sim);
    else plain.sim.addInstance(fullyConfiguredInstance('orders-db'));

    const result = await plain.run(input());

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ExportNotConfigured');
    expect(result.cause).toContain('give the TrapheusRestore prop exportTo');
    expect(plain.sim.calls).toEqual([]);
    expect(plain.aws.alerts()[0]).toMatchObject({ kind: 'failure', error: 'ExportNotConfigured', phase: 'refused' });
  });
});
