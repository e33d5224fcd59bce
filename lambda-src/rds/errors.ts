import { RDS_THROTTLED, RDS_UNAVAILABLE } from '../../src/error-names';

/**
 * Errors the pipeline raises, and the one place that turns an AWS SDK error
 * into a pipeline error name. Step Functions matches Retry and Catch on the
 * error name, so the names here are the contract with the state machine.
 */

/** An error whose `name` is what Step Functions sees as the state's error. */
export class PipelineError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}


const THROTTLING = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded',
  'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException',
]);
const TRANSIENT = new Set([
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ServiceUnavailable',
  'InternalFailure', 'InternalError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT',
]);

/**
 * Map whatever an AWS call threw to a `PipelineError`:
 * throttling → `RdsThrottled`, transient faults → `RdsUnavailable` (both
 * retried by the state machine), any RDS fault keeps its own name
 * (`DBInstanceNotFoundFault`, ...), with `context` saying what was being done.
 */
export function classify(err: unknown, context: string): PipelineError {
  if (err instanceof PipelineError) return err;
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? e?.code ?? 'Error';
  const message = String(e?.message ?? err);
  if (THROTTLING.has(name) || /rate exceeded/i.test(message)) {
    return new PipelineError(RDS_THROTTLED, `${context}: ${name}: ${message}`);
  }
  if (TRANSIENT.has(name) || TRANSIENT.has(e?.code ?? '') || (e?.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new PipelineError(RDS_UNAVAILABLE, `${context}: ${name}: ${message}`);
  }
  return new PipelineError(name, `${context}: ${message}`);
}

/** Run one AWS call; a failure is classified with `context` ("Renaming my-db to ..."). */
export async function attempt<T>(context: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classify(err, context);
  }
}

/** True when `err` is the AWS fault `name` (before or after classification). */
export function isFault(err: unknown, ...names: string[]): boolean {
  return names.includes((err as { name?: string })?.name ?? '');
}

/** Run one AWS call; undefined when it fails with one of the "not found" faults `absent`. */
export async function unlessAbsent<T>(absent: string[], context: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isFault(err, ...absent)) return undefined;
    throw classify(err, context);
  }
}
