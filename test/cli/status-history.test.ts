import { FakeStepFunctions } from './fake-aws';
import { cli, readTemplate, synthConsumerApp, timelineLines } from './helpers';
import { historyEventsOf } from './history-events';
import { stopSimulator } from '../../cli/sim/dynalite';
import { simulate } from '../../cli/sim/simulate';
import { stateMachinesOf } from '../../cli/sim/template';
import { formatDuration } from '../../test/sim/clock';
import type { RunResult } from '../../test/sim/template-pipeline';
import { formatSteps } from '../../test/sim/timeline';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Restore';
const sfn = new FakeStepFunctions();
let restored: RunResult;
let refused: RunResult;
let downtime: number;

const HOUR = 3600_000;
/** An execution of MACHINE that played `run`, started `hoursAgo`. */
function execution(name: string, identifier: string, run: RunResult, hoursAgo: number) {
  const events = historyEventsOf(run, new Date(Date.now() - hoursAgo * HOUR));
  return sfn.add({
    executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`,
    name,
    stateMachineArn: MACHINE,
    input: JSON.stringify({ identifier, task: 'create_snapshot', isCluster: false }),
    startDate: events[0].timestamp!,
    events,
  });
}

beforeAll(async () => {
  const template = readTemplate(synthConsumerApp({ allowedIdentifiers: ['orders-db'] }));
  const run = async (identifier: string) => simulate({ template, stateMachine: stateMachinesOf(template)[0], task: 'create_snapshot', database: { identifier, isCluster: false } });
  const ok = await run('orders-db');
  restored = ok.result;
  downtime = ok.downtime.reduce((s, d) => s + d.seconds, 0);
  refused = (await run('payments-db')).result;
  sfn.install();
  execution('old', 'orders-db', restored, 48);
  execution('payments', 'payments-db', refused, 30);
  execution('nightly', 'orders-db', restored, 24);
  // running for 25 minutes: its history so far
  const running = execution('now', 'orders-db', restored, 25 / 60);
  running.visible = running.events.findIndex((e) => e.timestamp!.getTime() > Date.now());
  sfn.revealPerRead = 0;
});
afterAll(async () => {
  sfn.uninstall();
  await stopSimulator();
});

const arn = (name: string) => `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;

describe('trapheus-cdk status', () => {
  test('a finished restore: input, the timeline, the result with its duration and a downtime bound; exit 0', async () => {
    const r = await cli('status', arn('nightly'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Input:     {"identifier":"orders-db","task":"create_snapshot","isCluster":false}');
    expect(timelineLines(r.stdout)).toEqual(formatSteps(restored).split('\n'));
    expect(r.stdout).toContain(`Result:    SUCCEEDED in ${formatDuration(restored.seconds)}`);
    // the bound from the history holds the simulator's measured outage, within one restore poll (5 min) and the rename's delay
    const bound = Number(JSON.parse((await cli('status', arn('nightly'), '--json')).stdout.trim().split('\n').pop()!).downtimeAtMost);
    expect(bound).toBeGreaterThanOrEqual(downtime);
    expect(bound - downtime).toBeLessThanOrEqual(300 + 60);
    expect(r.stdout).toContain(`Downtime:  at most ${formatDuration(bound)}`);
  });

  test('a failed restore: exit 1, the failure report on stderr', async () => {
    const r = await cli('status', arn('payments'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Result:    FAILED (${refused.error}) in ${formatDuration(refused.seconds)}`);
    expect(r.stderr).toContain(`Failure report:\n  ${refused.cause}`);
  });

  test('a running restore: the steps so far and the progress with an ETA from the typical durations; exit 0', async () => {
    const r = await cli('status', arn('now'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Result:    RUNNING in 25m 0');
    const progress = /^Progress: {2}(\d+)%, ETA ~(\d+)m \d\ds \(typical durations\)$/m.exec(r.stdout);
    expect(progress).not.toBeNull();
    // 25 minutes into a typical 1 h 02 m restore, in the restore's wait
    expect(Number(progress![1])).toBeGreaterThan(30);
    expect(Number(progress![1])).toBeLessThan(60);
    expect(Number(progress![2])).toBeGreaterThan(25);
    expect(timelineLines(r.stdout).length).toBeLessThan(formatSteps(restored).split('\n').length);
  });

  test('an unknown execution exits 2 with the service\'s answer', async () => {
    const r = await cli('status', arn('nope'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`trapheus-cdk: AWS answered ExecutionDoesNotExist: Execution Does Not Exist: '${arn('nope')}'\n`);
  });
});

describe('trapheus-cdk history', () => {
  test('the restores of one database, newest first, with outcome, duration and downtime', async () => {
    const r = await cli('history', '--state-machine', MACHINE, '--identifier', 'orders-db');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => / (SUCCEEDED|FAILED|RUNNING) /.test(l));
    expect(rows.map((l) => l.trim().split(/\s{2,}/).slice(1, 3))).toEqual([
      ['create_snapshot', 'RUNNING'], ['create_snapshot', 'SUCCEEDED'], ['create_snapshot', 'SUCCEEDED'],
    ]);
    expect(rows[1]).toContain(`  ${formatDuration(restored.seconds)}  `);
    expect(rows[1]).toMatch(/ {2}\d+m \d\ds {2}.*nightly$/);
    expect(r.stdout).not.toContain('payments');
  });

  test('--max and --scan bound what is shown and read; --json gives one object per restore', async () => {
    const max = await cli('history', '--state-machine', MACHINE, '--identifier', 'orders-db', '--max', '1', '--json');
    const lines = max.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'execution', name: 'now', status: 'RUNNING', input: { identifier: 'orders-db' } });
    const scan = await cli('history', '--state-machine', MACHINE, '--identifier', 'payments-db', '--scan', '2');
    expect(scan.stdout).toContain('  none');
    expect(scan.stdout).toContain('(2 executions read)');
    const all = await cli('history', '--state-machine', MACHINE, '--identifier', 'payments-db', '--json');
    expect(JSON.parse(all.stdout)).toMatchObject({ name: 'payments', status: 'FAILED', error: refused.error, cause: refused.cause });
  });

  test('--max 0 is refused, naming the option', async () => {
    const r = await cli('history', '--state-machine', MACHINE, '--identifier', 'orders-db', '--max', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max 0: give a whole number, 1 or more');
  });
});
