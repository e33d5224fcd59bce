import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FakeStepFunctions } from './fake-aws';
import { CliRun, readTemplate, synthConsumerApp, timelineLines } from './helpers';
import { historyEventsOf } from './history-events';
import { stopSimulator } from '../../cli/sim/dynalite';
import { simulate } from '../../cli/sim/simulate';
import { stateMachinesOf } from '../../cli/sim/template';
import { formatSteps } from '../../test/sim/timeline';

/**
 * The CLI as the npm package ships it (bin/trapheus-cdk.js, built by `npx projen bundle`),
 * run with plain node in another process, with Step Functions behind AWS_ENDPOINT_URL_SFN.
 */
const BUNDLE = path.join(__dirname, '..', '..', 'bin', 'trapheus-cdk.js');

function node(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], {
      cwd: path.dirname(BUNDLE),
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(() => {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npx projen bundle\` (npm test does)`);
});
afterAll(stopSimulator);

test('--help works for the program and every command, with plain node', async () => {
  const top = await node(['--help']);
  expect(top.code).toBe(0);
  expect(top.stdout).toMatch(/^Usage: trapheus-cdk \[options\] \[command\]/);
  for (const command of ['run', 'status', 'history', 'simulate']) {
    expect(top.stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    const help = await node([command, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: trapheus-cdk ${command} `));
    expect(help.stdout).toContain('Example');
  }
  const unknown = await node(['restore']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command \'restore\'');
});

test('simulate: the shipped file runs a consumer\'s cdk.out offline', async () => {
  const app = synthConsumerApp();
  const r = await node(['simulate', app, '--identifier', 'orders-db', '--task', 'create_snapshot']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(timelineLines(r.stdout)).toHaveLength(17);
  expect(timelineLines(r.stdout).pop()).toMatch(/ Restored$/);
});

test('run and status talk to the Step Functions endpoint of the environment (AWS_ENDPOINT_URL_SFN)', async () => {
  const template = readTemplate(synthConsumerApp());
  const { result } = await simulate({ template, stateMachine: stateMachinesOf(template)[0], task: 'db_restore', database: { identifier: 'orders-db', isCluster: false } });
  const sfn = new FakeStepFunctions();
  sfn.nextHistory = () => historyEventsOf(result, new Date(Date.now() - result.seconds * 1000));
  sfn.revealPerRead = 25;
  const server = await sfn.serve();
  try {
    const env = { AWS_ENDPOINT_URL_SFN: server.endpoint };
    const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:Restore';
    const run = await node(['run', '--state-machine', machine, '--identifier', 'orders-db', '--task', 'db_restore', '--poll', '0.02', '--name', 'cli-e2e'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(timelineLines(run.stdout)).toEqual(formatSteps(result).split('\n'));
    expect(sfn.calls.filter((c) => c.action === 'GetExecutionHistory').length).toBeGreaterThan(3);
    const status = await node(['status', `${machine.replace(':stateMachine:', ':execution:')}:cli-e2e`, '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout.trim().split('\n').pop()!)).toMatchObject({ event: 'result', status: 'SUCCEEDED', input: { identifier: 'orders-db', task: 'db_restore' } });
  } finally {
    await server.close();
  }
});
