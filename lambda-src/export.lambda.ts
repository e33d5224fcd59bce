import { StartExportTaskCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { classify, isFault, PipelineError } from './rds/errors';
import { EXPORT_ENV, exportPath, exportTaskIdentifier, ExportSource, findExport, findSource, runningExportsOf } from './rds/exports';
import type { ExportRef, Job } from './rds/job';
import { logged } from './rds/log';
import { pipelineSnapshots, snapshotKind } from './rds/snapshots';

/**
 * `export_snapshot`: start the export of a snapshot to S3 (StartExportTask),
 * to the bucket, prefix and KMS key of the construct's `exportTo`, with the
 * export role it made. The snapshot is the input's `snapshotIdentifier`, or
 * the newest available one this pipeline made of the database. The state
 * machine then waits for the export (check-status, resource `export`).
 */
export interface ExportEvent {
  readonly op: 'start';
  readonly job: Job & { readonly snapshotIdentifier?: string };
  /** The execution's start time: it names the export task, so a retry finds it. */
  readonly startedAt: string;
}

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the export handler runs outside a TrapheusRestore with exportTo`);
  return value;
}

/** The snapshot to export: the named one (of this database, available), or the newest this pipeline made. */
async function source(job: ExportEvent['job']): Promise<ExportSource> {
  const isCluster = job.isCluster === true;
  const noun = isCluster ? 'cluster snapshot' : 'snapshot';
  const notFound = isCluster ? 'DBClusterSnapshotNotFoundFault' : 'DBSnapshotNotFoundFault';
  if (job.snapshotIdentifier !== undefined) {
    const named = await findSource(job.snapshotIdentifier, isCluster);
    if (!named) {
      throw new PipelineError(notFound, `There is no ${noun} "${job.snapshotIdentifier}" in this account and Region: check "snapshotIdentifier".`);
    }
    if (named.source !== job.identifier) {
      throw new PipelineError('SnapshotOfAnotherDatabase', `The ${noun} ${named.id} was taken of ${named.source ?? 'another database'}, not of ${job.identifier}: `
        + 'this pipeline exports only snapshots of the database in "identifier".');
    }
    if (named.status !== 'available') {
      throw new PipelineError(isCluster ? 'InvalidDBClusterSnapshotStateFault' : 'InvalidDBSnapshotStateFault',
        `The ${noun} ${named.id} is ${named.status}; RDS exports only an available one. Wait for it and run again.`);
    }
    return named;
  }
  const newest = (await pipelineSnapshots(snapshotKind(isCluster), job.identifier)).find((s) => s.status === 'available');
  if (!newest) {
    throw new PipelineError(notFound, `No available ${noun} made by this pipeline of ${job.identifier} to export: run the task "create_snapshot_only" first, `
      + 'or name one with "snapshotIdentifier".');
  }
  return { id: newest.id, arn: newest.arn!, status: newest.status, source: job.identifier };
}

async function start(event: ExportEvent): Promise<ExportRef> {
  const bucket = setting(EXPORT_ENV.bucket);
  const prefix = process.env[EXPORT_ENV.prefix] ?? '';
  const snapshot = await source(event.job);
  const id = exportTaskIdentifier(event.job.identifier, event.startedAt);
  const ref: ExportRef = { id, snapshot: snapshot.id, snapshotArn: snapshot.arn, bucket, prefix, s3Path: exportPath(bucket, prefix, id) };
  try {
    await rds().send(new StartExportTaskCommand({
      ExportTaskIdentifier: id,
      SourceArn: snapshot.arn,
      S3BucketName: bucket,
      ...(prefix ? { S3Prefix: prefix } : {}),
      IamRoleArn: setting(EXPORT_ENV.role),
      KmsKeyId: setting(EXPORT_ENV.key),
    }));
    return ref;
  } catch (err) {
    if (isFault(err, 'ExportTaskAlreadyExistsFault', 'ExportTaskAlreadyExists')) {
      // A retry after a lost answer: the task this execution started is there.
      const mine = await findExport(id);
      if (mine?.SourceArn === snapshot.arn) return ref;
      const running = await runningExportsOf(snapshot.arn);
      if (running.length > 0) {
        throw new PipelineError('ExportAlreadyRunning', `The ${event.job.isCluster ? 'cluster snapshot' : 'snapshot'} ${snapshot.id} is being exported already `
          + `(export task ${running.map((t) => `${t.ExportTaskIdentifier} ${t.Status}`).join(', ')}): RDS runs one export of a snapshot at a time. `
          + 'Wait for it to end, then run again.');
      }
    }
    throw classify(err, `Starting export ${id} of ${snapshot.id} to ${ref.s3Path}`);
  }
}

export const handler = logged('export', async (event: ExportEvent): Promise<ExportRef> => {
  switch (event.op) {
    case 'start': return start(event);
  }
});
