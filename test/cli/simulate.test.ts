import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli, synthConsumerApp, timelineLines } from './helpers';
import { seedDatabase } from '../../cli/sim/database';
import { processDynalite, stopSimulator } from '../../cli/sim/dynalite';
import { TrapheusRestore } from '../../src';
import { AwsSims } from '../../test/sim/aws-sims';
import { tablesOfStack } from '../../test/sim/dynamo';
import { RdsSimulator } from '../../test/sim/rds-sim';
import { buildStack, definitionFrom, runPipeline } from '../../test/sim/run-pipeline';
import { formatSteps } from '../../test/sim/timeline';

afterAll(stopSimulator);

let app: string;
beforeAll(() => {
  app = synthConsumerApp();
});

describe('trapheus-cdk simulate', () => {
  test('runs the pipeline of a cdk.out directory as the test harness runs the construct, and exits 0', async () => {
    const r = await cli('simulate', app, '--identifier', 'orders-db', '--task', 'create_snapshot');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Simulating DbReset: DbReset/Restore/StateMachine (${path.join(app, 'DbReset.template.json')}) offline`);
    expect(r.stdout).toContain('Database:  DB instance orders-db: postgres 16.3, db.r6g.large');
    // The harness's run of the same construct (synthesized in the test, handlers required from lambda-src/)
    const { stack } = buildStack();
    const definition = definitionFrom(stack);
    const sim = new RdsSimulator();
    const aws = new AwsSims();
    sim.install();
    aws.install();
    (await processDynalite()).reset(tablesOfStack(stack));
    try {
      const passable = [...definition.functions.values()].map((f) => f.env.PASSABLE_ROLES).find(Boolean);
      seedDatabase(sim, { identifier: 'orders-db', isCluster: false, passableRoles: passable && JSON.parse(passable) }, [...definition.functions.values()][0].env.PIPELINE_ID);
      const expected = await runPipeline(definition, { identifier: 'orders-db', task: 'create_snapshot', isCluster: false }, sim);
      expect(expected.status).toBe('SUCCEEDED');
      expect(timelineLines(r.stdout)).toEqual(formatSteps(expected).split('\n'));
    } finally {
      sim.uninstall();
      aws.uninstall();
    }
    expect(r.stdout).toMatch(/^Result: {4}SUCCEEDED in 1h \d\dm \d\ds \(simulated\)$/m);
    expect(r.stdout).toMatch(/^Downtime: {2}\d+m \d\ds, the endpoint unreachable from 0:1\d:\d\d to 0:4\d:\d\d$/m);
  });

  test('--json: the steps, then a result whose downtime bound (from the timeline) holds the measured outage', async () => {
    const r = await cli('simulate', path.join(app, 'DbReset.template.json'), '--identifier', 'orders-db', '--task', 'db_restore', '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ event: 'started', simulated: true, input: { identifier: 'orders-db', task: 'db_restore', isCluster: false } });
    expect(lines.filter((l) => l.event === 'step').map((l) => l.text)).toContain('Find what to restore from');
    const result = lines[lines.length - 1];
    expect(result).toMatchObject({ event: 'result', status: 'SUCCEEDED', simulated: true });
    const outage = result.downtime.reduce((s: number, d: { seconds: number }) => s + d.seconds, 0);
    expect(outage).toBeGreaterThan(0);
    expect(result.downtimeAtMost).toBeGreaterThanOrEqual(outage);
  });

  test.each([
    ['an Aurora MySQL cluster', ['--identifier', 'orders-aurora', '--cluster', '--engine', 'aurora-mysql'], 'Aurora cluster orders-aurora: aurora-mysql', 'Cluster restored'],
    ['a MySQL instance', ['--identifier', 'orders-db', '--engine', 'mysql'], 'DB instance orders-db: mysql 8.0', 'Restored'],
    ['a MariaDB instance', ['--identifier', 'orders-db', '--engine', 'mariadb', '--instance-class', 'db.m6g.large'], 'mariadb 10.11.9, db.m6g.large', 'Restored'],
  ])('generates %s matching the input, and restores it', async (_what, args, database, last) => {
    const r = await cli('simulate', app, '--task', 'db_restore', ...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(database);
    expect(timelineLines(r.stdout).pop()).toMatch(new RegExp(` ${last}$`));
  });

  test('the user\'s configuration decides: an identifier outside allowedIdentifiers fails (exit 1) with the report; alerts are recorded, not sent', async () => {
    const restricted = synthConsumerApp({ allowedIdentifiers: ['orders-db'], slackWebhookUrls: ['https://hooks.slack.com/services/T000/B000/XXXX'] });
    const fetchBefore = globalThis.fetch;
    const r = await cli('simulate', restricted, '--identifier', 'payments-db', '--task', 'db_restore');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Result:    FAILED (IdentifierNotAllowed)');
    expect(r.stderr).toContain('Failure report:\n  payments-db is not in this pipeline\'s allowedIdentifiers (orders-db)');
    expect(r.stdout).toContain('Alerts:    1 SNS, 0 email, 1 Slack (recorded, not sent)');
    expect(globalThis.fetch).toBe(fetchBefore);
  });

  test('two pipelines in a stack: --construct-path picks one; without it, exit 2 naming both', async () => {
    const two = synthConsumerApp({}, (stack) => new TrapheusRestore(stack, 'Reporting', {}));
    const ambiguous = await cli('simulate', two, '--identifier', 'orders-db', '--task', 'create_snapshot_only');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/has 2 TrapheusRestore pipelines \(DbReset: DbReset\/Restore\/StateMachine; DbReset: DbReset\/Reporting\/StateMachine\): pick one with --construct-path/);
    const picked = await cli('simulate', two, '--construct-path', 'Reporting', '--identifier', 'orders-db', '--task', 'create_snapshot_only');
    expect(picked.code).toBe(0);
    expect(picked.stdout).toContain('Simulating DbReset: DbReset/Reporting/StateMachine');
  });

  test('a template without a TrapheusRestore, or a missing path, exits 2 saying what to give', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trapheus-cli-'));
    const other = path.join(dir, 'Other.template.json');
    fs.writeFileSync(other, JSON.stringify({ Resources: { Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: '{}' } } } }));
    const unrelated = await cli('simulate', other, '--identifier', 'orders-db', '--task', 'db_restore');
    expect(unrelated.code).toBe(2);
    expect(unrelated.stderr).toBe(`trapheus-cdk: no TrapheusRestore state machine in ${other}: synthesize a stack that has one (cdk synth)\n`);
    const none = await cli('simulate', path.join(dir, 'nothing.json'), '--identifier', 'orders-db', '--task', 'db_restore');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/nothing\.json does not exist: give a template file \(\.template\.json\) or a cdk\.out directory/);
    const badEngine = await cli('simulate', app, '--identifier', 'orders-db', '--task', 'db_restore', '--engine', 'aurora-mysql');
    expect(badEngine.code).toBe(2);
    expect(badEngine.stderr).toContain('--engine aurora-mysql: a DB instance is generated as one of postgres, mysql, mariadb (add --cluster for Aurora)');
  });
});
