import { App, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { OldDatabasePolicy, RestoreSchedule, RestoreSchedules, RestoreTask, TrapheusRestore, TrapheusRestoreProps } from '../src';

/** Log groups, the state machine ARN output, schedule targets against allowedIdentifiers, and where props errors point. */

function synth(props: TrapheusRestoreProps = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const restore = new TrapheusRestore(stack, 'Restore', props);
  return { stack, restore, template: Template.fromStack(stack) };
}

describe('log groups', () => {
  const policies = (template: Template) => Object.values(template.findResources('AWS::Logs::LogGroup'))
    .map((r: any) => [r.DeletionPolicy, r.UpdateReplacePolicy]);

  test('by default both log groups (execution log, handlers\' log) are deleted with the stack', () => {
    const { template, restore, stack } = synth();
    expect(policies(template)).toEqual([['Delete', 'Delete'], ['Delete', 'Delete']]);
    const ids = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    const logicalId = (group: typeof restore.logGroup) => stack.getLogicalId(group.node.defaultChild as CfnResource);
    expect(ids.sort()).toEqual([logicalId(restore.logGroup), logicalId(restore.handlers.logGroup)].sort());
  });

  test('logRemovalPolicy: RETAIN keeps both', () => {
    expect(policies(synth({ logRemovalPolicy: RemovalPolicy.RETAIN }).template)).toEqual([['Retain', 'Retain'], ['Retain', 'Retain']]);
  });

  test('logRemovalPolicy: SNAPSHOT is refused at synth (log groups have no snapshots)', () => {
    expect(() => synth({ logRemovalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/^TrapheusRestore Stack\/Restore: logRemovalPolicy: CloudWatch Logs log groups cannot be snapshotted; use RemovalPolicy.DESTROY or RemovalPolicy.RETAIN$/);
  });
});

describe('the state machine ARN output', () => {
  test('by default, an output holds the state machine ARN; its key starts with the construct\'s logical ID', () => {
    const { template, restore, stack } = synth();
    const outputs = template.toJSON().Outputs;
    const keys = Object.keys(outputs);
    expect(keys).toEqual([expect.stringMatching(/^RestoreStateMachineArn[0-9A-F]{8}$/)]);
    expect(outputs[keys[0]].Value).toEqual(stack.resolve(restore.stateMachine.stateMachineArn));
    expect(outputs[keys[0]].Description).toMatch(/Stack\/Restore: aws stepfunctions start-execution/);
    expect(restore.stateMachineArnOutput).toBeDefined();
  });

  test('stateMachineArnOutput: false adds none', () => {
    const { template, restore } = synth({ stateMachineArnOutput: false });
    expect(template.toJSON().Outputs).toBeUndefined();
    expect(restore.stateMachineArnOutput).toBeUndefined();
  });
});

describe('schedule targets and allowedIdentifiers', () => {
  const friday = ScheduleExpression.cron({ minute: '0', hour: '8', weekDay: 'FRI' });
  const weekly = (...identifiers: string[]): RestoreSchedule[] => [{
    schedule: friday, description: 'Weekly', targets: identifiers.map((identifier) => ({ identifier, task: RestoreTask.DB_RESTORE })),
  }];

  test('a target outside allowedIdentifiers fails at synth, naming the construct, the schedule and the target', () => {
    expect(() => synth({ allowedIdentifiers: ['orders-db', 'perf-*'], schedules: weekly('perf-db', 'reports-db') }))
      .toThrow('TrapheusRestore Stack/Restore: schedules[0] "Weekly", targets[1] ("reports-db"): "reports-db" is not in allowedIdentifiers '
        + '("orders-db", "perf-*"), so every run of this schedule would fail with IdentifierNotAllowed: add it to allowedIdentifiers, or remove the target');
  });

  test('targets inside allowedIdentifiers (exact or prefix), and without allowedIdentifiers (the tag decides at run time), pass', () => {
    expect(() => synth({ allowedIdentifiers: ['orders-db', 'perf-*'], schedules: weekly('orders-db', 'perf-1') })).not.toThrow();
    expect(() => synth({ schedules: weekly('reports-db') })).not.toThrow();
  });

  test('tokens are not checked: a token target, or a literal target when an allowed entry is a token', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const db = new rds.DatabaseInstance(stack, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      vpc: new ec2.Vpc(stack, 'Vpc'),
    });
    expect(() => new TrapheusRestore(stack, 'A', { allowedIdentifiers: ['reports-db'], schedules: weekly(db.instanceIdentifier) })).not.toThrow();
    expect(() => new TrapheusRestore(stack, 'B', { allowedIdentifiers: [db.instanceIdentifier], schedules: weekly('orders-db') })).not.toThrow();
  });

  test('RestoreSchedules on its own checks its allowedIdentifiers, naming its own path', () => {
    const stack = new Stack(new App(), 'Stack');
    const stateMachine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    expect(() => new RestoreSchedules(stack, 'Schedules', { stateMachine, schedules: weekly('reports-db'), allowedIdentifiers: ['orders-db'] }))
      .toThrow(/^RestoreSchedules Stack\/Schedules: schedules\[0\] "Weekly", targets\[0\] \("reports-db"\): "reports-db" is not in allowedIdentifiers/);
  });
});

describe('every props error names the construct and its path', () => {
  test.each([
    ['stateMachineName', { stateMachineName: 'bad name!' }],
    ['pollInterval', { pollInterval: Duration.millis(500) }],
    ['oldDatabase', { oldDatabase: OldDatabasePolicy.keepFor(Duration.minutes(30)) }],
    ['allowedIdentifiers', { allowedIdentifiers: ['Orders'] }],
    ['encryptionKeys', { encryptionKeys: [] }],
    ['senderEmail', { senderEmail: 'a@example.com' }],
    ['useVpc', { useVpc: true }],
    ['schedules', { schedules: [{ schedule: ScheduleExpression.rate(Duration.days(1)), targets: [] }] }],
    ['logRemovalPolicy', { logRemovalPolicy: RemovalPolicy.SNAPSHOT }],
  ] as [string, TrapheusRestoreProps][])('%s', (prop, props) => {
    const stack = new Stack(new App(), 'DbReset');
    expect(() => new TrapheusRestore(stack, 'Restore', props)).toThrow(new RegExp(`^TrapheusRestore DbReset/Restore: ${prop}`));
  });

  test('a TrapheusRestore inside another construct: the whole path', () => {
    const stack = new Stack(new App(), 'DbReset');
    const group = new ec2.Vpc(stack, 'Vpc'); // any construct as a parent
    expect(() => new TrapheusRestore(group, 'Restore', { stateMachineName: 'bad name!' })).toThrow(/^TrapheusRestore DbReset\/Vpc\/Restore: stateMachineName "bad name!"/);
  });
});
