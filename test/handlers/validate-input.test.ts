import { PipelineError } from '../../lambda-src/rds/errors';
import { handler } from '../../lambda-src/validate-input.lambda';
import { TASKS } from '../../src/input-rules';
import { RdsSimulator } from '../sim/rds-sim';

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => {
  // Validation happens before any RDS call, whatever the input.
  expect(sim.calls).toEqual([]);
  sim.uninstall();
});

describe('validate-input: a valid input', () => {
  test('returns exactly identifier, task and isCluster, and the polls\' pace (0 alone: no fleet)', async () => {
    const out = await handler({ input: { identifier: 'orders-db', task: 'db_restore', isCluster: false } });
    expect(out).toStrictEqual({ identifier: 'orders-db', task: 'db_restore', isCluster: false, pace: 0 });
    expect(Object.keys(out)).toEqual(['identifier', 'task', 'isCluster', 'pace']);
  });

  test.each([...TASKS])('accepts the task %s', async (task) => {
    process.env.EXPORT_BUCKET = 'orders-exports'; // export_snapshot needs exportTo (set by the construct)
    try {
      await expect(handler({ input: { identifier: 'orders-db', task, isCluster: true } }))
        .resolves.toStrictEqual({ identifier: 'orders-db', task, isCluster: true, pace: 0 });
    } finally {
      delete process.env.EXPORT_BUCKET;
    }
  });

  test('export_snapshot without exportTo (no EXPORT_BUCKET): ExportNotConfigured, naming the prop', async () => {
    await expect(handler({ input: { identifier: 'orders-db', task: 'export_snapshot', isCluster: false } })).rejects.toMatchObject({
      name: 'ExportNotConfigured',
      message: expect.stringContaining('give the TrapheusRestore prop exportTo ({ bucket, prefix, key })'),
    });
  });

  test('accepts a 63-character identifier with digits and single hyphens', async () => {
    const identifier = `a1-${'b'.repeat(60)}`;
    expect(identifier).toHaveLength(63);
    await expect(handler({ input: { identifier, task: 'create_snapshot', isCluster: false } }))
      .resolves.toStrictEqual({ identifier, task: 'create_snapshot', isCluster: false, pace: 0 });
  });
});

