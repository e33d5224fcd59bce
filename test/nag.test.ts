import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RestoreTask, TrapheusRestore, TrapheusRestoreProps } from '../src';

/** A stack with every feature of TrapheusRestore on. */
function everything(extra: Partial<TrapheusRestoreProps> = {}) {
  const stack = new Stack(new App(), 'Nag', { env: { account: '123456789012', region: 'us-east-1' } });
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
    ...extra,
  });
  restore.grantStartExecution(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
  Aspects.of(stack).add(new AwsSolutionsChecks());
  return stack;
}

describe('cdk-nag AwsSolutions', () => {
  test.each([
    ['tag-scoped (default)', {}],
    ['allowedIdentifiers', { allowedIdentifiers: ['orders-db', 'orders-aurora', 'orders-aurora-*'] }],
  ])('%s: every feature on, zero unsuppressed errors or warnings', (_, extra) => {
    const stack = everything(extra);
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].map((f) => `${f.id}: ${String(f.entry.data).split(': ')[0]}`);
    expect(findings).toEqual([]);
  });

  test('an environment-agnostic stack (ARNs with <AWS::Region> and <AWS::AccountId>): zero unsuppressed errors or warnings', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new TrapheusRestore(stack, 'Restore');
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].map((f) => `${f.id}: ${String(f.entry.data).split(': ')[0]}`);
    expect(findings).toEqual([]);
  });

  test('every suppression names the findings it covers and gives a reason', () => {
    const stack = everything();
    const suppressions = stack.node.findAll().filter(CfnResource.isCfnResource)
      .flatMap((c) => (c.getMetadata('cdk_nag') as any)?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(20);
    for (const s of suppressions) {
      expect(s.reason.length).toBeGreaterThan(40);
      expect(s.applies_to.length).toBeGreaterThan(0); // never a whole rule
    }
  });
});
