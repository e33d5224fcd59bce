import { handler, Outcome, Phase } from '../../lambda-src/outcome.lambda';
import type { Job, StepError } from '../../lambda-src/rds/job';
import { tempIdentifier } from '../../lambda-src/rds/naming';
import { RdsSimulator } from '../sim/rds-sim';

const TEMP = 'orders-db-trapheus-old';
const ENDPOINT = 'orders-db.c1abcdefghij.us-east-1.rds.amazonaws.com';
const PHASES: Phase[] = ['refused', 'unchanged', 'rolled-back', 'rollback-failed', 'restored'];

let sim: RdsSimulator;
let log: jest.SpyInstance;

beforeEach(() => {
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => sim.uninstall());

/** What Step Functions puts at a Catch's ResultPath for an error thrown by a Node.js Lambda. */
function lambdaError(errorType: string, errorMessage: string): StepError {
  return {
    Error: errorType,
    Cause: JSON.stringify({
      errorType,
      errorMessage,
      trace: [`${errorType}: ${errorMessage}`, '    at attempt (/var/task/index.js:1:2345)', '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'],
    }),
  };
}

const RESTORE_ERROR = lambdaError('InsufficientDBInstanceCapacityFault',
  'Restoring snapshot orders-db-snap as orders-db: Cannot create a database instance because there is not enough capacity');

function job(extra: Partial<Job> = {}): Job {
  return { identifier: 'orders-db', task: 'db_restore', isCluster: false, error: RESTORE_ERROR, ...extra };
}

const original = (resourceId: string) => ({ resourceId, engine: 'postgres', config: { engine: 'postgres' } });

function expectNoLeak(out: Outcome): void {
  for (const leak of ['trace', '/var/task', 'node:internal', 'errorType', 'errorMessage', '{', '"']) {
    expect(out.cause).not.toContain(leak);
  }
}

describe('outcome: refused', () => {
  test('the validation message, and zero RDS calls', async () => {
    const out = await handler({
      phase: 'refused',
      job: { error: lambdaError('InvalidTask', '"task" is the string "restore"; it must be one of "create_snapshot", "db_restore", "create_snapshot_only".') } as unknown as Job,
    });
    expect(out).toEqual({
      error: 'InvalidTask',
      cause: '"task" is the string "restore"; it must be one of "create_snapshot", "db_restore", "create_snapshot_only". '
        + 'The input was refused before any RDS call; nothing was changed.',
      phase: 'refused',
    });
    expect(sim.calls).toEqual([]);
  });

  test('zero RDS calls even when the job has an identifier', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await handler({ phase: 'refused', job: job({ error: { Error: 'InvalidIsCluster', Cause: 'bad isCluster' } }) });
    expect(sim.calls).toEqual([]);
  });
});

describe('outcome: unchanged', () => {
  test('the database was not changed; a snapshot this run made is kept', async () => {
    const out = await handler({
      phase: 'unchanged',
      job: job({
        error: lambdaError('DBInstanceNotAvailable', 'DB instance orders-db is stopped; it must be available before a snapshot or restore.'),
        snapshot: { id: 'orders-db-trapheus-20260109-080000', created: true },
      }),
    });
    expect(out).toEqual({
      error: 'DBInstanceNotAvailable',
      cause: 'DB instance orders-db is stopped; it must be available before a snapshot or restore. orders-db was not changed. Snapshot orders-db-trapheus-20260109-080000 was kept.',
      phase: 'unchanged',
    });
    expect(sim.calls).toEqual([]);
  });

  test('a snapshot it only found is not mentioned', async () => {
    const out = await handler({
      phase: 'unchanged',
      job: job({ error: lambdaError('TemporaryIdentifierTaken', 'x taken'), snapshot: { id: 'orders-db-snapshot', created: false } }),
    });
    expect(out.cause).toBe('x taken. orders-db was not changed.');
  });
});

describe('outcome: rolled-back', () => {
  test('the original is back and available: says so, with its endpoint', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const out = await handler({ phase: 'rolled-back', job: job({ original: original(db.DbiResourceId!), temp: { identifier: TEMP } }) });
    expect(out).toEqual({
      error: 'InsufficientDBInstanceCapacityFault',
      cause: 'Restoring snapshot orders-db-snap as orders-db: Cannot create a database instance because there is not enough capacity. '
        + `Rolled back: orders-db is the original DB instance again, available at ${ENDPOINT}.`,
      phase: 'rolled-back',
    });
    expectNoLeak(out);
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('another DB under the identifier: needs attention, not the original', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const out = await handler({ phase: 'rolled-back', job: job({ original: original('db-ORIGINAL000000000000000000') }) });
    expect(out.cause).toMatch(/ Rollback finished but needs attention: orders-db is available and is not the original\.$/);
  });

  test('the original back but not available yet: needs attention', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'modifying' });
    const out = await handler({ phase: 'rolled-back', job: job({ original: original(db.DbiResourceId!) }) });
    expect(out.cause).toMatch(/ Rollback finished but needs attention: orders-db is modifying\.$/);
  });

  test('nothing under the identifier: needs attention', async () => {
    const out = await handler({ phase: 'rolled-back', job: job({ original: original('db-ORIGINAL000000000000000000') }) });
    expect(out.cause).toMatch(/ Rollback finished but needs attention: orders-db does not exist\.$/);
  });
});

