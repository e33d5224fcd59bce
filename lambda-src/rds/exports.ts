import { createHash } from 'crypto';
import { DescribeDBClusterSnapshotsCommand, DescribeDBSnapshotsCommand, DescribeExportTasksCommand, ExportTask } from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, PipelineError, unlessAbsent } from './errors';

/**
 * Snapshot exports to Amazon S3 (StartExportTask, DescribeExportTasks), as the
 * `export` handler and the status check need them.
 *
 * Statuses (API reference, "ExportTask"): STARTING (RDS restores and scales
 * the database it extracts from), IN_PROGRESS, COMPLETE, FAILED (with
 * FailureCause), CANCELING, CANCELED. Only COMPLETE ends an export well;
 * FAILED, CANCELING and CANCELED never turn into it.
 */

/** Where the construct tells the handlers the export goes (set only when `exportTo` is configured). */
export const EXPORT_ENV = {
  bucket: 'EXPORT_BUCKET',
  prefix: 'EXPORT_PREFIX',
  role: 'EXPORT_ROLE_ARN',
  key: 'EXPORT_KMS_KEY_ARN',
} as const;

/** The task name, as the validator and the state machine spell it. */
export const EXPORT_TASK = 'export_snapshot';

/** The `export_snapshot` task needs `exportTo`: without it the first state refuses the input. */
export function exportNotConfigured(task: unknown): PipelineError | undefined {
  if (task !== EXPORT_TASK || process.env[EXPORT_ENV.bucket]) return undefined;
  return new PipelineError('ExportNotConfigured',
    '"task" is "export_snapshot", but this pipeline has no export configured: give the TrapheusRestore prop exportTo '
    + '({ bucket, prefix, key }), or use another task.');
}

/** The longest export task identifier (the RDS console's rule: 1 to 60 letters, digits or hyphens, starting with a letter). */
export const MAX_EXPORT_ID_LENGTH = 60;

/**
 * The export task identifier of an execution: `<identifier>-export-YYYYMMDD-HHMMSS`
 * from the execution's start time, so a retried call finds the task it already
 * started. A long identifier is shortened, with a hash of the whole one.
 */
export function exportTaskIdentifier(identifier: string, startedAt: string | Date): string {
  const iso = new Date(startedAt).toISOString();
  const suffix = `-export-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  const plain = `${identifier}${suffix}`;
  if (plain.length <= MAX_EXPORT_ID_LENGTH) return plain;
  const hash = createHash('sha256').update(identifier).digest('hex').slice(0, 6);
  const base = identifier.slice(0, MAX_EXPORT_ID_LENGTH - suffix.length - hash.length - 1).replace(/-+$/, '');
  return `${base}-${hash}${suffix}`;
}

/** Where RDS writes the export: `s3://<bucket>/<prefix>/<export task identifier>/` (RDS User Guide, "File naming convention"). */
export function exportPath(bucket: string, prefix: string, taskId: string): string {
  return `s3://${bucket}/${prefix ? `${prefix.replace(/\/+$/, '')}/` : ''}${taskId}/`;
}

/** The export task, or undefined when there is none of that identifier. */
export async function findExport(id: string): Promise<ExportTask | undefined> {
  const out = await unlessAbsent(['ExportTaskNotFoundFault', 'ExportTaskNotFound'], `Describing export task ${id}`,
    () => rds().send(new DescribeExportTasksCommand({ ExportTaskIdentifier: id })));
  return out?.ExportTasks?.[0];
}

/** The export tasks of a snapshot that are still running (a snapshot exports once at a time). */
export async function runningExportsOf(sourceArn: string): Promise<ExportTask[]> {
  const out = await attempt(`Listing the export tasks of ${sourceArn}`,
    () => rds().send(new DescribeExportTasksCommand({ SourceArn: sourceArn })));
  return (out.ExportTasks ?? []).filter((t) => t.Status === 'STARTING' || t.Status === 'IN_PROGRESS' || t.Status === 'CANCELING');
}

/** A snapshot as an export needs it: its ARN, status, and the database it was taken of. */
export interface ExportSource {
  readonly id: string;
  readonly arn: string;
  readonly status?: string;
  readonly source?: string;
}

/** The DB snapshot (or DB cluster snapshot) named `id`, or undefined. */
export async function findSource(id: string, isCluster: boolean): Promise<ExportSource | undefined> {
  if (isCluster) {
    const out = await unlessAbsent(['DBClusterSnapshotNotFoundFault', 'DBClusterSnapshotNotFound'], `Describing cluster snapshot ${id}`,
      () => rds().send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id })));
    const s = out?.DBClusterSnapshots?.[0];
    return s && { id: s.DBClusterSnapshotIdentifier!, arn: s.DBClusterSnapshotArn!, status: s.Status, source: s.DBClusterIdentifier };
  }
  const out = await unlessAbsent(['DBSnapshotNotFoundFault', 'DBSnapshotNotFound'], `Describing snapshot ${id}`,
    () => rds().send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id })));
  const s = out?.DBSnapshots?.[0];
  return s && { id: s.DBSnapshotIdentifier!, arn: s.DBSnapshotArn!, status: s.Status, source: s.DBInstanceIdentifier };
}

/** Where a wait for an export stands: done when COMPLETE; FAILED, CANCELING and CANCELED fail at once. */
export function exportCondition(subject: string, id: string, task: ExportTask | undefined): { done: boolean; status: string } {
  if (!task) throw new PipelineError('ExportTaskNotFoundFault', `The ${subject} ${id} is not there any more.`);
  const status = task.Status ?? 'unknown';
  const where = `${task.SourceArn} to ${exportPath(task.S3Bucket ?? '', task.S3Prefix ?? '', id)}`;
  if (status === 'FAILED') {
    throw new PipelineError('ExportFailed', `The ${subject} ${id} (${where}) failed: ${task.FailureCause ?? 'RDS gave no cause'}.`);
  }
  if (status === 'CANCELING' || status === 'CANCELED') {
    throw new PipelineError('ExportCanceled', `The ${subject} ${id} (${where}) was canceled (${status}); run the task again to export.`);
  }
  return { done: status === 'COMPLETE', status: status === 'IN_PROGRESS' ? `IN_PROGRESS, ${task.PercentProgress ?? 0}%` : status };
}
