import { buildAlert, consoleUrl, NotifyEvent, renderEmail, renderSlack, renderSns } from '../lambda-src/notify/render';
import { isWebhookUrl, parseWebhookUrls } from '../lambda-src/notify/slack';

/** The alert's rendering and the Slack URL parsing, without the state machine. */

const execution = { id: 'arn:aws:states:us-east-1:123456789012:execution:Restore:run-1', name: 'run-1', startTime: '2026-01-09T08:00:00.000Z' };
const envelope = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at handler (/var/task/index.js:1:1)'] });

describe('consoleUrl', () => {
  test.each([
    ['arn:aws:states:eu-west-1:123456789012:execution:M:e', 'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:M:e'],
    ['arn:aws-cn:states:cn-north-1:123456789012:execution:M:e', 'https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:123456789012:execution:M:e'],
    ['arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:M:e', 'https://us-gov-west-1.console.amazonaws-us-gov.com/states/home?region=us-gov-west-1#/v2/executions/details/arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:M:e'],
    ['arn:aws-iso:states:us-iso-east-1:123456789012:execution:M:e', undefined],
    ['not an arn', undefined],
  ])('%s', (arn, url) => {
    expect(consoleUrl(arn)).toBe(url);
  });

  test('without a console, the alert gives the ARN', () => {
    const iso = { ...execution, id: 'arn:aws-iso:states:us-iso-east-1:123456789012:execution:Restore:run-1' };
    const alert = buildAlert({ kind: 'success', job: {}, input: { identifier: 'a', task: 'db_restore', isCluster: false }, execution: iso, ending: 'Restored' });
    expect(renderEmail(alert).text).toContain(`ARN: ${iso.id}`);
    expect(renderSlack(alert).text).toContain(`Execution: ${iso.id}`);
  });
});

describe('a refused input', () => {
  test('with no usable identifier: the subject says so, and nothing from the input can break the message', () => {
    const event: NotifyEvent = {
      kind: 'failure',
      job: {
        error: { Error: 'InvalidIdentifier', Cause: envelope('InvalidIdentifier', '"identifier" must be a string, not number 42.') },
        outcome: { error: 'InvalidIdentifier', cause: '"identifier" must be a string, not number 42. The input was refused before any RDS call; nothing was changed.', phase: 'refused' },
      } as any,
      input: { identifier: 42, task: 'db_restore', isCluster: false },
      execution,
    };
    const alert = buildAlert(event);
    expect(alert.subject).toBe('Trapheus: db_restore of an invalid input FAILED (input refused, nothing changed)');
    expect(alert.message).toBe('"identifier" must be a string, not number 42.');
    expect(alert.state).toBe('The input was refused before any RDS call; nothing was changed.');
    const email = renderEmail(alert);
    expect(email.text).not.toMatch(/trace|errorType|\/var\/task/);
  });

  test('an identifier with markup and new lines is shown cleaned and escaped', () => {
    const alert = buildAlert({
      kind: 'failure',
      job: { error: { Error: 'InvalidIdentifier', Cause: 'bad' }, outcome: { error: 'InvalidIdentifier', cause: 'bad. nothing', phase: 'refused' } } as any,
      input: { identifier: 'x<script>\nSubject: y', task: 'db_restore', isCluster: false },
      execution,
    });
    expect(alert.subject).not.toContain('\n');
    expect(alert.subject).toContain('x<script> Subject: y');
    expect(renderEmail(alert).html).toContain('x&lt;script&gt; Subject: y');
    expect(renderEmail(alert).html).not.toContain('<script>');
    expect(renderSlack(alert).text).toContain('x&lt;script&gt;');
  });
});

describe('other phases', () => {
  const job = {
    identifier: 'orders-db',
    task: 'db_restore',
    isCluster: false,
    error: { Error: 'InvalidDBInstanceStateFault', Cause: envelope('InvalidDBInstanceStateFault', 'Deleting DB instance orders-db-trapheus-old: Instance is being backed up') },
  };

  test('restored: the old DB is kept, and the alert says what to do', () => {
    const alert = buildAlert({
      kind: 'failure',
      execution,
      input: {},
      job: { ...job, outcome: { error: 'InvalidDBInstanceStateFault', phase: 'restored', cause: 'Deleting DB instance orders-db-trapheus-old: Instance is being backed up. No rollback: the restored DB instance serves as orders-db (orders-db is available). The original is kept as orders-db-trapheus-old (orders-db-trapheus-old is available); delete it once you no longer need it.' } } as any,
    });
    expect(alert.subject).toBe('Trapheus: db_restore of orders-db FAILED (restored, old DB kept)');
    expect(alert.needsAttention).toBe(true);
    expect(alert.state).toMatch(/^No rollback: the restored DB instance serves as orders-db/);
    expect(alert.todo).toMatch(/until then a new restore of orders-db is refused/);
  });

  test('unreported (the outcome handler failed): needs attention, with the report error', () => {
    const alert = buildAlert({
      kind: 'failure',
      execution,
      input: {},
      job: { ...job, reportError: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate exceeded' } } as any,
    });
    expect(alert.subject).toBe('Trapheus: db_restore of orders-db FAILED (needs attention)');
    expect(alert.error).toBe('InvalidDBInstanceStateFault');
    expect(alert.state).toContain('The failure report could not be written (Rate exceeded.)');
  });

  test('SNS: a one-line ASCII subject of at most 100 characters, and the alert as JSON', () => {
    const long = buildAlert({ kind: 'success', job: {}, input: { identifier: `a${'b'.repeat(62)}`, task: 'create_snapshot_only', isCluster: true }, execution, ending: 'Snapshot taken' });
    const sns = renderSns(long);
    expect(sns.subject.length).toBeLessThanOrEqual(100);
    expect(sns.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(sns.message)).toMatchObject({ source: 'trapheus-cdk', kind: 'success', isCluster: true, ending: 'Snapshot taken' });
  });
});

describe('Slack webhook URLs', () => {
  const a = 'https://hooks.slack.com/services/T1/B1/aaa';
  const b = 'https://hooks.slack.com/services/T2/B2/bbb';
  test.each([
    ['a JSON array', JSON.stringify([a, b])],
    ['a JSON object', JSON.stringify({ teamA: a, teamB: b })],
    ['a JSON object with a list', JSON.stringify({ urls: [a, b] })],
    ['comma-separated', `${a},${b}`],
    ['one per line', `${a}\n${b}\n`],
  ])('parses %s', (_, value) => {
    expect(parseWebhookUrls(value)).toEqual([a, b]);
  });

  test('empty or missing: none', () => {
    expect(parseWebhookUrls(undefined)).toEqual([]);
    expect(parseWebhookUrls('  ')).toEqual([]);
  });

  test('broken JSON is refused without repeating the value', () => {
    expect(() => parseWebhookUrls(`["${a}"`)).toThrow(/does not parse/);
    try {
      parseWebhookUrls(`["${a}"`);
    } catch (err) {
      expect((err as Error).message).not.toContain('hooks.slack.com');
    }
  });

  test('https only, except to the local machine', () => {
    expect(isWebhookUrl(a)).toBe(true);
    expect(isWebhookUrl('http://hooks.slack.com/services/x')).toBe(false);
    expect(isWebhookUrl('http://127.0.0.1:8080/x')).toBe(true);
    expect(isWebhookUrl('not a url')).toBe(false);
  });
});
