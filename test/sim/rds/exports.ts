/**
 * Snapshot exports to Amazon S3: StartExportTask and DescribeExportTasks, with
 * each export's status over simulated time, and failures a test can inject.
 *
 * Sources:
 * - API_StartExportTask (request parameters, all required but S3Prefix and
 *   ExportOnly; Errors: DBSnapshotNotFound, DBClusterSnapshotNotFoundFault,
 *   ExportTaskAlreadyExists, InvalidExportSourceState, KMSKeyNotAccessibleFault,
 *   IamRoleNotFound...; KmsKeyId: "The caller of this operation must be
 *   authorized to run ... kms:CreateGrant, kms:DescribeKey").
 * - API_ExportTask: the statuses STARTING, IN_PROGRESS, COMPLETE, CANCELING,
 *   CANCELED, FAILED; FailureCause, PercentProgress, TaskStartTime, TaskEndTime,
 *   TotalExtractedDataInGB, SourceType.
 * - API_DescribeExportTasks: ExportTaskIdentifier, SourceArn, Filters
 *   (export-task-identifier, s3-bucket, source-arn, status), SourceType,
 *   MaxRecords / Marker; Errors: ExportTaskNotFound.
 * - Aurora User Guide, "Considerations for DB cluster snapshot exports", and
 *   RDS User Guide, "Exporting DB snapshot data to Amazon S3": one export task
 *   per snapshot at a time; up to five concurrent export tasks per account; no
 *   colon in the S3 prefix; an identifier already used fails with
 *   ExportTaskAlreadyExistsFault ("The export task with the ID xxxxx already
 *   exists."); engines MariaDB, MySQL, PostgreSQL and Aurora (not Oracle, SQL
 *   Server, Db2, RDS Custom); Aurora Serverless v1 does not export; STARTING
 *   covers restoring and scaling the whole database before extraction.
 */
import { ExportTask, Filter } from '@aws-sdk/client-rds';
import { rdsFault } from './faults';
import { useKeyForCaller } from './kms';
import { applyFilters, FilterTable, paginate } from './lifecycle';
import type { SimState } from './state';

/** How long an export stays in each status, in simulated seconds. */
export interface ExportDurations {
  /** STARTING: RDS restores and scales the database it extracts from (assumed 15 min for a small one). */
  starting: number;
  /** IN_PROGRESS: the extraction to Parquet in S3 (assumed 30 min for a small database). */
  inProgress: number;
}

export const DEFAULT_EXPORT_DURATIONS: ExportDurations = { starting: 900, inProgress: 1800 };

/** A test device: the next export (matching `when`) ends FAILED with `cause` instead of COMPLETE. */
export interface ExportFailure {
  readonly cause: string;
  readonly when?: (input: { ExportTaskIdentifier?: string; SourceArn?: string }) => boolean;
}

interface ExportRecord {
  readonly data: ExportTask;
  readonly startedAt: number;
  /** Set by `failNext`: where the export ends. */
  readonly failure?: string;
  /** Stuck (`stick`): it stays in the status it had then. */
  frozenStatus?: string;
}

/** What an export needs to know of its source snapshot. */
interface ExportSourceFacts { id: string; status: string; engine?: string; engineMode?: string; createdAt?: Date; allocatedStorage?: number }

/** Statuses in which an export task is running (it counts toward the limits). */
const RUNNING = new Set(['STARTING', 'IN_PROGRESS', 'CANCELING']);

/** Engines whose snapshots export (RDS User Guide, "Supported Regions and DB engines for exporting snapshots to S3"). */
const EXPORTABLE_ENGINES = new Set(['mariadb', 'mysql', 'postgres', 'aurora-mysql', 'aurora-postgresql']);

/** The limit of concurrent export tasks per account (Aurora User Guide, "Considerations for DB cluster snapshot exports"). */
export const MAX_CONCURRENT_EXPORTS = 5;

const EXPORT_FILTERS: FilterTable<ExportTask> = {
  'export-task-identifier': t => [t.ExportTaskIdentifier],
  's3-bucket': t => [t.S3Bucket],
  'source-arn': t => [t.SourceArn],
  'status': t => [t.Status],
};