describe('validate-input: InvalidInput', () => {
  test.each([
    ['null', null, /not null\.$/],
    ['a string', 'orders-db', /not the string "orders-db"\.$/],
    ['an array', [{ identifier: 'orders-db' }], /not an array\.$/],
    ['a number', 42, /not number 42\.$/],
    ['undefined', undefined, /not undefined/],
  ])('refuses %s as the whole input', async (_label, input, tail) => {
    const err = await handler({ input }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({
      name: 'InvalidInput',
      message: expect.stringMatching(/^The execution input must be a JSON object like \{"identifier": "my-db", "task": "db_restore", "isCluster": false\}/),
    });
    expect((err as Error).message).toMatch(tail);
  });

  test('refuses an unknown field, naming it', async () => {
    await expect(handler({ input: { identifier: 'orders-db', task: 'db_restore', isCluster: false, snapshot: 'x' } }))
      .rejects.toMatchObject({
        name: 'InvalidInput',
        message: 'Unknown field "snapshot": the input takes only identifier, task, isCluster, snapshotIdentifier, source, restoreTime, useLatestRestorableTime. '
          + 'Remove "snapshot" (check its spelling).',
      });
  });
});

describe('validate-input: the restore sources', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('passes the optional fields through, and leaves out the absent ones', async () => {
    await expect(handler({ input: { identifier: 'orders-db', task: 'db_restore', isCluster: false, source: 'point-in-time', restoreTime: '2026-01-09T07:00:00Z' } }))
      .resolves.toEqual({ identifier: 'orders-db', task: 'db_restore', isCluster: false, source: 'point-in-time', restoreTime: '2026-01-09T07:00:00Z', pace: 0 });
  });

  test('an ARN of this account is not a shared snapshot', async () => {
    process.env.ACCOUNT_ID = '123456789012';
    const input = { identifier: 'orders-db', task: 'db_restore', isCluster: false, snapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:golden' };
    await expect(handler({ input })).resolves.toEqual({ ...input, pace: 0 });
  });

  test('a shared snapshot: refused without sourceAccounts or from an account it does not list; accepted from a listed account (copied later)', async () => {
    process.env.ACCOUNT_ID = '123456789012';
    const input = { identifier: 'orders-db', task: 'db_restore', isCluster: false, snapshotIdentifier: 'arn:aws:rds:us-east-1:210987654321:snapshot:golden' };
    await expect(handler({ input })).rejects.toMatchObject({ name: 'SharedSnapshotNotAllowed' });
    process.env.SOURCE_ACCOUNTS = '["111122223333"]';
    await expect(handler({ input })).rejects.toMatchObject({ name: 'SharedSnapshotNotAllowed', message: expect.stringMatching(/does not list \(111122223333\)/) });
    process.env.SOURCE_ACCOUNTS = '["111122223333","210987654321"]';
    await expect(handler({ input })).resolves.toEqual({ ...input, pace: 0 });
    delete process.env.SOURCE_ACCOUNTS;
  });
});

describe('validate-input: InvalidIdentifier', () => {
  test('missing identifier', async () => {
    await expect(handler({ input: { task: 'db_restore', isCluster: false } })).rejects.toMatchObject({
      name: 'InvalidIdentifier',
      message: expect.stringMatching(/^"identifier" is missing: add the DB instance or cluster identifier/),
    });
  });

  test('identifier that is not a string', async () => {
    await expect(handler({ input: { identifier: 5, task: 'db_restore', isCluster: false } })).rejects.toMatchObject({
      name: 'InvalidIdentifier',
      message: '"identifier" must be a string, not number 5.',
    });
  });

  test.each([
    ['', /"identifier" "" is not a valid RDS identifier: it is empty/],
    ['Orders-DB', /"identifier" "Orders-DB" is not a valid RDS identifier: it has uppercase letters; .*use "orders-db"/],
    ['orders_db', /"identifier" "orders_db" is not a valid RDS identifier: it contains "_"/],
    ['1orders', /"identifier" "1orders" is not a valid RDS identifier: it must start with a letter/],
    ['orders-', /"identifier" "orders-" is not a valid RDS identifier: it must not end with a hyphen/],
    ['orders--db', /"identifier" "orders--db" is not a valid RDS identifier: it must not contain two consecutive hyphens/],
    ['a'.repeat(64), /is not a valid RDS identifier: it has 64 characters; RDS identifiers have at most 63/],
  ])('identifier %j breaks the RDS rules', async (identifier, message) => {
    await expect(handler({ input: { identifier, task: 'db_restore', isCluster: false } })).rejects.toMatchObject({
      name: 'InvalidIdentifier',
      message: expect.stringMatching(message),
    });
  });
});

describe('validate-input: InvalidTask', () => {
  test('missing task lists the tasks', async () => {
    await expect(handler({ input: { identifier: 'orders-db', isCluster: false } })).rejects.toMatchObject({
      name: 'InvalidTask',
      message: '"task" is missing: use one of "create_snapshot", "db_restore", "create_snapshot_only", "export_snapshot".',
    });
  });

  test('unknown task', async () => {
    await expect(handler({ input: { identifier: 'orders-db', task: 'restore', isCluster: false } })).rejects.toMatchObject({
      name: 'InvalidTask',
      message: '"task" is the string "restore"; it must be one of "create_snapshot", "db_restore", "create_snapshot_only", "export_snapshot".',
    });
  });

  test('a near miss gets a suggestion', async () => {
    await expect(handler({ input: { identifier: 'orders-db', task: 'DB-Restore', isCluster: false } })).rejects.toMatchObject({
      name: 'InvalidTask',
      message: expect.stringContaining('(did you mean "db_restore"?)'),
    });
  });

  test('a task that is not a string', async () => {
    await expect(handler({ input: { identifier: 'orders-db', task: ['db_restore'], isCluster: false } })).rejects.toMatchObject({
      name: 'InvalidTask',
      message: expect.stringMatching(/^"task" is an array; it must be one of/),
    });
  });
});

describe('validate-input: InvalidIsCluster', () => {
  test('missing isCluster', async () => {
    await expect(handler({ input: { identifier: 'orders-db', task: 'db_restore' } })).rejects.toMatchObject({
      name: 'InvalidIsCluster',
      message: '"isCluster" is missing: use true for an Aurora cluster, false for a DB instance.',
    });
  });

  test.each([
    ['false', 'the string "false"'],
    [0, 'number 0'],
    [null, 'null'],
  ])('isCluster %j is not a boolean', async (isCluster, described) => {
    await expect(handler({ input: { identifier: 'orders-db', task: 'db_restore', isCluster } })).rejects.toMatchObject({
      name: 'InvalidIsCluster',
      message: `"isCluster" must be a JSON boolean (true or false, without quotes), not ${described}.`,
    });
  });
});

describe('validate-input: several problems', () => {
  test('every problem is in the message; the name is the first one in field order', async () => {
    const err = await handler({ input: { identifier: 'Bad_Id', task: 'restore', isCluster: 'no', extra: 1 } }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'InvalidInput' });
    const message = (err as Error).message;
    expect(message).toContain('Unknown field "extra"');
    expect(message).toContain('"identifier" "Bad_Id" is not a valid RDS identifier');
    expect(message).toContain('"task" is the string "restore"');
    expect(message).toContain('"isCluster" must be a JSON boolean');
    // In field order: unknown fields, identifier, task, isCluster.
    const order = ['Unknown field', '"identifier"', '"task"', '"isCluster"'].map((s) => message.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('without unknown fields, the identifier problem names the error', async () => {
    await expect(handler({ input: { task: 'nope', isCluster: 'yes' } })).rejects.toMatchObject({
      name: 'InvalidIdentifier',
      message: expect.stringMatching(/"identifier" is missing.*"task" is the string "nope".*"isCluster" must be a JSON boolean/s),
    });
  });

  test('a task and an isCluster problem: InvalidTask, both in the message', async () => {
    await expect(handler({ input: { identifier: 'orders-db', isCluster: 1 } })).rejects.toMatchObject({
      name: 'InvalidTask',
      message: expect.stringMatching(/^"task" is missing: .* "isCluster" must be a JSON boolean .*not number 1\.$/),
    });
  });
});

describe('validate-input: a fleet', () => {
  const execution = 'arn:aws:states:us-east-1:123456789012:execution:Restore:fleet-1';
  const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ identifier: `db-${i + 1}`, task: 'db_restore', isCluster: i % 2 === 1 }));

  test('every target gets fleet { execution, size, delay }: the first maxConcurrency start 10 s apart, the others when a slot frees', async () => {
    const out = await handler({ input: { targets: targets(5), maxConcurrency: 3 }, _execution: execution }) as any;
    expect(out.size).toBe(5);
    expect(out.maxConcurrency).toBe(3);
    expect(out.targets.map((t: any) => t.fleet)).toEqual([0, 10, 20, 0, 0].map((delay) => ({ execution, size: 5, delay })));
    expect(out.targets[1]).toEqual({ identifier: 'db-2', task: 'db_restore', isCluster: true, fleet: { execution, size: 5, delay: 10 } });
  });

  test('maxConcurrency defaults to FLEET_CONCURRENCY, at most the fleet size', async () => {
    process.env.FLEET_CONCURRENCY = '4';
    try {
      expect((await handler({ input: { targets: targets(10) }, _execution: execution }) as any).maxConcurrency).toBe(4);
      expect((await handler({ input: { targets: targets(2) }, _execution: execution }) as any).maxConcurrency).toBe(2);
    } finally {
      delete process.env.FLEET_CONCURRENCY;
    }
  });

  test.each([
    [{ targets: [] }, 'InvalidFleet', /"targets" must be a non-empty array/],
    [{ targets: targets(51) }, 'InvalidFleet', /has 51 entries; a fleet has at most 50/],
    [{ targets: targets(2), maxConcurrency: 0 }, 'InvalidFleet', /"maxConcurrency" is 0; it must be from 1 to 50/],
    [{ targets: targets(2), concurrency: 2 }, 'InvalidFleet', /Unknown field "concurrency"/],
    [{ targets: [...targets(2), { identifier: 'db-1', task: 'create_snapshot', isCluster: false }] }, 'DuplicateTarget', /targets\[2\]\.identifier: "db-1" is already targets\[0\]/],
    [{ targets: [{ identifier: 'db-1', task: 'db-restore', isCluster: false }] }, 'InvalidTask', /^targets\[0\]\.task: "task" is the string "db-restore"/],
    [{ targets: [{ identifier: 'db-1', task: 'db_restore', isCluster: false, fleet: {} }] }, 'InvalidFleet', /targets\[0\]: a target is one database/],
  ])('refuses %j (%s)', async (input, error, message) => {
    await expect(handler({ input, _execution: execution })).rejects.toMatchObject({ name: error, message: expect.stringMatching(message) });
  });

  test('a child\'s fleet field is checked: made by a fleet, not by hand', async () => {
    await expect(handler({ input: { identifier: 'db-1', task: 'db_restore', isCluster: false, fleet: { execution: 'x', size: 2, delay: 0 } } }))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(/"fleet" .* execution must be the ARN of the fleet execution/) });
    const fleet = { execution, size: 7, delay: 15 };
    await expect(handler({ input: { identifier: 'db-1', task: 'db_restore', isCluster: false, fleet } }))
      .resolves.toEqual({ identifier: 'db-1', task: 'db_restore', isCluster: false, fleet, pace: 4 });
  });
});
