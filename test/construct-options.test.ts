import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RestoreSchedule, RestoreTask, TrapheusRestore, TrapheusRestoreProps } from '../src';
import { definitionFrom } from './sim/run-pipeline';

/** Alerts, schedules, VPC mode and observability: template assertions. */

function synth(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const restore = new TrapheusRestore(stack, 'Restore', typeof props === 'function' ? props(stack) : props);
  return { stack, restore, template: Template.fromStack(stack) };
}

/** The pipeline's own functions (not CDK custom-resource providers). */
function pipelineFunctions(template: Template): Record<string, any> {
  return template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^lambda-src/') } });
}

function functionEnv(template: Template, name: string): Record<string, unknown> {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: `lambda-src/${name}.lambda.ts` } }));
  return fn.Properties.Environment.Variables;
}

function statements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function actionsOf(statement: any): string[] {
  return ([] as string[]).concat(statement.Action);
}

const HOOK = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX';

describe('alerts', () => {
  test('every failure ends through "Send the failure alert", which catches everything and goes on to the same Fail', () => {
    const { asl } = definitionFrom(synth().stack);
    const alert = asl.States['Send the failure alert'];
    expect(alert.Next).toBe('Restore failed');
    expect(alert.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.alertError', Next: 'Restore failed' }]);
    expect(alert.ResultPath).toBe('$.alert');
    for (const name of Object.keys(asl.States).filter((n) => n.startsWith('Report '))) {
      // the lock is released first, except for a refused input (it never took the lock)
      const next = name === 'Report the refused input' ? 'Send the failure alert' : 'Release the restore lock';
      expect({ name, next: asl.States[name].Next }).toEqual({ name, next });
      if (next !== 'Send the failure alert') expect(asl.States[next].Next).toBe('Send the failure alert');
      expect(asl.States[name].Catch[0].Next).toBe('Release the restore lock (no report)');
    }
    expect(asl.States['Release the restore lock (no report)'].Next).toBe('Send the failure alert without a report');
    expect(asl.States['Send the failure alert without a report'].Catch[0].Next).toBe('Restore failed without a report');
    // no success alert unless asked
    expect(Object.keys(asl.States).filter((n) => n.startsWith('Send the success alert'))).toEqual([]);
  });

  test.each([[{}], [{ notifyOnSuccess: true }]] as [TrapheusRestoreProps][])('every way into a Fail (or, with notifyOnSuccess, a Succeed) state is through an alert task (%j)', (props) => {
    const { asl } = definitionFrom(synth(props).stack);
    const ends = new Set(Object.entries<any>(asl.States)
      .filter(([, s]) => s.Type === 'Fail' || (props.notifyOnSuccess && s.Type === 'Succeed')).map(([n]) => n));
    expect(ends.size).toBeGreaterThanOrEqual(2);
    for (const [name, state] of Object.entries<any>(asl.States)) {
      const targets = [state.Next, state.Default, ...(state.Choices ?? []).map((c: any) => c.Next), ...(state.Catch ?? []).map((c: any) => c.Next)];
      if (targets.some((t) => ends.has(t))) expect(name).toMatch(/^Send the (failure|success) alert/);
    }
  });

  test('notifyOnSuccess puts a success alert before each Succeed state, caught to the same Succeed', () => {
    const { asl } = definitionFrom(synth({ notifyOnSuccess: true }).stack);
    const succeeds = Object.entries<any>(asl.States).filter(([, s]) => s.Type === 'Succeed').map(([n]) => n);
    expect(succeeds.length).toBeGreaterThanOrEqual(2);
    for (const end of succeeds) {
      const alert = asl.States[`Send the success alert (${end})`];
      expect(alert.Next).toBe(end);
      expect(alert.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.alertError', Next: end }]);
      expect(alert.Parameters).toMatchObject({ kind: 'success', ending: end });
    }
  });

  test('the alert topic always exists; the notify function may publish to it and nothing else by default', () => {
    const { template, restore, stack } = synth();
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(stack.resolve(restore.alertTopic.topicArn)).toEqual({ Ref: expect.stringMatching(/AlertsTopic/) });
    const env = functionEnv(template, 'notify');
    expect(env.ALERT_TOPIC_ARN).toEqual({ Ref: expect.stringMatching(/AlertsTopic/) });
    expect(env).not.toHaveProperty('ALERT_SENDER_EMAIL');
    expect(env).not.toHaveProperty('SLACK_WEBHOOK_URLS');
    const all = statements(template);
    expect(all.filter((s) => actionsOf(s).some((a: string) => a.startsWith('ses:')))).toEqual([]);
    expect(all.filter((s) => actionsOf(s).includes('sns:Publish'))).toEqual([
      expect.objectContaining({ Resource: { Ref: expect.stringMatching(/AlertsTopic/) } }),
    ]);
  });

  test('email: SES send is granted on the sender and recipient identities only', () => {
    const { template } = synth({ senderEmail: 'trapheus@example.com', recipientEmails: ['dba@example.com', 'ops@corp.example'] });
    expect(functionEnv(template, 'notify')).toMatchObject({
      ALERT_SENDER_EMAIL: 'trapheus@example.com',
      ALERT_RECIPIENT_EMAILS: 'dba@example.com,ops@corp.example',
    });
    const ses = statements(template).filter((s) => actionsOf(s).includes('ses:SendEmail'));
    expect(ses).toHaveLength(1);
    expect(ses[0].Action).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const identities = ses[0].Resource.map((r: any) => r['Fn::Join'][1].at(-1));
    expect(identities).toEqual([
      ':ses:eu-west-1:123456789012:identity/trapheus@example.com',
      ':ses:eu-west-1:123456789012:identity/example.com',
      ':ses:eu-west-1:123456789012:identity/dba@example.com',
      ':ses:eu-west-1:123456789012:identity/ops@corp.example',
      ':ses:eu-west-1:123456789012:identity/corp.example',
    ]);
  });

  test('slackWebhookSecret: no webhook URL anywhere in the template; the function reads the secret at run time', () => {
    const { template, stack } = synth((s) => ({
      slackWebhookSecret: secretsmanager.Secret.fromSecretNameV2(s, 'Hooks', 'trapheus/slack-webhooks'),
    }));
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/hooks\.slack\.com|https:\/\/hooks/);
    expect(functionEnv(template, 'notify')).toHaveProperty('SLACK_WEBHOOK_SECRET_ARN');
    expect(functionEnv(template, 'notify')).not.toHaveProperty('SLACK_WEBHOOK_URLS');
    expect(statements(template).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('slackWebhookUrls'))).toEqual([]);
  });

  test('slackWebhookUrls: they are in the template (as documented), and synth warns to use the secret', () => {
    const { template, stack } = synth({ slackWebhookUrls: [HOOK] });
    expect(JSON.stringify(template.toJSON())).toContain(HOOK);
    expect(functionEnv(template, 'notify').SLACK_WEBHOOK_URLS).toBe(JSON.stringify([HOOK]));
    Annotations.fromStack(stack).hasWarning('/Stack/Restore/Alerts',
      Match.stringLikeRegexp('slackWebhookUrls end up in plain text in the CloudFormation template.*slackWebhookSecret'));
  });

  test.each([
    [{ senderEmail: 'a@example.com' }, /senderEmail is set but recipientEmails is empty/],
    [{ recipientEmails: ['a@example.com'] }, /recipientEmails is set but senderEmail is not/],
    [{ senderEmail: 'not-an-address', recipientEmails: ['a@example.com'] }, /senderEmail "not-an-address" is not an email address/],
    [{ senderEmail: 'a@example.com', recipientEmails: ['ok@example.com', 'a, b@example.com'] }, /recipientEmails\[1\]/],
    [{ slackWebhookUrls: [HOOK, 'http://hooks.slack.com/services/x'] }, /slackWebhookUrls\[1\] is not an https URL$/],
  ] as [TrapheusRestoreProps, RegExp][])('refuses bad alert props at synth, naming the construct: %j', (props, why) => {
    expect(() => synth(props)).toThrow(why);
    expect(() => synth(props)).toThrow(/^TrapheusRestore Stack\/Restore: (senderEmail|recipientEmails|slackWebhookUrls)/);
  });
});

