/**
 * What one execution does: the `task` field of its input. An enum-like class,
 * so that every jsii language gets completion and a compile-time check;
 * the execution input itself stays the JSON string `value`.
 *
 * ```ts
 * import { RestoreTask } from 'trapheus-cdk';
 *
 * const target = { identifier: 'orders-db', task: RestoreTask.DB_RESTORE };
 * ```
 */
export class RestoreTask {
  /**
   * Snapshot the database (named `<snapshotNamePrefix><identifier>-<time>`,
   * or `snapshotIdentifier`), then restore it from that snapshot.
   */
  public static readonly CREATE_SNAPSHOT = new RestoreTask('create_snapshot');

  /**
   * Restore the database in place from a snapshot, the newest automated
   * snapshot or a point in time (the input's `source`).
   */
  public static readonly DB_RESTORE = new RestoreTask('db_restore');

  /** Snapshot the database and stop: nothing is restored. */
  public static readonly CREATE_SNAPSHOT_ONLY = new RestoreTask('create_snapshot_only');

  /** Export a snapshot to S3 (StartExportTask). */
  public static readonly EXPORT_SNAPSHOT = new RestoreTask('export_snapshot');

  /** The task as it appears in the execution input, e.g. `db_restore`. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  /** The task as it appears in the execution input. */
  public toString(): string {
    return this.value;
  }
}

/**
 * The input value of a schedule target's task, or why it is not a task:
 * TypeScript callers get a compile-time check, but JavaScript callers can
 * still pass anything.
 */
export function taskValue(task: unknown): { value?: string; problem?: string } {
  if (task instanceof RestoreTask) return { value: task.value };
  if (typeof task === 'string') {
    const near = Object.entries(RestoreTask).find(([, t]) => t instanceof RestoreTask && t.value === task.trim().toLowerCase().replace(/[\s-]/g, '_'));
    return { problem: `"task" must be a RestoreTask, not the string ${JSON.stringify(task)}; use ${near ? `RestoreTask.${near[0]}` : 'RestoreTask.DB_RESTORE, RestoreTask.CREATE_SNAPSHOT, …'}.` };
  }
  return { problem: `"task" must be a RestoreTask (RestoreTask.DB_RESTORE, RestoreTask.CREATE_SNAPSHOT, …), not ${task === undefined ? 'missing' : JSON.stringify(task)}.` };
}
