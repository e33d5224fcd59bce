/**
 * Error names shared by the state machine (Retry, Catch) and the handlers.
 * Plain TypeScript, importable from `lambda-src/`.
 */

/** Throttled by the RDS API ("Rate exceeded"): retried with back-off on every RDS step. */
export const RDS_THROTTLED = 'RdsThrottled';
/** A transient network or 5xx fault calling AWS: retried like throttling. */
export const RDS_UNAVAILABLE = 'RdsUnavailable';
/**
 * Lambda itself refused or lost an invocation: throttled (concurrency or rate
 * limit), or the function timed out or ran out of memory, which Step Functions
 * reports as `Lambda.Unknown` (Step Functions Developer Guide, "Handle Lambda
 * service exceptions"). Retried on every task, before any Catch decides on a
 * rollback: they say nothing about the database.
 */
export const LAMBDA_THROTTLED = 'Lambda.TooManyRequestsException';
export const LAMBDA_UNKNOWN = 'Lambda.Unknown';
/** A wait passed its maximum: the execution takes its failure path. */
export const WAIT_TIMED_OUT = 'WaitTimedOut';
/**
 * The old DB (cluster) is not `available`, so RDS will not take its final
 * snapshot yet (a `backing-up` one is refused): the deletion is retried.
 */
export const OLD_DATABASE_BUSY = 'OldDatabaseBusy';