describe('schedules', () => {
  const friday = ScheduleExpression.cron({ minute: '0', hour: '8', weekDay: 'FRI' });
  const berlin = ScheduleExpression.cron({ minute: '30', hour: '6', weekDay: 'MON-FRI', timeZone: TimeZone.EUROPE_BERLIN });
  const schedules: RestoreSchedule[] = [
    {
      schedule: friday,
      enabled: true,
      description: 'Weekly reset',
      targets: [
        { identifier: 'orders-db', task: RestoreTask.CREATE_SNAPSHOT, isCluster: false },
        { identifier: 'payments-cluster', task: RestoreTask.DB_RESTORE, isCluster: true },
      ],
    },
    {
      schedule: berlin,
      targets: [
        { identifier: 'orders-db', task: RestoreTask.DB_RESTORE },
        { identifier: 'reports-db', task: RestoreTask.CREATE_SNAPSHOT_ONLY },
        { identifier: 'search-db', task: RestoreTask.DB_RESTORE },
      ],
    },
  ];

  test('one schedule per target, each starting one execution with exactly its input', () => {
    const { template, stack } = synth({ schedules });
    template.resourceCountIs('AWS::Scheduler::Schedule', 5);
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const resources = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    const found = resources.map((r) => r.Properties);
    expect(found.map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone, p.State, p.Target.Input])).toEqual([
      ['cron(0 8 ? * FRI *)', 'Etc/UTC', 'ENABLED', '{"identifier":"orders-db","task":"create_snapshot","isCluster":false}'],
      ['cron(0 8 ? * FRI *)', 'Etc/UTC', 'ENABLED', '{"identifier":"payments-cluster","task":"db_restore","isCluster":true}'],
      ['cron(30 6 ? * MON-FRI *)', 'Europe/Berlin', 'DISABLED', '{"identifier":"orders-db","task":"db_restore","isCluster":false}'],
      ['cron(30 6 ? * MON-FRI *)', 'Europe/Berlin', 'DISABLED', '{"identifier":"reports-db","task":"create_snapshot_only","isCluster":false}'],
      ['cron(30 6 ? * MON-FRI *)', 'Europe/Berlin', 'DISABLED', '{"identifier":"search-db","task":"db_restore","isCluster":false}'],
    ]);
    const [[groupId, group]] = Object.entries<any>(template.findResources('AWS::Scheduler::ScheduleGroup'));
    // the group's name is generated, unique to this construct
    expect(group.Properties.Name).toMatch(/^Stack-Restore-Schedules-Group-[0-9A-F]{8}$/);
    for (const r of resources) {
      const p = r.Properties;
      expect(p.Name).toBeUndefined(); // no fixed names
      expect(p.GroupName).toBe(group.Properties.Name);
      expect(r.DependsOn).toContain(groupId); // created after its group
      expect(p.Target.Arn).toEqual({ Ref: expect.stringMatching(/StateMachine/) });
      expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
      expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    }
    expect(found[0].Description).toBe('Weekly reset: create_snapshot of orders-db');
    expect(found[2].Description).toBe('Trapheus: db_restore of orders-db');
    // the scheduler role may start this state machine, and nothing else (so may the state machine itself: a fleet's children)
    const start = statements(template).filter((s) => actionsOf(s).includes('states:StartExecution'));
    expect(start.length).toBeGreaterThanOrEqual(1);
    for (const s of start) expect(s.Resource).toEqual({ Ref: expect.stringMatching(/StateMachine/) });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })] },
    });
    Annotations.fromStack(stack).hasInfo('/Stack/Restore/Schedules', Match.stringLikeRegexp('schedules\\[1\\].*is disabled'));
  });

  test('a target\'s restore source is part of its input', () => {
    const { template } = synth({
      schedules: [{
        schedule: friday,
        targets: [{ identifier: 'orders-db', task: RestoreTask.DB_RESTORE, source: 'point-in-time', useLatestRestorableTime: true }],
      }],
    });
    const [schedule] = Object.values(template.findResources('AWS::Scheduler::Schedule')) as any[];
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({
      identifier: 'orders-db', task: 'db_restore', isCluster: false, source: 'point-in-time', useLatestRestorableTime: true,
    });
  });

  test.each([
    [{ snapshotNamePrefix: 'Nightly-' }, /snapshotNamePrefix "Nightly-" must start with a lowercase letter/],
    [{ snapshotNamePrefix: 'a--' }, /two consecutive hyphens/],
    [{ sourceAccounts: ['12345'] }, /sourceAccounts: "12345" is not an AWS account ID/],
  ] as [TrapheusRestoreProps, RegExp][])('refuses a bad restore-source prop at synth: %j', (props, why) => {
    expect(() => synth(props)).toThrow(why);
  });

  test('RestoreTask values are the execution input\'s task strings', () => {
    expect([RestoreTask.CREATE_SNAPSHOT, RestoreTask.DB_RESTORE, RestoreTask.CREATE_SNAPSHOT_ONLY, RestoreTask.EXPORT_SNAPSHOT].map(String))
      .toEqual(['create_snapshot', 'db_restore', 'create_snapshot_only', 'export_snapshot']);
  });

  test('no schedules: no Scheduler resources', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
  });

  test.each([
    [[{ schedule: friday, description: 'Weekly', targets: [{ identifier: 'orders-db', task: RestoreTask.DB_RESTORE }, { identifier: 'Orders_DB', task: RestoreTask.DB_RESTORE }] }],
      /^TrapheusRestore Stack\/Restore: schedules\[0\] "Weekly", targets\[1\] \("Orders_DB"\): "identifier" "Orders_DB" is not a valid RDS identifier/],
    [[{ schedule: friday, targets: [{ identifier: 'orders-db', task: RestoreTask.DB_RESTORE }] }, { schedule: berlin, targets: [{ identifier: 'reports-db', task: 'restore' }] }],
      /^TrapheusRestore Stack\/Restore: schedules\[1\] \(schedule 2 of 2\) "cron\(30 6 \? \* MON-FRI \*\)", targets\[0\] \("reports-db"\): "task" must be a RestoreTask, not the string "restore"/],
    // JavaScript callers can pass the old plain strings: they are told the constant to use
    [[{ schedule: friday, targets: [{ identifier: 'orders-db', task: 'db_restore' }] }], /targets\[0\] \("orders-db"\): "task" must be a RestoreTask, not the string "db_restore"; use RestoreTask.DB_RESTORE\.$/],
    [[{ schedule: friday, targets: [{ identifier: 'orders-db' }] }], /targets\[0\] \("orders-db"\): "task" must be a RestoreTask .*not missing/],
    [[{ schedule: friday, targets: [] }], /^TrapheusRestore Stack\/Restore: schedules\[0\] "cron\(0 8 \? \* FRI \*\)" has no targets/],
    // the restore sources (issue 9): the same rules as the execution input
    [[{ schedule: friday, targets: [{ identifier: 'orders-db', task: RestoreTask.DB_RESTORE, source: 'point-in-time' }] }], /targets\[0\] \("orders-db"\): "source": "point-in-time" needs "restoreTime"/],
    [[{ schedule: friday, targets: [{ identifier: 'orders-db', task: RestoreTask.DB_RESTORE, snapshotIdentifier: 'rds:orders-db-2026-01-08-03-00' }] }], /is an automated snapshot \(rds:…\)/],
    [[{ schedule: friday, targets: [{ identifier: 'orders-db', task: RestoreTask.CREATE_SNAPSHOT, source: 'latest-automated' }] }], /"source" applies only to the task "db_restore"/],
    [[{ schedule: friday, targets: [{ identifier: 'orders-db', task: RestoreTask.DB_RESTORE }, { identifier: 'orders-db', task: RestoreTask.CREATE_SNAPSHOT }] }],
      /targets\[1\] \("orders-db"\): targets\[0\] already restores orders-db on this schedule/],
  ] as [RestoreSchedule[], RegExp][])('a bad target fails at synth, naming the construct, the schedule and the target (%#)', (bad, why) => {
    expect(() => synth({ schedules: bad })).toThrow(why);
    expect(() => synth({ schedules: bad })).toThrow(/^TrapheusRestore Stack\/Restore: schedules\[\d\]/);
  });
});

