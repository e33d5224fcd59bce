import { App, Aspects, CfnResource, Duration, Environment, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RestoreTask, TrapheusRestore, TrapheusRestoreProps } from '../src';

const PINNED: Environment = { account: '123456789012', region: 'us-east-1' };
const ENVIRONMENTS: [string, Environment | undefined][] = [['environment-agnostic', undefined], ['pinned', PINNED]];

/** The unsuppressed AwsSolutions errors and warnings on `stack`. */
function findings(stack: Stack): string[] {
  Aspects.of(stack).add(new AwsSolutionsChecks());
  return [
    ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map((f) => `${f.id}: ${String(f.entry.data).split(': ')[0]}`);
}

/** A stack with every feature of TrapheusRestore on. */
function everything(extra: Partial<TrapheusRestoreProps> = {}, env: Environment | undefined = PINNED) {
  const stack = new Stack(new App(), 'Nag', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', { flowLogs: { all: {} } });
  const restore = new TrapheusRestore(stack, 'Restore', {
    vpc,
    createVpcEndpoints: true,
    senderEmail: 'db-reset@example.com',
    recipientEmails: ['team@example.com'],
    slackWebhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Slack', 'trapheus/slack'),
    notifyOnSuccess: true,
    schedules: [{
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '8', weekDay: 'FRI' }),
      targets: [{ identifier: 'orders-db', task: RestoreTask.CREATE_SNAPSHOT, isCluster: false }, { identifier: 'orders-aurora', task: RestoreTask.CREATE_SNAPSHOT, isCluster: true }],
    }],
    passableRoles: [iam.Role.fromRoleName(stack, 'Monitoring', 'rds-monitoring-role')],
    restoreManagedMasterPassword: true,
    sourceAccounts: ['210987654321'],
    copyKey: kms.Key.fromKeyArn(stack, 'CopyKey', 'arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9'),
    ...extra,
  });
  restore.grantStartExecution(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
  return stack;
}

/** The README's first example: `new Stack(app, 'DbReset')` and a TrapheusRestore with the polling props. */
function readmeMinimal(env: Environment | undefined) {
  const stack = new Stack(new App(), 'DbReset', { env });
  new TrapheusRestore(stack, 'Restore', { maxWait: Duration.hours(6), pollInterval: Duration.seconds(30) });
  return stack;
}

/**
 * The README's examples in one stack: the first example, the alerts (email and
 * the Slack secret), the schedules, VPC mode with `createVpcEndpoints`, and an
 * operator allowed to start restores; with or without allowedIdentifiers.
 */
function readmeFull(env: Environment | undefined, allowedIdentifiers?: string[]) {
  const stack = new Stack(new App(), 'DbReset', { env });
  const restore = new TrapheusRestore(stack, 'Restore', {
    maxWait: Duration.hours(6),
    pollInterval: Duration.seconds(30),
    senderEmail: 'trapheus@example.com',
    recipientEmails: ['dba@example.com', 'oncall@example.com'],
    slackWebhookSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'SlackHooks', 'trapheus/slack-webhooks'),
    schedules: [{
      description: 'Weekly reset of the performance databases',
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '8', weekDay: 'FRI' }),
      enabled: true,
      targets: [
        { identifier: 'orders-db', task: RestoreTask.CREATE_SNAPSHOT, isCluster: false },
        { identifier: 'payments-cluster', task: RestoreTask.DB_RESTORE, isCluster: true },
      ],
    }, {
      schedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '6', weekDay: 'MON-FRI', timeZone: TimeZone.EUROPE_BERLIN }),
      targets: [{ identifier: 'reports-db', task: RestoreTask.CREATE_SNAPSHOT_ONLY }],
    }],
    // VPC mode: your VPC (with its flow logs, which are yours to configure)
    vpc: new ec2.Vpc(stack, 'Vpc', { flowLogs: { all: {} } }),
    createVpcEndpoints: true,
    allowedIdentifiers,
  });
  restore.grantStartExecution(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
  return stack;
}

describe('cdk-nag AwsSolutions', () => {
  test.each([
    ['tag-scoped (default)', {}],
    ['allowedIdentifiers', { allowedIdentifiers: ['orders-db', 'orders-aurora', 'orders-aurora-*'] }],
  ])('%s: every feature on, zero unsuppressed errors or warnings', (_, extra) => {
    expect(findings(everything(extra))).toEqual([]);
  });

  describe.each(ENVIRONMENTS)('the README\'s stacks, %s: zero unsuppressed errors or warnings', (_, env) => {
    test('the first example (`new Stack(app, \'DbReset\')`)', () => {
      expect(findings(readmeMinimal(env))).toEqual([]);
    });

    test('every example in one stack, tag-scoped', () => {
      expect(findings(readmeFull(env))).toEqual([]);
    });

    test('every example in one stack, with allowedIdentifiers (literals and a prefix)', () => {
      expect(findings(readmeFull(env, ['orders-db', 'payments-cluster', 'payments-cluster-*', 'reports-db']))).toEqual([]);
    });

    test('every feature on', () => {
      expect(findings(everything({}, env))).toEqual([]);
    });
  });

  test('AwsSolutions-L1 is suppressed, with its reason, when the consumer\'s aws-cdk-lib knows a newer Node.js runtime than the handlers\'', () => {
    // A newer aws-cdk-lib lists a newer runtime in Runtime.ALL, which AwsSolutions-L1 compares with.
    const newer = new lambda.Runtime('nodejs99.x', lambda.RuntimeFamily.NODEJS);
    try {
      const stack = readmeMinimal(undefined);
      expect(findings(stack)).toEqual([]);
      const fn = stack.node.findAll().find((c) => c instanceof lambda.CfnFunction) as lambda.CfnFunction;
      expect((fn.getMetadata('cdk_nag') as any).rules_to_suppress).toContainEqual({ id: 'AwsSolutions-L1', reason: expect.stringMatching(/nodejs22\.x.*tested/) });
    } finally {
      lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(newer), 1);
    }
  });

  test('every suppression gives a reason and names the findings it covers (never a whole rule), except the per-function runtime rule', () => {
    const stack = everything();
    const suppressions = stack.node.findAll().filter(CfnResource.isCfnResource)
      .flatMap((c) => (c.getMetadata('cdk_nag') as any)?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(20);
    for (const s of suppressions) {
      expect(s.reason.length).toBeGreaterThan(40);
      if (s.id === 'AwsSolutions-L1') continue; // about the function it is on: it has no findings to name
      expect(s.applies_to.length).toBeGreaterThan(0);
    }
  });
});
