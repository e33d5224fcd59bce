import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Harness, identity } from './harness';
import { fullyConfiguredInstance } from '../sim/fixtures';

/**
 * Alerts, end to end: the real state machine and handlers, the in-memory RDS,
 * SES, SNS and Secrets Manager, and a real HTTP server on 127.0.0.1 standing
 * in for Slack (one of its webhooks answers 500).
 */

interface Post { path: string; body: any }

class FakeSlack {
  readonly posts: Post[] = [];
  private server?: http.Server;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => { data += c; });
      req.on('end', () => {
        this.posts.push({ path: req.url ?? '', body: JSON.parse(data) });
        if (req.url?.startsWith('/services/broken')) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const slack = new FakeSlack();
const SENDER = 'trapheus@example.com';
const RECIPIENTS = ['dba@example.com', 'oncall@example.com'];
const CONSOLE = 'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/'
  + 'arn:aws:states:us-east-1:123456789012:execution:Restore:sim';
const restoreInput = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };

/** Every string the handlers logged (console.log is mocked by the harness). */
function logged(): string {
  return (console.log as jest.Mock).mock.calls.map((c) => c.join(' ')).join('\n');
}

function seed(h: Harness) {
  return identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')))!;
}

beforeAll(() => slack.start());
// These tests read what the handlers log (the harness captures console.log).
beforeAll(() => { process.env.TRAPHEUS_LOG = 'on'; });
afterAll(() => { process.env.TRAPHEUS_LOG = 'off'; });
afterAll(() => slack.stop());
beforeEach(() => { slack.posts.length = 0; });

describe('email, Slack (plain URLs) and SNS', () => {
  let h: Harness;
  beforeAll(() => {
    h = new Harness({
      senderEmail: SENDER,
      recipientEmails: RECIPIENTS,
      slackWebhookUrls: [slack.url('/services/team-a'), slack.url('/services/broken'), slack.url('/services/team-b')],
      notifyOnSuccess: true,
    });
  });
  beforeEach(() => h.fresh());
  afterEach(() => h.done());

  test('a bad input: the email says the input was refused, why, and that nothing changed', async () => {
    h.sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const result = await h.run({ identifier: 'orders-db', task: 'DB_RESTORE', isCluster: false });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidTask');

    expect(h.aws.emails).toHaveLength(1);
    const email = h.aws.emails[0];
    expect(email.from).toBe(SENDER);
    expect(email.to).toEqual(RECIPIENTS);
    expect(email.subject).toBe('Trapheus: DB_RESTORE of orders-db FAILED (input refused, nothing changed)');
    expect(email.text).toMatch(/^A restore execution was refused because its input is invalid; nothing was changed\./);
    expect(email.text).toContain('Error: InvalidTask');
    expect(email.text).toContain('Message: "task" is the string "DB_RESTORE"; it must be one of "create_snapshot", "db_restore", "create_snapshot_only", "export_snapshot" (did you mean "db_restore"?).');
    expect(email.text).toContain('The input was refused before any RDS call; nothing was changed.');
    expect(email.text).toContain(`Console: ${CONSOLE}`);
    for (const part of [email.text, email.html]) {
      expect(part).not.toMatch(/errorType|errorMessage|trace|\n\s+at |\{"/); // no stack trace, no raw JSON
    }
    expect(email.html).toContain('did you mean &quot;db_restore&quot;?');
    expect(email.html).toContain(`<a href="${CONSOLE}">`);
    expect(h.sim.calls).toEqual([]);
  });

  test('a failure with a rollback: email, Slack and SNS say what failed, that it was rolled back, and link the execution', async () => {
    const before = seed(h);
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault', message: 'Cannot create a db.r6g.large instance in us-east-1' });
    const result = await h.run(restoreInput);

    // The execution ends as it would without alerts: FAILED, original error, rolled back.
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InsufficientDBInstanceCapacityFault');
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(result.path.slice(-4)).toEqual(['Report the rollback', 'Release the restore lock', 'Send the failure alert', 'Restore failed']);

    const email = h.aws.emails[0];
    expect(h.aws.emails).toHaveLength(1);
    expect(email.subject).toBe('Trapheus: create_snapshot of orders-db FAILED (rolled back)');
    expect(email.text).toContain('The create_snapshot of orders-db failed and was rolled back: orders-db is the original DB instance again.');
    expect(email.text).toContain('Step: The restore, after the database was renamed out of the way');
    expect(email.text).toContain('Error: InsufficientDBInstanceCapacityFault');
    expect(email.text).toContain('Message: Restoring snapshot orders-db-trapheus-20260109-080000 as orders-db: Cannot create a db.r6g.large instance in us-east-1.');
    expect(email.text).toMatch(/State of the database\n {2}Rolled back: orders-db is the original DB instance again, available at orders-db\.c1abcdefghij\.us-east-1\.rds\.amazonaws\.com\.\n/);
    expect(email.text).toContain('Nothing needs undoing.');
    expect(email.text).toContain(`Console: ${CONSOLE}`);
    expect(email.text).not.toMatch(/errorType|trace|\{"/);
    expect(email.html).toContain('<h3 style="margin-bottom:4px">State of the database</h3>');

    // Slack: both working webhooks got the message; the broken one answered 500.
    expect(slack.posts.map((p) => p.path).sort()).toEqual(['/services/broken', '/services/team-a', '/services/team-b']);
    const message = slack.posts.find((p) => p.path === '/services/team-a')!.body;
    expect(message.text).toContain('*Trapheus: create_snapshot of orders-db FAILED (rolled back)*');
    expect(message.text).toContain('*What failed:* `InsufficientDBInstanceCapacityFault` Restoring snapshot');
    expect(message.text).toContain(`<${CONSOLE}|Open the execution in the Step Functions console>`);
    expect(slack.posts.find((p) => p.path === '/services/team-b')!.body).toEqual(message);

    // The failed webhook made the alert task fail, and the Catch went on to the same Fail.
    const alertStep = result.timeline.find((e) => e.state === 'Send the failure alert')!;
    expect(alertStep.error).toBe('AlertNotSent');
    expect(logged()).toContain('Slack webhook 2 of 3');
    expect(logged()).toContain('HTTP 500');
    expect(logged()).not.toContain(`127.0.0.1:${slack.port}`); // webhook URLs are never logged

    // SNS: the same alert as JSON.
    expect(h.aws.alerts()).toEqual([expect.objectContaining({
      source: 'trapheus-cdk',
      kind: 'failure',
      identifier: 'orders-db',
      task: 'create_snapshot',
      phase: 'rolled-back',
      error: 'InsufficientDBInstanceCapacityFault',
      needsAttention: false,
    })]);
    expect(h.aws.published[0].Subject).toBe(email.subject);
  });

  test('a failed rollback: the email says it needs attention and how to recover', async () => {
    seed(h);
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'StorageQuotaExceeded', message: 'Storage quota exceeded' });
    h.sim.failOn({ command: 'ModifyDBInstance', when: (i) => i.NewDBInstanceIdentifier === 'orders-db', error: 'InvalidParameterValue', message: 'simulated refusal' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    const email = h.aws.emails[0];
    expect(email.subject).toBe('Trapheus: create_snapshot of orders-db FAILED (ROLLBACK FAILED, needs attention)');
    expect(email.text).toContain('its ROLLBACK FAILED: orders-db needs attention');
    expect(email.text).toContain('rename orders-db-trapheus-old back to orders-db');
  });

  test('a success, with notifyOnSuccess: one success alert, and the execution still ends in "Restored"', async () => {
    seed(h);
    const result = await h.run(restoreInput);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.slice(-2)).toEqual(['Send the success alert (Restored)', 'Restored']);
    const email = h.aws.emails[0];
    expect(h.aws.emails).toHaveLength(1);
    expect(email.subject).toBe('Trapheus: create_snapshot of orders-db succeeded');
    expect(email.text).toMatch(/^The create_snapshot of orders-db succeeded: restored\./);
    expect(email.text).toContain('Snapshot: orders-db-trapheus-20260109-080000');
    expect(email.text).toContain('Endpoint: orders-db.c1abcdefghij.us-east-1.rds.amazonaws.com');
    expect(email.text).toContain(`Console: ${CONSOLE}`);
    expect(h.aws.alerts()[0]).toMatchObject({ kind: 'success', ending: 'Restored', phase: null });
    expect(slack.posts.filter((p) => p.path !== '/services/broken').map((p) => p.body.text.split('\n')[0]))
      .toEqual(['*Trapheus: create_snapshot of orders-db succeeded*', '*Trapheus: create_snapshot of orders-db succeeded*'].map((t) => `:white_check_mark: ${t}`));
  });

  test('an alert that cannot be sent changes nothing: SES refuses, the rollback and the FAILED outcome stay', async () => {
    const before = seed(h);
    h.aws.failNext('ses', 'MessageRejected', 'Email address is not verified.');
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InsufficientDBInstanceCapacityFault');
    expect(result.cause).toMatch(/Rolled back/);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(h.aws.emails).toEqual([]);
    expect(slack.posts.map((p) => p.path)).toContain('/services/team-a');
    expect(logged()).toContain('MessageRejected');
  });

  test('a success whose alert cannot be sent still succeeds', async () => {
    seed(h);
    h.aws.failNext('sns', 'InternalError', 'simulated');
    const result = await h.run({ ...restoreInput, task: 'create_snapshot_only' });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.at(-1)).toBe('Snapshot taken');
    expect(result.output.alertError.Error).toBe('AlertNotSent');
  });
});

describe('Slack webhooks from a Secrets Manager secret', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-webhooks-AbCdEf';
  let h: Harness;
  beforeAll(() => {
    h = new Harness((stack) => ({
      slackWebhookSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Webhooks', SECRET_ARN),
    }));
  });
  beforeEach(() => h.fresh());
  afterEach(() => h.done());

  test.each([
    ['a JSON array', (a: string, b: string) => JSON.stringify([a, b])],
    ['comma-separated URLs', (a: string, b: string) => `${a}, ${b}`],
    ['a key/value JSON object', (a: string, b: string) => JSON.stringify({ teamA: a, broken: b })],
  ])('the handler reads the URLs at run time (%s); one broken webhook does not stop the other', async (_, format) => {
    const before = seed(h);
    h.aws.secrets.set(SECRET_ARN, format(slack.url('/services/team-a'), slack.url('/services/broken')));
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InsufficientDBInstanceCapacityFault');
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(slack.posts.map((p) => p.path).sort()).toEqual(['/services/broken', '/services/team-a']);
    expect(slack.posts[0].body.text).toContain('FAILED (rolled back)');
    expect(logged()).not.toContain(`127.0.0.1:${slack.port}`);
    // the secret's URLs are nowhere in the function's environment
    expect(JSON.stringify([...h.definition.functions.values()].map((f) => f.env))).not.toContain('127.0.0.1');
  });

  test('an unreadable secret is logged and the execution still ends FAILED with its rollback done', async () => {
    const before = seed(h);
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', error: 'InsufficientDBInstanceCapacityFault' });
    const result = await h.run(restoreInput);
    expect(result.status).toBe('FAILED');
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(logged()).toContain('Slack webhook secret');
    expect(logged()).toContain('ResourceNotFoundException');
    expect(h.aws.alerts()).toHaveLength(1); // SNS still got it
  });
});
