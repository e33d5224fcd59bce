import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Cutover, OldDatabasePolicy, TrapheusRestore, TrapheusRestoreProps } from '../src';
import { definitionFrom } from './sim/run-pipeline';

function synth(props: TrapheusRestoreProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const restore = new TrapheusRestore(stack, 'Restore', props);
  return { stack, restore, template: Template.fromStack(stack) };
}

/** Asset hashes change with every handler edit; the snapshot is about structure. */
expect.addSnapshotSerializer({
  test: (v) => typeof v === 'string' && /[0-9a-f]{64}/.test(v),
  print: (v) => JSON.stringify((v as string).replace(/[0-9a-f]{64}/g, '[ASSET-HASH]')),
});

describe('TrapheusRestore', () => {
  test('creates one state machine and one function per handler, on Node.js 22 arm64', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', 15);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 60,
      Environment: { Variables: Match.objectLike({ PIPELINE_ID: Match.stringLikeRegexp('Restore') }) },
    });
  });

  test('uses no fixed resource names, so two pipelines fit in one stack and account', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    new TrapheusRestore(stack, 'A');
    new TrapheusRestore(stack, 'B');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', { StateMachineName: Match.absent() });
    template.allResourcesProperties('AWS::Lambda::Function', { FunctionName: Match.absent() });
    const ids = new Set(Object.values(template.findResources('AWS::Lambda::Function'))
      .map((r: any) => r.Properties.Environment.Variables.PIPELINE_ID));
    expect(ids.size).toBe(2);
  });

  test('exposes the state machine and grants start', () => {
    const stack = new Stack(new App(), 'Stack');
    const restore = new TrapheusRestore(stack, 'Restore', { stateMachineName: 'nightly-reset' });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    restore.grantStartExecution(role);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'nightly-reset' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Caller') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('StateMachine') } })] },
    });
  });

  test('validates the input first, and retries RDS throttling with back-off on every RDS task', () => {
    const { stack } = synth();
    const { asl } = definitionFrom(stack);
    expect(asl.StartAt).toBe('Validate the input');
    // Lambda throttling on every task, before any Catch; lost invocations too, but on the alerts (which must not send twice).
    const all = Object.entries<any>(asl.States).filter(([, s]) => s.Type === 'Task');
    for (const [name, state] of all) {
      const lambda = state.Retry.find((r: any) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
      expect({ name, lambda }).toEqual({
        name,
        lambda: {
          ErrorEquals: name.startsWith('Send the ') ? ['Lambda.TooManyRequestsException'] : ['Lambda.TooManyRequestsException', 'Lambda.Unknown'],
          IntervalSeconds: 5,
          BackoffRate: 2,
          MaxAttempts: 6,
          MaxDelaySeconds: 90,
          JitterStrategy: 'FULL',
        },
      });
    }
    // Every task but the alerts, which call no RDS API (and are not retried: a retry would send twice),
    // and the callback sleeps of the waits (their function only writes the lock table).
    const tasks = Object.entries<any>(asl.States).filter(([n, s]) => s.Type === 'Task' && !n.startsWith('Send the ')
      && !/waitForTaskToken$/.test(s.Resource));
    expect(tasks.length).toBeGreaterThan(20);
    for (const [name, state] of tasks) {
      const throttling = state.Retry.find((r: any) => r.ErrorEquals.includes('RdsThrottled'));
      expect({ name, throttling }).toEqual({
        name,
        throttling: { ErrorEquals: ['RdsThrottled', 'RdsUnavailable'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
      });
    }
  });

  test('every wait is a Wait state plus a status check; no wait happens inside a Lambda', () => {
    const { stack } = synth({
      pollInterval: Duration.seconds(20), maxPollInterval: Duration.minutes(4), pollBackoffRate: 2, maxWait: Duration.hours(3),
    });
    const { asl } = definitionFrom(stack);
    // (a fleet's target waiting for its turn to start is not a status wait)
    const waits = Object.entries<any>(asl.States).filter(([n, s]) => s.Type === 'Wait' && n !== 'Wait for this target\'s turn');
    expect(waits.length).toBe(9 + 16); // instance branch, cluster branch
    for (const [name, wait] of waits) {
      expect(wait.SecondsPath).toBe('$.wait.interval');
      const check = asl.States[wait.Next];
      expect(check.Type).toBe('Task');
      expect(check.Parameters.policy).toEqual({ first: 20, max: 240, rate: 2, maxWait: 10800 });
      expect(name.replace('Wait for ', 'Check ')).toBe(wait.Next);
    }
  });

  test('failures end in a Fail state that carries the original error and the report as cause', () => {
    const { stack } = synth();
    const { asl } = definitionFrom(stack);
    expect(asl.States['Restore failed']).toEqual({ Type: 'Fail', ErrorPath: '$.outcome.error', CausePath: '$.outcome.cause' });
    const reports = Object.keys(asl.States).filter((n) => n.startsWith('Report '));
    expect(reports.sort()).toEqual([
      'Report the failed rollback', 'Report the failure after the restore', 'Report the refused input',
      'Report the rollback', 'Report the unchanged database',
    ]);
  });

  test.each([
    [{ pollInterval: Duration.millis(500) }, /pollInterval must be a whole number of seconds, at least 1/],
    [{ pollInterval: Duration.minutes(10), maxPollInterval: Duration.minutes(1) }, /maxPollInterval \(60 s\) must be at least pollInterval/],
    [{ pollBackoffRate: 0.5 }, /pollBackoffRate must be between 1 and 10/],
    [{ maxWait: Duration.days(30) }, /maxWait must be at most 7 days/],
    [{ maxWait: Duration.seconds(5) }, /maxWait \(5 s\) must be at least pollInterval/],
    [{ maxWait: Duration.days(7), maxPollInterval: Duration.seconds(30) }, /history events/],
    [{ stateMachineName: 'bad name!' }, /stateMachineName/],
  ] as [TrapheusRestoreProps, RegExp][])('refuses bad props at synth, naming the construct and its path: %j', (props, why) => {
    expect(() => synth(props)).toThrow(why);
    expect(() => synth(props)).toThrow(/^TrapheusRestore \S+\/Restore: (pollInterval|maxPollInterval|pollBackoffRate|maxWait|stateMachineName) /);
  });

  test('Cutover.RESTORE_THEN_SWAP restores under the staging identifier, then moves it in; clusters too, the whole cluster staged', () => {
    const states = (props: TrapheusRestoreProps) => Object.keys(definitionFrom(synth(props).stack).asl.States);
    const swap = states({ cutover: Cutover.RESTORE_THEN_SWAP });
    const renameFirst = states({});
    expect(swap).toEqual(expect.arrayContaining([
      'Restore under a staging identifier', 'Verify the staged configuration',
      'Move the staged instance under the original identifier', 'Delete the staged instance',
    ]));
    expect(swap).not.toContain('Restore under the original identifier');
    expect(renameFirst).not.toContain('Move the staged instance under the original identifier');
    // an Aurora cluster: built whole under staging names, then the original out and the staged one in
    expect(swap).toEqual(expect.arrayContaining([
      'Restore the cluster under a staging identifier', 'Create the staged writer', 'Create the staged readers', 'Verify the staged cluster and its writer',
      'Rename the cluster out of the way', 'Move the staged cluster under the original identifier', 'Give the staged members their final identifiers',
      'Move the staged cluster back out', 'Delete the staged cluster',
    ]));
    expect(swap).not.toContain('Restore the cluster under the original identifier');
    expect(renameFirst).not.toContain('Restore the cluster under a staging identifier');
  });

  test('the state machine times out after the longest legitimate run, and the restore lock lives exactly as long', () => {
    const lifetimes = (props: TrapheusRestoreProps) => {
      const { stack, restore, template } = synth(props);
      const lockSeconds = Object.values(template.findResources('AWS::Lambda::Function'))
        .map((r: any) => r.Properties.Environment.Variables.LOCK_SECONDS).find((v) => v !== undefined);
      const timeoutSeconds = definitionFrom(stack).asl.TimeoutSeconds;
      expect(Number(lockSeconds)).toBe(timeoutSeconds);
      expect(restore.executionTimeout.toSeconds()).toBe(timeoutSeconds);
      return timeoutSeconds;
    };
    // the cluster branch's 16 waits of 6 h, 88 status checks each at 10 s (a learned wait that overruns its
    // history: 76 with the back-off alone); 2 h for the other tasks; rounded up to the hour
    expect(16 * (6 * 3600 + 88 * 10) + 2 * 3600).toBe(366_880);
    expect(lifetimes({})).toBe(102 * 3600);
    // keeping the old database adds its 2 waits and the window itself: 18 waits of 1 h (28 checks each), 48 h, 2 h
    expect(18 * (3600 + 28 * 10) + 48 * 3600 + 2 * 3600).toBe(249_840);
    expect(lifetimes({ maxWait: Duration.hours(1), oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(48)) })).toBe(70 * 3600);
  });

  test('matches the snapshot (asset hashes stripped)', () => {
    expect(synth().template.toJSON()).toMatchSnapshot();
  });
});
