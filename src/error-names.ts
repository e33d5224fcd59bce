/**
 * Error names shared by the state machine (Retry, Catch) and the handlers.
 * Plain TypeScript, importable from `lambda-src/`.
 */

/** Throttled by the RDS API ("Rate exceeded"): retried with back-off on every RDS step. */
export const RDS_THROTTLED = 'RdsThrottled';
/** A transient network or 5xx fault calling AWS: retried like throttling. */
export const RDS_UNAVAILABLE = 'RdsUnavailable';
/** A wait passed its maximum: the execution takes its failure path. */
export const WAIT_TIMED_OUT = 'WaitTimedOut';
/**
 * The old DB (cluster) is not `available`, so RDS will not take its final
 * snapshot yet (a `backing-up` one is refused): the deletion is retried.
 */
export const OLD_DATABASE_BUSY = 'OldDatabaseBusy';
