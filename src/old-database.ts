import { Duration } from 'aws-cdk-lib';

/**
 * What happens to the original database once the restored one is verified.
 * Until then the original waits, renamed, as `<identifier>-trapheus-old`
 * (each Aurora member as `<member>-trapheus-old`).
 *
 * ```ts
 * import { Duration } from 'aws-cdk-lib';
 * import { OldDatabasePolicy, TrapheusRestore } from 'trapheus-cdk';
 *
 * new TrapheusRestore(stack, 'Restore', { oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(24)) });
 * ```
 */
export class OldDatabasePolicy {
  /**
   * Delete the old database as soon as the restored one is verified, without
   * a final snapshot. The default.
   */
  public static deleteImmediately(): OldDatabasePolicy {
    return new OldDatabasePolicy(false);
  }

  /**
   * Delete the old database as soon as the restored one is verified, with a
   * final snapshot (`FinalDBSnapshotIdentifier`; for an Aurora cluster, a final
   * cluster snapshot, which covers its members): named
   * `<identifier>-trapheus-final-<YYYYMMDD-HHMMSS>` from the execution's start
   * time, tagged `trapheus:final-snapshot-of`, never pruned by this pipeline.
   */
  public static snapshotThenDelete(): OldDatabasePolicy {
    return new OldDatabasePolicy(true);
  }

  /**
   * Keep the old database, renamed and running, for `duration` after the
   * restored one is verified (a Wait state in the same execution, which stays
   * RUNNING meanwhile), then delete it without a final snapshot.
   *
   * @param duration 1 to 168 hours, in whole minutes
   */
  public static keepFor(duration: Duration): OldDatabasePolicy {
    return new OldDatabasePolicy(false, duration);
  }

  /** Whether the old database is deleted with a final snapshot. */
  public readonly finalSnapshot: boolean;

  /**
   * How long the old database is kept before it is deleted.
   * @default - not kept: deleted as soon as the restored database is verified
   */
  public readonly keepDuration?: Duration;

  private constructor(finalSnapshot: boolean, keepDuration?: Duration) {
    this.finalSnapshot = finalSnapshot;
    this.keepDuration = keepDuration;
  }
}

/** What happens to the original database after a verified restore. */
export interface OldDatabaseOptions {
  /**
   * What happens to the original database (renamed `<identifier>-trapheus-old`)
   * once the restored one is verified: deleted at once, deleted with a final
   * snapshot, or kept for a while and then deleted.
   * @default OldDatabasePolicy.deleteImmediately()
   */
  readonly oldDatabase?: OldDatabasePolicy;
  /**
   * Whether the old database's automated backups are deleted with it
   * (`DeleteAutomatedBackups`). `false` retains them until their retention
   * period ends, so the old database can still be restored to a point in time.
   * @default false
   */
  readonly deleteOldAutomatedBackups?: boolean;
}

/** The policy as the pipelines build it. */
export interface OldDatabaseHandling {
  /** Passed to the delete handler in its payload. */
  readonly payload: { readonly finalSnapshot: boolean; readonly deleteAutomatedBackups: boolean };
  /** Seconds to keep the old database before deleting it, if it is kept. */
  readonly keepSeconds?: number;
  /** The keep time in words, for the Wait state's name: "24 hours". */
  readonly keepText?: string;
}

export const MIN_KEEP_HOURS = 1;
export const MAX_KEEP_HOURS = 168;

/** Resolve and check the old-database props (at synth). */
export function resolveOldDatabase(options: OldDatabaseOptions): OldDatabaseHandling {
  const policy = options.oldDatabase ?? OldDatabasePolicy.deleteImmediately();
  const payload = { finalSnapshot: policy.finalSnapshot, deleteAutomatedBackups: options.deleteOldAutomatedBackups ?? false };
  const keep = policy.keepDuration;
  if (keep === undefined) return { payload };
  if (keep.isUnresolved()) {
    throw new Error('oldDatabase: OldDatabasePolicy.keepFor() needs a concrete duration, not a token');
  }
  const seconds = keep.toSeconds({ integral: false });
  const hours = seconds / 3600;
  if (!(hours >= MIN_KEEP_HOURS && hours <= MAX_KEEP_HOURS) || seconds % 60 !== 0) {
    throw new Error(`oldDatabase: OldDatabasePolicy.keepFor() must keep the old database ${MIN_KEEP_HOURS} to ${MAX_KEEP_HOURS} hours, `
      + `in whole minutes (got ${keep.toHumanString()})`);
  }
  const keepText = Number.isInteger(hours)
    ? `${hours} hour${hours === 1 ? '' : 's'}`
    : `${seconds / 60} minutes`;
  return { payload, keepSeconds: seconds, keepText };
}
