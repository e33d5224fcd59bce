import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AfterRestore, Cutover, TrapheusRestore, TrapheusRestoreProps } from '../src';
import { definitionFromTemplate } from './sim/template-pipeline';

function synth(props: (stack: Stack) => TrapheusRestoreProps) {
  const stack = new Stack(new App(), 'Hook', { env: { account: '123456789012', region: 'us-east-1' } });
  new TrapheusRestore(stack, 'Restore', props(stack));
  const template = Template.fromStack(stack).toJSON();
  const [machineId, machine] = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith('RestoreStateMachine'))!;
  const asl = definitionFromTemplate(template, { stateMachine: machineId }).asl;
  const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
  const statements = Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
  return { template, asl, states: asl.States as Record<string, any>, statements };
}

const hookFn = (stack: Stack) => new lambda.Function(stack, 'Hook', {
  runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'),
});
const hookMachine = (stack: Stack) => new sfn.StateMachine(stack, 'HookMachine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Sanitize')) });

const actions = (s: any) => [s.Action].flat();
const HOOK_STATES = ['Run the after-restore hook on the instance', 'Run the after-restore hook on the cluster'];

describe('afterRestore', () => {
  test('no hook by default: no hook state, no permission beyond the pipeline\'s functions', () => {
    const { states, statements } = synth(() => ({}));
    expect(Object.keys(states).filter((n) => /after-restore/.test(n))).toEqual([]);
    // the only states: grants are the fleet's, on this pipeline's own state machine and its executions
    const own = /RestoreStateMachine[0-9A-F]+/;
    const grants = statements.filter((s) => actions(s).some((a: string) => a.startsWith('states:')));
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) expect(JSON.stringify(g.Resource)).toMatch(own);
  });

  test('a Lambda hook: after the verify step, failures to the rollback, 15 min by default, lambda:InvokeFunction on that function only', () => {
    const { states, statements } = synth((stack) => ({ afterRestore: AfterRestore.lambda(hookFn(stack)) }));
    expect(states['Verify the restored configuration'].Next).toBe(HOOK_STATES[0]);
    expect(states['Verify the restored cluster and its writer'].Next).toBe(HOOK_STATES[1]);
    for (const name of HOOK_STATES) {
      const state = states[name];
      // the function's ARN (the optimized integration's payloadResponseOnly form)
      expect(state.Resource).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:Hook[0-9A-F]+$/);
      expect(state.Parameters).toEqual({
        'identifier.$': '$.identifier', 'isCluster.$': '$.isCluster', 'endpoint.$': '$.verified.endpoint', 'source.$': '$.snapshot', 'execution.$': '$$.Execution.Id',
      });
      expect(state.ResultPath).toBe('$.afterRestore');
      expect(state.TimeoutSeconds).toBe(900);
      // Lambda's faults are retried as for every step (throttling, lost invocations); the hook's own errors are not
      const retried = state.Retry.flatMap((r: any) => r.ErrorEquals);
      expect(retried).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.Unknown', 'Lambda.ServiceException']));
      expect(retried).not.toContain('States.ALL');
      expect(retried).not.toContain('States.TaskFailed');
      // every failure (timeout included) goes to the rollback, as the restore's own failures do
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: expect.stringMatching(/^Start waiting for partly restored (instance|members)$/) }]);
    }
    const invokes = statements.filter((s) => actions(s).includes('lambda:InvokeFunction'));
    const hookGrants = invokes.filter((s) => JSON.stringify(s.Resource).includes('"Hook'));
    expect(hookGrants).toHaveLength(1);
    expect(hookGrants[0].Resource.map((r: any) => JSON.stringify(r))).toEqual([
      expect.stringMatching(/^\{"Fn::GetAtt":\["Hook[0-9A-F]+","Arn"\]\}$/), expect.stringMatching(/"Hook[0-9A-F]+","Arn".*":\*"/),
    ]);
  });

  test('the timeout is a prop', () => {
    const { states } = synth((stack) => ({ afterRestore: AfterRestore.lambda(hookFn(stack), { timeout: Duration.minutes(3) }) }));
    expect(HOOK_STATES.map((n) => states[n].TimeoutSeconds)).toEqual([180, 180]);
  });

  test('RESTORE_THEN_SWAP: on the staged instance after its verify, before the original is renamed; not again after the swap', () => {
    const { states } = synth((stack) => ({ afterRestore: AfterRestore.lambda(hookFn(stack)), cutover: Cutover.RESTORE_THEN_SWAP }));
    const staged = states['Run the after-restore hook on the staged instance'];
    expect(states['Verify the staged configuration'].Next).toBe('Run the after-restore hook on the staged instance');
    expect(staged.Next).toBe('Rename the instance out of the way');
    expect(staged.Parameters).toMatchObject({ 'identifier.$': '$.original.staging', 'endpoint.$': '$.stagedVerified.endpoint' });
    expect(staged.Catch[0].Next).toMatch(/^Start waiting for staged instance to settle$/);
    expect(states[HOOK_STATES[0]]).toBeUndefined();
  });

  test('a state machine hook: .sync, 1 h by default, states:StartExecution on it, DescribeExecution and StopExecution on its executions', () => {
    const { states, statements } = synth((stack) => ({ afterRestore: AfterRestore.stateMachine(hookMachine(stack)) }));
    for (const name of HOOK_STATES) {
      const state = states[name];
      expect(state.Resource).toMatch(/arn:aws:states:::states:startExecution\.sync:2$/);
      expect(state.Parameters.StateMachineArn).toMatch(/:stateMachine:HookMachine[0-9A-F]+$/);
      expect(state.Parameters.Input).toMatchObject({ 'identifier.$': '$.identifier', 'endpoint.$': '$.verified.endpoint', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' });
      expect(state.TimeoutSeconds).toBe(3600);
      expect(state.Catch[0].Next).toMatch(/^Start waiting for partly restored (instance|members)$/);
    }
    // besides the fleet's grants on the pipeline's own state machine (see the test above)
    const onHook = (s: any) => JSON.stringify(s.Resource).includes('HookMachine');
    const start = statements.filter((s) => actions(s).includes('states:StartExecution') && onHook(s));
    expect(start).toHaveLength(1);
    expect(start[0].Resource.Ref).toMatch(/^HookMachine/);
    const describe = statements.filter((s) => actions(s).includes('states:DescribeExecution') && onHook(s));
    expect(describe).toHaveLength(1);
    expect(statements.filter((s) => actions(s).some((a: string) => a.startsWith('states:')) && !onHook(s))
      .every((s) => /RestoreStateMachine[0-9A-F]+/.test(JSON.stringify(s.Resource)))).toBe(true);
    expect(actions(describe[0]).sort()).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    // the executions of that state machine only (arn:...:execution:<its name>:*)
    expect(JSON.stringify(describe[0].Resource)).toMatch(/:execution:.*HookMachine.*\*/);
  });
});

describe.each([
  ['a Lambda function', (stack: Stack) => AfterRestore.lambda(hookFn(stack))],
  ['a state machine', (stack: Stack) => AfterRestore.stateMachine(hookMachine(stack))],
])('cdk-nag AwsSolutions with afterRestore (%s)', (_, hook) => {
  test('zero unsuppressed errors or warnings from the construct', () => {
    const stack = new Stack(new App(), 'HookNag', { env: { account: '123456789012', region: 'us-east-1' } });
    new TrapheusRestore(stack, 'Restore', { afterRestore: hook(stack) });
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].filter((f) => f.id.startsWith('/HookNag/Restore/')); // the user's own hook machine is theirs
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });
});