describe('outcome: rollback-failed', () => {
  const ROLLBACK_ERROR = lambdaError('UnexpectedDBInstance', 'orders-db is held by a DB instance this pipeline did not create (db-X); it is left alone.');

  test('both states, where the original is, and how to recover', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'creating' });
    const out = await handler({
      phase: 'rollback-failed',
      job: job({ original: original(db.DbiResourceId!), temp: { identifier: TEMP }, rollbackError: ROLLBACK_ERROR }),
    });
    expect(out).toEqual({
      error: 'InsufficientDBInstanceCapacityFault',
      cause: 'Restoring snapshot orders-db-snap as orders-db: Cannot create a database instance because there is not enough capacity. '
        + 'ROLLBACK FAILED (orders-db is held by a DB instance this pipeline did not create (db-X); it is left alone.): needs attention. '
        + `Now orders-db is creating; ${TEMP} is available. The original DB instance is ${TEMP}. `
        + `To recover, once orders-db is free, rename ${TEMP} back to orders-db.`,
      phase: 'rollback-failed',
    });
    expectNoLeak(out);
  });

  test('the original under its identifier: no recovery rename suggested', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const out = await handler({ phase: 'rollback-failed', job: job({ original: original(db.DbiResourceId!), rollbackError: ROLLBACK_ERROR }) });
    expect(out.cause).toContain(`Now orders-db is available; ${TEMP} does not exist. The original DB instance is orders-db.`);
    expect(out.cause).not.toContain('To recover');
  });

  test('the original under neither name', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const out = await handler({ phase: 'rollback-failed', job: job({ original: original('db-ORIGINAL000000000000000000'), rollbackError: ROLLBACK_ERROR }) });
    expect(out.cause).toMatch(/ The original DB instance was not found under either name\.$/);
  });

  test('the temporary identifier is derived when the job has none', async () => {
    const long = `orders-${'x'.repeat(55)}`;
    const db = sim.addInstance({ DBInstanceIdentifier: tempIdentifier(long), Engine: 'postgres' });
    const out = await handler({ phase: 'rollback-failed', job: job({ identifier: long, original: original(db.DbiResourceId!), rollbackError: ROLLBACK_ERROR }) });
    expect(out.cause).toContain(`The original DB instance is ${tempIdentifier(long)}.`);
  });

  test('an unknown rollback error', async () => {
    const out = await handler({ phase: 'rollback-failed', job: job({ original: original('db-ORIGINAL000000000000000000') }) });
    expect(out.cause).toContain('ROLLBACK FAILED (unknown error): needs attention.');
  });
});

describe('outcome: restored', () => {
  test('no rollback: the restored DB serves, the original is kept under its temporary identifier', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'modifying' });
    const out = await handler({
      phase: 'restored',
      job: job({
        error: lambdaError('ConfigurationDrift', 'The restored orders-db differs from the original: Deletion protection: false instead of true.'),
        original: original(db.DbiResourceId!),
        temp: { identifier: TEMP },
        restored: { resourceId: 'db-RESTORED00000000000000000' },
      }),
    });
    expect(out).toEqual({
      error: 'ConfigurationDrift',
      cause: 'The restored orders-db differs from the original: Deletion protection: false instead of true. '
        + `No rollback: the restored DB instance serves as orders-db (orders-db is modifying). The original is kept as ${TEMP} (${TEMP} is available); delete it once you no longer need it.`,
      phase: 'restored',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });
});

