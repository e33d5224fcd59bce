import { logged } from '../../lambda-src/rds/log';

describe('structured handler logs', () => {
  let lines: any[];
  beforeEach(() => {
    lines = [];
    process.env.TRAPHEUS_LOG = 'on';
    jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(JSON.parse(line)); });
  });
  afterEach(() => {
    process.env.TRAPHEUS_LOG = 'off';
    jest.restoreAllMocks();
  });

  test('a handler logs its start and end with the execution, identifier and operation, never the event itself', async () => {
    const handler = logged('rename', async (e: any) => ({ ok: e.op }));
    await handler({ _execution: 'arn:aws:states:us-east-1:1:execution:sm:run-1', op: 'forward', identifier: 'orders-db', config: { secret: 'x' } });
    expect(lines.map((l) => [l.level, l.handler, l.message, l.execution, l.identifier, l.op])).toEqual([
      ['INFO', 'rename', 'start', 'arn:aws:states:us-east-1:1:execution:sm:run-1', 'orders-db', 'forward'],
      ['INFO', 'rename', 'done', 'arn:aws:states:us-east-1:1:execution:sm:run-1', 'orders-db', 'forward'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  test('a failure is logged with the error name and message, and rethrown unchanged', async () => {
    const error = Object.assign(new Error('DBInstance x not found.'), { name: 'DBInstanceNotFoundFault' });
    const handler = logged('capture', async () => { throw error; });
    await expect(handler({ job: { identifier: 'orders-aurora', isCluster: true } })).rejects.toBe(error);
    expect(lines[1]).toMatchObject({ level: 'ERROR', handler: 'capture', identifier: 'orders-aurora', isCluster: true, error: 'DBInstanceNotFoundFault', detail: 'DBInstance x not found.' });
  });
});
