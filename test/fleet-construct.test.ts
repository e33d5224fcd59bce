import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { RestoreTask, TrapheusRestore, TrapheusRestoreProps } from '../src';
import { definitionFrom } from './sim/run-pipeline';

/** Fleets (src/fleet.ts): the Map of child executions, its IAM, its props and schedules. */

function synth(props: TrapheusRestoreProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const restore = new TrapheusRestore(stack, 'Restore', props);
  return { stack, restore, template: Template.fromStack(stack) };
}

function policyNamed(template: Template, prefix: string): any {
  const found = Object.entries<any>(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0][1];
}

describe('the fleet branch', () => {
  test('a Distributed Map runs each target as a child execution of the same state machine (startExecution.sync:2), a failure caught in its iteration', () => {
    const { stack } = synth();
    const { asl } = definitionFrom(stack);
    expect(asl.States['Is it a fleet?'].Choices).toEqual([{ Variable: '$.targets', IsPresent: true, Next: 'Check the fleet against the RDS quotas' }]);
    const map = asl.States['Restore each target'];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.targets',
      MaxConcurrencyPath: '$.maxConcurrency',
      ResultPath: '$.results',
      ItemSelector: { 'input.$': '$$.Map.Item.Value', 'stateMachine.$': '$$.StateMachine.Id' },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    const task = map.ItemProcessor.States['Restore the target'];
    expect(task.Resource).toMatch(/^arn:aws[a-z-]*:states:::states:startExecution\.sync:2$/);
    expect(task.Parameters).toEqual({ 'StateMachineArn.$': '$.stateMachine', 'Input.$': '$.input' });
    expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Keep the target\'s failure' }]);
    // the child's own failure is not retried; starting it is
    expect(task.Retry.flatMap((r: any) => r.ErrorEquals)).not.toContain('States.TaskFailed');
    expect(asl.States['Did every target succeed?'].Choices[0]).toMatchObject({ Variable: '$.summary.failed', NumericGreaterThan: 0 });
    expect(asl.States['Fleet failed']).toMatchObject({ Type: 'Fail', Error: 'FleetTargetsFailed', CausePath: '$.summary.text' });
  });

  test('IAM: the state machine may start, describe and stop only its own executions, and manage the .sync rule; in a policy of its own (no cycle)', () => {
    const { template, stack, restore } = synth();
    const sm = stack.getLogicalId(restore.stateMachine.node.defaultChild as any);
    const policy = policyNamed(template, 'RestoreFleetChildExecutionsPolicy');
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^RestoreStateMachineRole/) }]);
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: sm } },
      {
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:eu-west-1:123456789012:execution:', { 'Fn::GetAtt': [sm, 'Name'] }, ':*']] },
      },
      {
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule']] },
      },
    ]);
    // the state machine does not wait for this policy: it is created after it
    expect(template.toJSON().Resources[sm].DependsOn ?? []).not.toContain(expect.stringMatching(/ChildExecutionsPolicy/));
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: Match.absent() });
  });

  test('IAM: the pre-flight reads the account\'s quotas (resource "*", read-only) and clusters; the summary reads the children\'s histories', () => {
    const { template } = synth();
    const all = Object.values<any>(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const quota = all.filter((s) => ([] as string[]).concat(s.Action).includes('rds:DescribeAccountAttributes'));
    expect(quota).toEqual([{ Action: ['rds:DescribeAccountAttributes', 'rds:DescribeDBClusters'], Effect: 'Allow', Resource: '*' }]);
    const history = policyNamed(template, 'RestoreFleetSummaryPolicy').Properties.PolicyDocument.Statement;
    expect(history).toHaveLength(1);
    expect(history[0].Action).toBe('states:GetExecutionHistory');
  });

  test('fleetConcurrency: default 5, from 1 to 50, given to the first state', () => {
    const env = (props: TrapheusRestoreProps) => {
      const fns = synth(props).template.findResources('AWS::Lambda::Function', { Properties: { Description: 'lambda-src/validate-input.lambda.ts' } });
      return (Object.values<any>(fns)[0]).Properties.Environment.Variables.FLEET_CONCURRENCY;
    };
    expect(env({})).toBe('5');
    expect(env({ fleetConcurrency: 20 })).toBe('20');
    expect(() => synth({ fleetConcurrency: 0 })).toThrow(/fleetConcurrency is 0; it must be from 1 to 50/);
    expect(() => synth({ fleetConcurrency: 2.5 })).toThrow(/fleetConcurrency must be a whole number/);
    expect(() => synth({ fleetConcurrency: 51 })).toThrow(/fleetConcurrency is 51/);
  });
});

describe('a schedule that starts a fleet', () => {
  const schedule = ScheduleExpression.cron({ minute: '0', hour: '18', weekDay: 'FRI' });
  const targets = [
    { identifier: 'orders-db', task: RestoreTask.DB_RESTORE },
    { identifier: 'payments-cluster', task: RestoreTask.DB_RESTORE, isCluster: true },
    { identifier: 'reports-db', task: RestoreTask.CREATE_SNAPSHOT },
  ];

  test('asFleet: one schedule, one execution with every target', () => {
    const { template } = synth({ schedules: [{ schedule, targets, asFleet: true, maxConcurrency: 2, description: 'Friday reset' }] });
    const found = Object.values<any>(template.findResources('AWS::Scheduler::Schedule'));
    expect(found).toHaveLength(1);
    expect(JSON.parse(found[0].Properties.Target.Input)).toEqual({
      targets: [
        { identifier: 'orders-db', task: 'db_restore', isCluster: false },
        { identifier: 'payments-cluster', task: 'db_restore', isCluster: true },
        { identifier: 'reports-db', task: 'create_snapshot', isCluster: false },
      ],
      maxConcurrency: 2,
    });
    expect(found[0].Properties.Description).toBe('Friday reset: fleet of 3 (orders-db, payments-cluster, reports-db)');
  });

  test('without asFleet: one schedule per target, as before', () => {
    const { template } = synth({ schedules: [{ schedule, targets }] });
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
  });

  test('synth refuses maxConcurrency without asFleet, a bad maxConcurrency, a fleet over 50, and bad targets as before', () => {
    expect(() => synth({ schedules: [{ schedule, targets, maxConcurrency: 2 }] })).toThrow(/maxConcurrency applies only with asFleet: true/);
    expect(() => synth({ schedules: [{ schedule, targets, asFleet: true, maxConcurrency: 0 }] })).toThrow(/maxConcurrency is 0; it must be from 1 to 50/);
    const many = Array.from({ length: 51 }, (_, i) => ({ identifier: `db-${i}`, task: RestoreTask.DB_RESTORE }));
    expect(() => synth({ schedules: [{ schedule, targets: many, asFleet: true }] })).toThrow(/asFleet with 51 targets; a fleet has at most 50/);
    expect(() => synth({ schedules: [{ schedule, targets: [...targets, { identifier: 'Orders_DB', task: RestoreTask.DB_RESTORE }], asFleet: true }] }))
      .toThrow(/targets\[3\] \("Orders_DB"\): "identifier" "Orders_DB" is not a valid RDS identifier/);
  });
});