describe('VPC mode', () => {
  function withVpc(extra: Partial<TrapheusRestoreProps> = {}) {
    return synth((s) => ({ vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2 }), ...extra }));
  }

  test('with a vpc, every handler runs in its private subnets with a security group that allows HTTPS out only', () => {
    const { template, restore, stack } = withVpc();
    const fns = Object.values(pipelineFunctions(template));
    expect(fns).toHaveLength(15);
    const sgRef = stack.resolve(restore.handlers.securityGroup!.securityGroupId);
    for (const fn of fns) {
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([sgRef]);
      expect(fn.Properties.VpcConfig.SubnetIds).toEqual([
        { Ref: expect.stringMatching(/VpcPrivateSubnet1/) }, { Ref: expect.stringMatching(/VpcPrivateSubnet2/) },
      ]);
    }
    const sgId = sgRef['Fn::GetAtt'][0];
    const sg = template.toJSON().Resources[sgId];
    expect(sg.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'HTTPS to the AWS APIs and Slack', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
    ]);
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('useVpc: false keeps the handlers in the Lambda-owned network even with a vpc', () => {
    const { template, restore } = withVpc({ useVpc: false });
    for (const fn of Object.values(pipelineFunctions(template))) expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(restore.handlers.securityGroup).toBeUndefined();
  });

  test('without a vpc: no VpcConfig, no security group', () => {
    const { template } = synth();
    for (const fn of Object.values(pipelineFunctions(template))) expect(fn.Properties.VpcConfig).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  test('createVpcEndpoints: interface endpoints with private DNS for the services the handlers call, reachable from the handlers only', () => {
    const { template, stack, restore } = synth((s) => ({
      vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2 }),
      createVpcEndpoints: true,
      senderEmail: 'trapheus@example.com',
      recipientEmails: ['dba@example.com'],
      slackWebhookSecret: secretsmanager.Secret.fromSecretNameV2(s, 'Hooks', 'trapheus/slack'),
    }));
    const all = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((r: any) => r.Properties);
    const endpoints = all.filter((e) => e.VpcEndpointType === 'Interface');
    expect(endpoints.map((e) => e.ServiceName)).toEqual([
      'com.amazonaws.eu-west-1.rds', 'com.amazonaws.eu-west-1.sns', 'com.amazonaws.eu-west-1.states',
      'com.amazonaws.eu-west-1.email', 'com.amazonaws.eu-west-1.secretsmanager',
    ]);
    expect(restore.vpcEndpoints).toHaveLength(5);
    // the restore lock's DynamoDB table, through a gateway endpoint on the handlers' route tables
    const gateways = all.filter((e) => e.VpcEndpointType === 'Gateway');
    expect(gateways.map((e) => stack.resolve(e.ServiceName))).toEqual([
      { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
    ]);
    expect(gateways[0].RouteTableIds).toHaveLength(2);
    expect(restore.gatewayEndpoints).toHaveLength(1);
    const handlerSg = stack.resolve(restore.handlers.securityGroup!.securityGroupId);
    for (const e of endpoints) {
      expect(e.VpcEndpointType).toBe('Interface');
      expect(e.PrivateDnsEnabled).toBe(true);
      expect(e.SubnetIds).toHaveLength(2);
    }
    // the endpoints' security group admits HTTPS from the handlers' security group, and nothing else
    const endpointSgId = endpoints[0].SecurityGroupIds[0]['Fn::GetAtt'][0];
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties)
      .filter((p) => p.GroupId['Fn::GetAtt'][0] === endpointSgId);
    expect(ingress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: handlerSg })]);
    expect(template.toJSON().Resources[endpointSgId].Properties.SecurityGroupIngress).toBeUndefined();
    // every egress rule of the handlers' security group is HTTPS
    const handlerSgId = handlerSg['Fn::GetAtt'][0];
    const egress = [
      ...template.toJSON().Resources[handlerSgId].Properties.SecurityGroupEgress,
      ...Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r: any) => r.Properties)
        .filter((p) => p.GroupId['Fn::GetAtt'][0] === handlerSgId),
    ];
    expect(egress.length).toBeGreaterThanOrEqual(1);
    for (const rule of egress) expect([rule.IpProtocol, rule.FromPort, rule.ToPort]).toEqual(['tcp', 443, 443]);
    Annotations.fromStack(stack).hasWarning('/Stack/Restore', Match.stringLikeRegexp('Slack alerts need a NAT route'));
  });

  test('createVpcEndpoints without email or Slack: RDS, SNS, Step Functions (the lock) and DynamoDB (gateway) only', () => {
    const { template } = withVpc({ createVpcEndpoints: true });
    const names = Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
      .filter((r: any) => r.Properties.VpcEndpointType === 'Interface').map((r: any) => r.Properties.ServiceName);
    expect(names).toEqual(['com.amazonaws.eu-west-1.rds', 'com.amazonaws.eu-west-1.sns', 'com.amazonaws.eu-west-1.states']);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  });

  test.each([
    [{ useVpc: true }, /useVpc is true but vpc is not set/],
    [{ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /vpcSubnets is set but vpc is not/],
    [{ createVpcEndpoints: true }, /createVpcEndpoints is true but vpc is not set/],
  ] as [TrapheusRestoreProps, RegExp][])('refuses contradictory network props at synth, naming the construct: %j', (props, why) => {
    expect(() => synth(props)).toThrow(why);
    expect(() => synth(props)).toThrow(/^TrapheusRestore Stack\/Restore: (useVpc|vpcSubnets|createVpcEndpoints) /);
  });

  test('createVpcEndpoints with useVpc: false is refused', () => {
    expect(() => withVpc({ useVpc: false, createVpcEndpoints: true })).toThrow(/^TrapheusRestore Stack\/Restore: createVpcEndpoints is true but useVpc is false/);
  });
});

