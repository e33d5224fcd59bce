import { FakeCloudFormation, FakeStepFunctions } from './fake-aws';
import { cli, cliOn, readTemplate, synthConsumerApp, timelineLines } from './helpers';
import { historyEventsOf } from './history-events';
import { stopSimulator } from '../../cli/sim/dynalite';
import { simulate } from '../../cli/sim/simulate';
import { stateMachinesOf } from '../../cli/sim/template';
import type { RunResult } from '../../test/sim/template-pipeline';
import { formatSteps } from '../../test/sim/timeline';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:RestoreStateMachine';
const sfn = new FakeStepFunctions();
const cfn = new FakeCloudFormation();
let restored: RunResult;
let refused: RunResult;

/** A real pipeline's run (simulated), whose history the fake Step Functions plays back. */
async function simulatedRun(template: any, identifier: string): Promise<RunResult> {
  const run = await simulate({ template, stateMachine: stateMachinesOf(template)[0], task: 'create_snapshot', database: { identifier, isCluster: false } });
  return run.result;
}

beforeAll(async () => {
  restored = await simulatedRun(readTemplate(synthConsumerApp()), 'orders-db');
  // A pipeline that may restore orders-db only, asked for payments-db: refused with a report.
  refused = await simulatedRun(readTemplate(synthConsumerApp({ allowedIdentifiers: ['orders-db'] })), 'payments-db');
  expect(restored.status).toBe('SUCCEEDED');
  expect(refused.status).toBe('FAILED');
});
afterAll(stopSimulator);
beforeEach(() => {
  sfn.install();
  cfn.install();
  sfn.calls.length = 0;
  sfn.revealPerRead = 7; // the execution runs while the CLI reads its history
});
afterEach(() => {
  sfn.uninstall();
  cfn.uninstall();
});

const playBack = (run: RunResult) => () => historyEventsOf(run, new Date(Date.now() - run.seconds * 1000));