describe('outcome: a copy of a shared snapshot the run made', () => {
  const COPY = 'orders-db-trapheus-copy-20260109-080000';
  const GOLDEN = 'arn:aws:rds:us-east-1:210987654321:snapshot:golden';
  const copy = { id: COPY, created: true, copyOf: GOLDEN };
  const LEFT = `The copy ${COPY} of the shared snapshot ${GOLDEN} is left in this account: `
    + 'the next successful db_restore from a shared snapshot deletes it (unless keepSnapshotCopies).';

  // the copy is deleted only after a successful restore: every failure after it leaves it, and names it
  test.each(['unchanged', 'rolled-back', 'rollback-failed', 'restored'] as Phase[])('%s: names the copy it leaves, once', async (phase) => {
    const db = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const out = await handler({
      phase, job: job({ snapshot: copy, original: original(db.DbiResourceId!), temp: { identifier: TEMP }, rollbackError: RESTORE_ERROR }),
    });
    expect(out.cause.endsWith(` ${LEFT}`)).toBe(true);
    expect(out.cause.split(COPY)).toHaveLength(2);
  });

  test('the shared snapshot itself (not copied yet) is not mentioned', async () => {
    const out = await handler({ phase: 'unchanged', job: job({ snapshot: { id: GOLDEN, arn: GOLDEN, created: false, shared: { encrypted: true } } }) });
    expect(out.cause).toBe('Restoring snapshot orders-db-snap as orders-db: Cannot create a database instance because there is not enough capacity. orders-db was not changed.');
  });
});

describe('outcome: the error text', () => {
  test('the Lambda JSON envelope: only its errorMessage, never the trace', async () => {
    const out = await handler({ phase: 'unchanged', job: job() });
    expect(out.cause).toBe('Restoring snapshot orders-db-snap as orders-db: Cannot create a database instance because there is not enough capacity. orders-db was not changed.');
    expectNoLeak(out);
  });

  test('a plain multi-line cause: its first line only', async () => {
    const out = await handler({ phase: 'unchanged', job: job({ error: { Error: 'States.Timeout', Cause: 'Task timed out after 60 seconds\n    at somewhere' } }) });
    expect(out).toMatchObject({ error: 'States.Timeout', cause: 'Task timed out after 60 seconds. orders-db was not changed.' });
  });

  test('no cause: the error name', async () => {
    const out = await handler({ phase: 'unchanged', job: job({ error: { Error: 'States.TaskFailed' } }) });
    expect(out).toMatchObject({ error: 'States.TaskFailed', cause: 'States.TaskFailed. orders-db was not changed.' });
  });

  test('no error at all: Unknown', async () => {
    const out = await handler({ phase: 'unchanged', job: job({ error: undefined }) });
    expect(out).toMatchObject({ error: 'Unknown', cause: 'unknown error. orders-db was not changed.' });
  });

  test('a message ending in a period or blanks is not doubled', async () => {
    const out = await handler({ phase: 'unchanged', job: job({ error: lambdaError('X', 'Ends with a period.  ') }) });
    expect(out.cause).toBe('Ends with a period. orders-db was not changed.');
  });

  test('logs one structured ERROR line with the outcome (besides its start and end lines)', async () => {
    process.env.TRAPHEUS_LOG = 'on';
    try {
      const out = await handler({ phase: 'unchanged', job: job() });
      const lines = log.mock.calls.map((c: any[]) => JSON.parse(c[0]));
      const errors = lines.filter((l: any) => l.level === 'ERROR');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toEqual({ level: 'ERROR', time: expect.any(String), handler: 'outcome', identifier: 'orders-db', task: 'db_restore', ...out });
      expect(lines.map((l: any) => l.message ?? 'report')).toEqual(['start', 'report', 'done']);
    } finally {
      process.env.TRAPHEUS_LOG = 'off';
    }
  });
});

describe('outcome: never throws', () => {
  test.each(PHASES)('%s: DescribeDBInstances failing is reported, not thrown', async (phase) => {
    sim.failOn({ command: 'DescribeDBInstances', error: 'AccessDenied', message: 'not authorized to perform: rds:DescribeDBInstances' });
    const out = await handler({
      phase,
      job: job({ original: original('db-ORIGINAL000000000000000000'), temp: { identifier: TEMP }, rollbackError: RESTORE_ERROR }),
    });
    expect(out).toMatchObject({ error: 'InsufficientDBInstanceCapacityFault', phase });
    if (['rolled-back', 'rollback-failed', 'restored'].includes(phase)) {
      expect(out.cause).toContain('orders-db could not be described (AccessDenied)');
    }
    if (['rollback-failed', 'restored'].includes(phase)) {
      expect(out.cause).toContain(`${TEMP} could not be described (AccessDenied)`);
    }
  });

  test('throttling and 5xx are reported by their pipeline names', async () => {
    sim.failOn({ command: 'DescribeDBInstances', error: 'Throttling', times: 1 });
    sim.failOn({ command: 'DescribeDBInstances', error: 'InternalFailure', times: 1 });
    const out = await handler({ phase: 'restored', job: job({ temp: { identifier: TEMP } }) });
    expect(out.cause).toContain('(orders-db could not be described (RdsThrottled))');
    expect(out.cause).toContain(`(${TEMP} could not be described (RdsUnavailable))`);
  });
});
