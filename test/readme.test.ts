import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { readmeSection, retentionMarkdown, TABLES } from '../demo/retention-table';
import { handler as outcome } from '../lambda-src/outcome.lambda';
import type { Job } from '../lambda-src/rds/job';
import { handler as validateInput } from '../lambda-src/validate-input.lambda';
import { RestoreSchedule, RestoreTask, TrapheusRestore, TrapheusRestoreProps } from '../src';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The README's stack (`new Stack(app, 'DbReset')`, `new TrapheusRestore(stack, 'Restore', ...)`) with `props`. */
function readmeStack(props: TrapheusRestoreProps): Stack {
  const stack = new Stack(new App(), 'DbReset');
  new TrapheusRestore(stack, 'Restore', { maxWait: Duration.hours(6), pollInterval: Duration.seconds(30), ...props });
  return stack;
}

function synthError(props: TrapheusRestoreProps): string {
  try {
    readmeStack(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(props)}`);
}

/** The first schedule of the README's Schedules example, with `second` as its second target. */
function weekly(second: RestoreSchedule['targets'][number]): RestoreSchedule[] {
  return [{
    description: 'Weekly reset of the performance databases',
    schedule: ScheduleExpression.cron({ minute: '0', hour: '8', weekDay: 'FRI' }),
    enabled: true,
    targets: [{ identifier: 'orders-db', task: RestoreTask.CREATE_SNAPSHOT, isCluster: false }, second],
  }];
}

/** How the execution of a refused input ends: the validate-input handler's error, reported by the outcome handler. */
async function refusal(input: unknown): Promise<string> {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await validateInput({ input });
  } catch (e) {
    const err = e as Error;
    // what Step Functions puts at the Catch's ResultPath for an error thrown by a Node.js Lambda
    const error = { Error: err.name, Cause: JSON.stringify({ errorType: err.name, errorMessage: err.message }) };
    const out = await outcome({ phase: 'refused', job: { error } as unknown as Job });
    return `${out.error}: ${out.cause}`;
  } finally {
    jest.restoreAllMocks();
  }
  throw new Error(`${JSON.stringify(input)} was not refused`);
}

/** Each `<!-- error sample: NAME -->` in the README, and the real code that produces that error. */
const SAMPLES: Record<string, () => string | Promise<string>> = {
  'allowedIdentifiers': () => synthError({ allowedIdentifiers: ['*'] }),
  'input task': () => refusal({ identifier: 'orders-db', task: 'DB_RESTORE', isCluster: false }),
  'schedule target identifier': () => synthError({ schedules: weekly({ identifier: 'Orders-DB', task: RestoreTask.DB_RESTORE, isCluster: false }) }),
  'schedule target not allowed': () => synthError({
    allowedIdentifiers: ['orders-db', 'perf-*'],
    schedules: weekly({ identifier: 'payments-cluster', task: RestoreTask.DB_RESTORE, isCluster: true }),
  }),
};

/** The README's fenced code blocks: language, text, and the line just before the opening fence. */
function fencedBlocks(): { lang: string; text: string; before: string }[] {
  const lines = readme.split('\n');
  const blocks: { lang: string; text: string; before: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\S*)$/);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ lang: open[1], text: lines.slice(i + 1, end).join('\n'), before: lines[i - 1] ?? '' });
    i = end;
  }
  return blocks;
}

/** The README's error samples: a marker comment, then a fenced block without a language; lines joined by spaces. */
function samples(): Map<string, string> {
  const found = new Map<string, string>();
  for (const b of fencedBlocks()) {
    const name = b.before.match(/^<!-- error sample: (.+) -->$/)?.[1];
    if (name === undefined) continue;
    expect({ name, lang: b.lang, duplicate: found.has(name) }).toEqual({ name, lang: '', duplicate: false });
    found.set(name, b.text.split('\n').join(' '));
  }
  return found;
}

describe('README', () => {
  test.each(TABLES.map((t) => [t.name, t]))('the %s retention table mirrors the table the handlers run on (run `npx projen retention-table`)', (name, table) => {
    expect(readmeSection(readme, name as string)).toBe(retentionMarkdown(table as typeof TABLES[number]));
  });

  test('its first screen gives the demo and the test commands', () => {
    const firstScreen = readme.split('\n').slice(0, 20).join('\n');
    expect(firstScreen).toMatch(/npm ci && npm run demo/);
    expect(firstScreen).toMatch(/^npm test/m);
  });

  test('every error sample has a producer here, and every producer a sample', () => {
    expect([...samples().keys()].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  test.each(Object.keys(SAMPLES))('the "%s" error sample is the message the code produces', async (name) => {
    expect(samples().get(name)).toBe(await SAMPLES[name]());
  });

  test('every fenced block that shows a validation error is a tested sample', () => {
    const errors = fencedBlocks().filter((b) => b.lang === '' && /^(Invalid\w*|IdentifierNotAllowed|RoleNotPassable|TrapheusRestore|Restore\w+ |schedules\[)/.test(b.text));
    expect(errors.length).toBe(Object.keys(SAMPLES).length);
    for (const e of errors) expect({ sample: e.text, marker: e.before }).toEqual({ sample: e.text, marker: expect.stringMatching(/^<!-- error sample: /) });
  });

  test('the start-execution example reads the ARN from the output the README\'s stack has', () => {
    const command = readme.match(/--stack-name (\S+) [\s\S]*?starts_with\(OutputKey, '(\w+)'\)[\s\S]*?aws stepfunctions start-execution --state-machine-arn "\$ARN"/);
    expect(command).not.toBeNull();
    const [, stackName, prefix] = command!;
    const stack = readmeStack({});
    expect(stackName).toBe(stack.stackName);
    const outputs = Object.entries(app(stack).Outputs ?? {}).filter(([key]) => key.startsWith(prefix));
    expect(outputs).toHaveLength(1);
    expect(outputs[0][1]).toMatchObject({ Value: { Ref: expect.stringMatching(/^RestoreStateMachine[0-9A-F]{8}$/) } });
  });
});

function app(stack: Stack): any {
  return (stack.node.root as App).synth().getStackByName(stack.stackName).template;
}

describe('API docs', () => {
  const source = (file: string) => fs.readFileSync(path.join(__dirname, '..', 'src', file), 'utf8');
  /** The doc comment just before `declaration` in `file`. */
  function docOf(file: string, declaration: string): string {
    const text = source(file);
    const at = text.indexOf(declaration);
    expect(at).toBeGreaterThan(0);
    const doc = text.slice(text.lastIndexOf('/**', at), at);
    return doc.replace(/\n\s*\*\s?/g, ' ');
  }

  test('createVpcEndpoints names every endpoint the construct creates', () => {
    const stack = new Stack(new App(), 'DbReset', { env: { account: '123456789012', region: 'eu-west-1' } });
    new TrapheusRestore(stack, 'Restore', {
      vpc: new ec2.Vpc(stack, 'Vpc'),
      createVpcEndpoints: true,
      senderEmail: 'trapheus@example.com',
      recipientEmails: ['dba@example.com'],
      slackWebhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'SlackHooks', 'trapheus/slack-webhooks'),
    });
    const resources = Object.values(app(stack).Resources) as any[];
    const services = resources.filter((r) => r.Type === 'AWS::EC2::VPCEndpoint').map((r) => {
      const name = r.Properties.ServiceName;
      return typeof name === 'string' ? name.split('.').pop() : name['Fn::Join'][1].slice(-1)[0].replace(/^\./, '');
    });
    const named: Record<string, RegExp> = { rds: /RDS/, sns: /SNS/, states: /Step Functions/, dynamodb: /DynamoDB/, email: /SES/, secretsmanager: /Secrets Manager/ };
    expect(services.sort()).toEqual(Object.keys(named).sort());
    const doc = docOf('network.ts', 'readonly createVpcEndpoints');
    for (const service of services) expect({ service, doc }).toEqual({ service, doc: expect.stringMatching(named[service]) });
  });

  test('the TrapheusRestore class doc says it restores DB instances and Aurora clusters', () => {
    const doc = docOf('trapheus-restore.ts', 'export class TrapheusRestore');
    expect(doc).toMatch(/DB instance/);
    expect(doc).toMatch(/Aurora DB cluster/);
  });
});