describe('trapheus-cdk run', () => {
  test('starts the execution with the input, streams the demo\'s timeline lines once each, and exits 0', async () => {
    sfn.nextHistory = playBack(restored);
    const r = await cli('run', '--state-machine', MACHINE, '--identifier', 'orders-db', '--task', 'create_snapshot', '--poll', '0.01');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const start = sfn.calls.find((c) => c.action === 'StartExecution')!;
    expect(start.input.stateMachineArn).toBe(MACHINE);
    expect(JSON.parse(start.input.input)).toEqual({ identifier: 'orders-db', task: 'create_snapshot', isCluster: false });
    // the same lines `npm run demo` prints for the same run
    expect(timelineLines(r.stdout)).toEqual(formatSteps(restored).split('\n'));
    expect(r.stdout).toMatch(/^Result: {4}SUCCEEDED in 1h \d\dm \d\ds$/m);
    expect(r.stdout).toMatch(/^Downtime: {2}at most \d+m \d\ds \(0:10:15 rename of the original to 0:4\d:\d\d restored database seen ready\)$/m);
    // it polled: the history was read many times, newest first, until the end
    const reads = sfn.calls.filter((c) => c.action === 'GetExecutionHistory');
    expect(reads.length).toBeGreaterThan(10);
    expect(reads.every((c) => c.input.reverseOrder === true)).toBe(true);
  });

  test('on a terminal: a progress bar under the lines, with the ETA from the typical durations', async () => {
    sfn.nextHistory = playBack(restored);
    sfn.revealPerRead = 40;
    const r = await cliOn({ tty: true, pollMs: 300 }, 'run', '--state-machine', MACHINE, '--identifier', 'orders-db', '--task', 'create_snapshot', '--poll', '0.3');
    expect(r.code).toBe(0);
    const etas = [...r.stdout.matchAll(/ (\d+)% \| [\dhms ]+ \| ETA ~(?:(\d+)h )?(\d+)m \d\ds \(typical durations\)/g)];
    expect(etas.length).toBeGreaterThan(3);
    // the bar moves forward and the time left goes down
    const percents = etas.map((m) => Number(m[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents[percents.length - 1]).toBeGreaterThan(percents[0]);
    const minutes = etas.map((m) => Number(m[2] ?? 0) * 60 + Number(m[3]));
    expect(minutes[minutes.length - 1]).toBeLessThan(minutes[0]);
    // every timeline line is still there, in order, between the bar's redraws
    const lines = r.stdout.split(/\r?\n|\u001b\[2K/).map((l) => l.replace(/\u001b\[[\d;?]*[A-Za-z]/g, ''));
    expect(timelineLines(lines.join('\n'))).toEqual(formatSteps(restored).split('\n'));
  });

  test('a failed restore exits 1 and prints the failure report (the execution\'s cause) on stderr', async () => {
    sfn.nextHistory = playBack(refused);
    const r = await cli('run', '--state-machine', MACHINE, '--identifier', 'payments-db', '--task', 'create_snapshot', '--poll', '0.01');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^Result: {4}FAILED \\(${refused.error}\\)`, 'm'));
    expect(r.stderr).toContain('Failure report:');
    expect(r.stderr).toContain(refused.cause!.split('\n')[0]);
    expect(timelineLines(r.stdout)).toEqual(formatSteps(refused).split('\n'));
  });

  test('--json: a started object, one object per step, then the result', async () => {
    sfn.nextHistory = playBack(restored);
    const r = await cli('run', '--state-machine', MACHINE, '--identifier', 'orders-db', '--task', 'create_snapshot', '--poll', '0.01', '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ event: 'started', stateMachineArn: MACHINE, input: { identifier: 'orders-db', task: 'create_snapshot', isCluster: false } });
    const steps = lines.filter((l) => l.event === 'step');
    expect(steps.map((s) => `  ${s.time.padStart(8)}  ${s.text}`)).toEqual(formatSteps(restored).split('\n'));
    expect(lines[lines.length - 1]).toMatchObject({ event: 'result', status: 'SUCCEEDED', seconds: restored.seconds, executionArn: lines[0].executionArn });
    expect(lines).toHaveLength(steps.length + 2);
  });

  test('--stack and --construct-path find the state machine through CloudFormation (path metadata, paged)', async () => {
    cfn.stacks.set('DbReset', [
      { logicalId: 'Topic', type: 'AWS::SNS::Topic', physicalId: 'arn:aws:sns:us-east-1:123456789012:t' },
      { logicalId: 'OtherStateMachine1', type: 'AWS::StepFunctions::StateMachine', physicalId: `${MACHINE}Other`, path: 'DbReset/Other/StateMachine/Resource' },
      { logicalId: 'Bucket', type: 'AWS::S3::Bucket', physicalId: 'b' },
      { logicalId: 'RestoreStateMachineAB12', type: 'AWS::StepFunctions::StateMachine', physicalId: MACHINE, path: 'DbReset/Restore/StateMachine/Resource' },
    ]);
    sfn.nextHistory = playBack(restored);
    for (const path of ['Restore', 'DbReset/Restore']) {
      sfn.calls.length = 0;
      const r = await cli('run', '--stack', 'DbReset', '--construct-path', path, '--identifier', 'orders-db', '--task', 'create_snapshot', '--poll', '0.01');
      expect(r.code).toBe(0);
      expect(sfn.calls.find((c) => c.action === 'StartExecution')!.input.stateMachineArn).toBe(MACHINE);
    }
  });

  test('without path metadata, the logical id places the state machine', async () => {
    cfn.stacks.set('Plain', [{ logicalId: 'RestoreStateMachineAB12', type: 'AWS::StepFunctions::StateMachine', physicalId: MACHINE }]);
    sfn.nextHistory = playBack(restored);
    const r = await cli('run', '--stack', 'Plain', '--construct-path', 'Restore', '--identifier', 'orders-db', '--task', 'create_snapshot', '--poll', '0.01');
    expect(r.code).toBe(0);
  });

  test('a construct path with no state machine under it exits 2, naming the path and the state machines there are', async () => {
    cfn.stacks.set('DbReset', [{ logicalId: 'RestoreStateMachineAB12', type: 'AWS::StepFunctions::StateMachine', physicalId: MACHINE, path: 'DbReset/Restore/StateMachine/Resource' }]);
    const r = await cli('run', '--stack', 'DbReset', '--construct-path', 'Nightly', '--identifier', 'orders-db', '--task', 'create_snapshot');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trapheus-cdk: --construct-path Nightly: no state machine under it in stack DbReset (state machines: DbReset/Restore/StateMachine/Resource)\n');
    expect(sfn.calls.find((c) => c.action === 'StartExecution')).toBeUndefined();
  });

  test('an unknown stack, a bad ARN, a bad identifier and a missing task exit 2 without starting anything', async () => {
    const unknown = await cli('run', '--stack', 'Nope', '--construct-path', 'Restore', '--identifier', 'orders-db', '--task', 'db_restore');
    expect(unknown.stderr).toMatch(/^trapheus-cdk: --stack Nope: CloudFormation answered ValidationError: Stack with id Nope does not exist/);
    const badArn = await cli('run', '--state-machine', 'RestoreStateMachine', '--identifier', 'orders-db', '--task', 'db_restore');
    expect(badArn.stderr).toMatch(/--state-machine RestoreStateMachine is not a state machine ARN/);
    const badId = await cli('run', '--state-machine', MACHINE, '--identifier', 'Orders_DB', '--task', 'db_restore');
    expect(badId.stderr).toMatch(/^trapheus-cdk: .*identifier/);
    const noTask = await cli('run', '--state-machine', MACHINE, '--identifier', 'orders-db');
    expect(noTask.stderr).toMatch(/required option '--task <task>' not specified/);
    for (const r of [unknown, badArn, badId, noTask]) expect(r.code).toBe(2);
    expect(sfn.calls.find((c) => c.action === 'StartExecution')).toBeUndefined();
  });
});