/** The export tasks of one simulated account. */
export class ExportTasks {
  durations: ExportDurations = { ...DEFAULT_EXPORT_DURATIONS };
  private readonly tasks: ExportRecord[] = [];
  private readonly failures: ExportFailure[] = [];

  constructor(private readonly sim: SimState) {}

  /** The next export matching `when` fails (FAILED, with `cause` as its FailureCause) at the end of IN_PROGRESS. */
  failNext(failure: ExportFailure): void {
    this.failures.push(failure);
  }

  /** The export task `id` never leaves its current status; false when there is none. */
  stick(id: string): boolean {
    const rec = this.tasks.find(t => t.data.ExportTaskIdentifier === id);
    if (!rec) return false;
    rec.frozenStatus = this.view(rec).Status;
    return true;
  }

  /** Every export task, as DescribeExportTasks shows it. */
  all(): ExportTask[] {
    return this.tasks.map(t => this.view(t));
  }

  start(input: {
    ExportTaskIdentifier?: string;
    SourceArn?: string;
    S3BucketName?: string;
    IamRoleArn?: string;
    KmsKeyId?: string;
    S3Prefix?: string;
    ExportOnly?: string[];
  }): object {
    for (const p of ['ExportTaskIdentifier', 'SourceArn', 'S3BucketName', 'IamRoleArn', 'KmsKeyId'] as const) {
      if (input[p] === undefined) throw rdsFault('MissingParameter', `The request must contain the parameter ${p}`);
    }
    const id = input.ExportTaskIdentifier!;
    // The identifier rule of the RDS console's export form (1 to 60 letters, digits or hyphens, starting
    // with a letter); the API page states none, so the fault name and wording are assumed.
    if (!/^[A-Za-z][A-Za-z0-9-]{0,59}$/.test(id)) {
      throw rdsFault('InvalidParameterValue', `The export task identifier ${id} is not valid: use 1 to 60 letters, digits or hyphens, starting with a letter.`);
    }
    if (this.tasks.some(t => t.data.ExportTaskIdentifier === id)) {
      throw rdsFault('ExportTaskAlreadyExistsFault', `The export task with the ID ${id} already exists.`);
    }
    if (input.S3Prefix?.includes(':')) {
      // "Exports to S3 don't support S3 prefixes containing a colon (:)"; the fault name is assumed
      throw rdsFault('InvalidParameterValue', `The S3 prefix ${input.S3Prefix} contains a colon, which exports to S3 don't support.`);
    }
    const source = this.source(input.SourceArn!);
    // Which statuses may export is not stated; an available snapshot is assumed, as for restores.
    if (source.status !== 'available') {
      throw rdsFault('InvalidExportSourceStateFault', `The snapshot ${source.id} is ${source.status}; only an available snapshot can be exported.`);
    }
    if (!EXPORTABLE_ENGINES.has(source.engine ?? '') || source.engineMode === 'serverless') {
      // the fault name is assumed
      throw rdsFault('InvalidExportSourceStateFault', `Snapshots of engine ${source.engine}${source.engineMode === 'serverless' ? ' (Serverless v1)' : ''} can't be exported to Amazon S3.`);
    }
    const running = this.all().filter(t => RUNNING.has(t.Status!));
    if (running.some(t => t.SourceArn === input.SourceArn)) {
      // "You can't start an export task that's already running" (ExportTaskAlreadyExistsFault, API_StartExportTask)
      throw rdsFault('ExportTaskAlreadyExistsFault', `An export task of ${input.SourceArn} is already running; only one export of a snapshot can run at a time.`);
    }
    if (running.length >= MAX_CONCURRENT_EXPORTS) {
      // the limit is documented, its fault is not: the name is assumed
      throw rdsFault('ExportTaskLimitReachedFault', `You can have up to ${MAX_CONCURRENT_EXPORTS} concurrent export tasks in progress per account.`);
    }
    useKeyForCaller(this.sim.env, input.KmsKeyId, 'KMS key');
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(input.IamRoleArn!)) {
      throw rdsFault('IamRoleNotFoundFault', `The IAM role ${input.IamRoleArn} was not found: give the ARN of the export role.`);
    }
    const failure = this.failures.findIndex(f => !f.when || f.when(input));
    const rec: ExportRecord = {
      startedAt: this.sim.clock.elapsed,
      failure: failure >= 0 ? this.failures.splice(failure, 1)[0].cause : undefined,
      data: {
        ExportTaskIdentifier: id,
        SourceArn: input.SourceArn,
        ExportOnly: input.ExportOnly,
        SnapshotTime: source.createdAt,
        TaskStartTime: this.sim.clock.now(),
        S3Bucket: input.S3BucketName,
        S3Prefix: input.S3Prefix ?? '',
        IamRoleArn: input.IamRoleArn,
        KmsKeyId: input.KmsKeyId,
        SourceType: 'SNAPSHOT',
        allocatedStorage: source.allocatedStorage,
      } as ExportTask & { allocatedStorage?: number },
    };
    this.tasks.push(rec);
    return this.view(rec);
  }

  describe(input: {
    ExportTaskIdentifier?: string; SourceArn?: string; Filters?: Filter[]; SourceType?: string; MaxRecords?: number; Marker?: string;
  }): object {
    let found = this.all();
    if (input.ExportTaskIdentifier !== undefined) {
      found = found.filter(t => t.ExportTaskIdentifier === input.ExportTaskIdentifier);
      if (found.length === 0) throw rdsFault('ExportTaskNotFoundFault', `Cannot find the export task with the identifier ${input.ExportTaskIdentifier}.`);
    }
    if (input.SourceArn !== undefined) found = found.filter(t => t.SourceArn === input.SourceArn);
    if (input.SourceType !== undefined) found = found.filter(t => t.SourceType === input.SourceType);
    const { page, Marker } = paginate(applyFilters(found, input.Filters, EXPORT_FILTERS), input);
    return { ExportTasks: page, ...(Marker ? { Marker } : {}) };
  }

  /** The snapshot an export names: DB snapshot or DB cluster snapshot, by ARN. */
  private source(arn: string): ExportSourceFacts {
    const type = /^arn:[^:]+:rds:[^:]*:[^:]*:([a-z-]+):/.exec(arn)?.[1];
    if (type === 'snapshot') {
      const rec = this.sim.requireSnapshot(arn);
      return {
        id: rec.data.DBSnapshotIdentifier!,
        status: rec.life.status,
        engine: rec.data.Engine,
        createdAt: rec.data.SnapshotCreateTime,
        allocatedStorage: rec.data.AllocatedStorage,
      };
    }
    if (type === 'cluster-snapshot') {
      const rec = this.sim.requireClusterSnapshot(arn, 'SourceArn');
      return {
        id: rec.data.DBClusterSnapshotIdentifier!,
        status: rec.life.status,
        engine: rec.data.Engine,
        engineMode: rec.data.EngineMode,
        createdAt: rec.data.SnapshotCreateTime,
        allocatedStorage: rec.data.AllocatedStorage,
      };
    }
    if (type === 'cluster') throw new Error('RdsSimulator does not model exports of a live DB cluster (SourceArn of a cluster)');
    throw rdsFault('InvalidParameterValue', `${arn} is not the ARN of a DB snapshot or DB cluster snapshot.`);
  }

  /** The task as DescribeExportTasks shows it now: its status follows from the time since it started. */
  private view(rec: ExportRecord): ExportTask {
    const { allocatedStorage, ...data } = rec.data as ExportTask & { allocatedStorage?: number };
    const out: ExportTask = structuredClone(data);
    const since = this.sim.clock.elapsed - rec.startedAt;
    const { starting, inProgress } = this.durations;
    let status = since < starting ? 'STARTING' : since < starting + inProgress ? 'IN_PROGRESS' : rec.failure ? 'FAILED' : 'COMPLETE';
    if (rec.frozenStatus && status !== rec.frozenStatus) status = rec.frozenStatus;
    out.Status = status;
    out.PercentProgress = status === 'IN_PROGRESS' ? Math.floor((100 * (since - starting)) / inProgress) : status === 'COMPLETE' ? 100 : 0;
    if (status === 'COMPLETE' || status === 'FAILED') {
      out.TaskEndTime = new Date(this.sim.clock.start.getTime() + (rec.startedAt + starting + inProgress) * 1000);
    }
    if (status === 'COMPLETE') out.TotalExtractedDataInGB = Math.max(1, Math.round((allocatedStorage ?? 20) / 10));
    if (status === 'FAILED') out.FailureCause = rec.failure;
    return out;
  }
}