describe('observability', () => {
  test('state machine logging at level ALL to a log group with retention, and X-Ray tracing', () => {
    const { template, restore, stack } = synth();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: stack.resolve(restore.logGroup.logGroupArn) } }],
      },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/Stack-Restore'),
      RetentionInDays: 30,
    });
    // the handlers log to one group with the same retention
    for (const fn of Object.values(pipelineFunctions(template))) {
      expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: stack.resolve(restore.handlers.logGroup.logGroupName) });
    }
  });

  test('logRetention sets both log groups', () => {
    const { template } = synth({ logRetention: logs.RetentionDays.ONE_YEAR });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')).map((r: any) => r.Properties.RetentionInDays);
    expect(groups).toEqual([365, 365]);
  });

  test('an alarm on failed or timed-out executions notifies the alert topic', () => {
    const { template, restore, stack } = synth({ maxWait: Duration.hours(2) });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    const p = alarm.Properties;
    expect(p.AlarmActions).toEqual([stack.resolve(restore.alertTopic.topicArn)]);
    expect(p).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    const expression = p.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0)');
    const metrics = p.Metrics.filter((m: any) => m.MetricStat)
      .map((m: any) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period]);
    expect(metrics).toEqual([['failed', 'ExecutionsFailed', 'Sum', 300], ['timedOut', 'ExecutionsTimedOut', 'Sum', 300]]);
    expect(stack.resolve(restore.failureAlarm.alarmArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/FailureAlarm/), 'Arn'] });
  });
});
