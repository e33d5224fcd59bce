/**
 * Structured JSON logs: one line when a handler starts, one when it ends (or
 * fails), each with the execution, the identifier and the operation, so a
 * restore can be followed in CloudWatch Logs Insights. Events are not logged
 * whole: they carry configuration, and nothing secret belongs in logs.
 */

/** Payload key the state machine adds to every task: the execution ARN. */
export const EXECUTION_KEY = '_execution';

function context(event: any): Record<string, unknown> {
  const job = event?.job ?? event;
  return {
    execution: event?.[EXECUTION_KEY],
    identifier: typeof job?.identifier === 'string' ? job.identifier : undefined,
    isCluster: typeof job?.isCluster === 'boolean' ? job.isCluster : undefined,
    op: event?.op,
  };
}

export function log(level: 'INFO' | 'ERROR', fields: Record<string, unknown>): void {
  if (process.env.TRAPHEUS_LOG === 'off') return;
  console.log(JSON.stringify({ level, time: new Date().toISOString(), ...fields }));
}

/** Wrap a handler so that it logs its start, its end and its failures. */
export function logged<E, R>(name: string, handler: (event: E) => Promise<R>): (event: E) => Promise<R> {
  return async (event: E) => {
    const fields = { handler: name, ...context(event) };
    const started = Date.now();
    log('INFO', { ...fields, message: 'start' });
    try {
      const result = await handler(event);
      log('INFO', { ...fields, message: 'done', ms: Date.now() - started });
      return result;
    } catch (err) {
      const e = err as Error;
      log('ERROR', { ...fields, message: 'failed', error: e?.name, detail: e?.message, ms: Date.now() - started });
      throw err;
    }
  };
}
