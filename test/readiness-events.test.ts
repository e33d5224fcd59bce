import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TrapheusRestore, TrapheusRestoreProps } from '../src';
import { WAKE_MIN_SLEEP } from '../src/poll-schedule';
import { CALLBACK_EXTRA_EVENTS, EVENTS_PER_POLL, eventsForWait, pollsForWait, resolvePolling } from '../src/polling';
import { RDS_EVENT_DETAIL_TYPES, WAKE_EVENT_IDS } from '../src/readiness-events';
import { matches } from './sim/eventbridge';
import { eventsOf, rdsEvents } from './sim/rds/events';
import { definitionFrom } from './sim/run-pipeline';

function synth(props: TrapheusRestoreProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  new TrapheusRestore(stack, 'Restore', props);
  return { stack, template: Template.fromStack(stack) };
}

function fn(template: Template, name: string): [string, any] {
  const [entry] = Object.entries(template.findResources('AWS::Lambda::Function', { Properties: { Description: `lambda-src/${name}.lambda.ts` } }));
  return entry;
}

/** The statements of the policies attached to the role of `name`'s function. */
function roleStatements(template: Template, name: string): any[] {
  const role = fn(template, name)[1].Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** Every state of a definition, nested ones included. */
function states(asl: any): [string, any][] {
  return Object.entries<any>(asl.States).flatMap(([n, s]) => [[n, s] as [string, any],
    ...(s.Branches ?? []).flatMap(states), ...(s.ItemProcessor ? states(s.ItemProcessor) : [])]);
}

describe('waits woken by RDS events (wakeOnRdsEvents, default on)', () => {
  const { stack, template } = synth();

  test('an EventBridge rule sends the RDS events that may end a wait to the wake function', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.rds'],
        'detail-type': ['RDS DB Instance Event', 'RDS DB Cluster Event', 'RDS DB Snapshot Event', 'RDS DB Cluster Snapshot Event'],
        'detail': { EventID: Object.keys(WAKE_EVENT_IDS) },
      },
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [fn(template, 'wake')[0], 'Arn'] }, Id: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 } }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fn(template, 'wake')[0], 'Arn'] },
    });
  });

  test('least privilege: sleep may only update the lock table; wake may read and update it and answer task tokens', () => {
    const sleep = roleStatements(template, 'sleep');
    expect(sleep).toHaveLength(1);
    expect(sleep[0].Action).toBe('dynamodb:UpdateItem');
    expect(JSON.stringify(sleep[0].Resource)).toMatch(/LockTable/);
    const wake = roleStatements(template, 'wake');
    expect(wake.map((s) => s.Action)).toEqual([['dynamodb:GetItem', 'dynamodb:UpdateItem'], 'states:SendTaskSuccess']);
    expect(JSON.stringify(wake[0].Resource)).toMatch(/LockTable/);
    // no resource type in the Service Authorization Reference: the task token is the authority
    expect(wake[1].Resource).toBe('*');
  });

  test('the long sleeps of every wait are callback tasks timed out by their interval, caught into the check', () => {
    const all = states(definitionFrom(stack).asl);
    const sleeps = all.filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken');
    // the Wait states of the status-check waits (Wait for X -> Check X), not a fleet target's turn
    const names = new Set(all.map(([n]) => n));
    const waits = all.filter(([n, s]) => s.Type === 'Wait' && names.has(n.replace(/^Wait for /, 'Check ')));
    expect(sleeps.length).toBeGreaterThan(10);
    expect(sleeps.map(([n]) => n).sort()).toEqual(waits.map(([n]) => `${n} or an RDS event`).filter((n) => !/ export /.test(n)).sort());
    for (const [name, s] of sleeps) {
      const subject = name.replace(/^Wait for /, '').replace(/ or an RDS event$/, '');
      expect(s).toMatchObject({ TimeoutSecondsPath: '$.wait.interval', ResultPath: '$.wait.woken', Next: `Check ${subject}` });
      expect(s.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.wait.woken', Next: `Check ${subject}` }]);
      expect(s.Parameters.Payload).toMatchObject({ 'token.$': '$$.Task.Token', 'seconds.$': '$.wait.interval', 'since.$': '$$.State.EnteredTime' });
      const choice = all.find(([n]) => n === `Is ${subject} ready?`)![1];
      // a long sleep, in the first half of maxWait (6 h by default)
      expect(choice.Choices[0]).toEqual({
        And: [{ Variable: '$.wait.done', BooleanEquals: false }, { Variable: '$.wait.interval', NumericGreaterThanEquals: WAKE_MIN_SLEEP },
          { Variable: '$.wait.elapsed', NumericLessThan: 3 * 3600 }],
        Next: name,
      });
    }
  });
});

test('wakeOnRdsEvents: false builds no rule, no sleep or wake function, and only Wait states', () => {
  const { stack, template } = synth({ wakeOnRdsEvents: false });
  template.resourceCountIs('AWS::Events::Rule', 0);
  expect(fn(template, 'sleep')).toBeUndefined();
  expect(fn(template, 'wake')).toBeUndefined();
  expect(states(definitionFrom(stack).asl).filter(([, s]) => /waitForTaskToken/.test(s.Resource ?? ''))).toEqual([]);
});

describe('the simulator\'s RDS events and the rule', () => {
  const { stack } = synth();
  const rule = definitionFrom(stack).rules![0];
  const emit = (kind: any, from: string, status: string, identifier = 'orders-db') =>
    rdsEvents({ at: 0, kind, identifier, from, status }, new Date(0), 'us-east-1', '123456789012', () => 1);

  test('the status changes that end a wait emit an event the rule takes', () => {
    const ends: [any, string, string][] = [
      ['instance', 'creating', 'available'], ['instance', 'backing-up', 'available'], ['instance', 'deleting', 'deleted'],
      ['snapshot', 'creating', 'available'], ['cluster', 'creating', 'available'], ['cluster', 'deleting', 'deleted'],
      ['cluster', 'renaming', 'available'], ['cluster-snapshot', 'creating', 'available'],
    ];
    for (const [kind, from, status] of ends) {
      const events = emit(kind, from, status);
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect(matches(rule.pattern, e)).toBe(true);
    }
    expect(emit('instance', 'creating', 'available')[0]).toMatchObject({
      'source': 'aws.rds',
      'detail-type': 'RDS DB Instance Event',
      'detail': { SourceIdentifier: 'orders-db', SourceArn: 'arn:aws:rds:us-east-1:123456789012:db:orders-db', EventID: 'RDS-EVENT-0005', SourceType: 'DB_INSTANCE' },
    });
  });

  test('the start of a backup is emitted but does not end a wait, so the rule leaves it out', () => {
    const [started] = emit('instance', 'available', 'backing-up');
    expect(started.detail.EventID).toBe('RDS-EVENT-0001');
    expect(matches(rule.pattern, started)).toBe(false);
    expect(eventsOf({ at: 0, kind: 'instance', identifier: 'x', from: 'renaming', status: 'available' })).toEqual([]);
  });

  test('pattern matching: lists match one of their values, objects field by field, other sources and types do not match', () => {
    const [e] = emit('snapshot', 'creating', 'available');
    expect(matches(rule.pattern, e)).toBe(true);
    expect(matches(rule.pattern, { ...e, source: 'aws.ec2' })).toBe(false);
    expect(matches(rule.pattern, { ...e, 'detail-type': 'RDS DB Proxy Event' })).toBe(false);
    expect(matches(rule.pattern, { ...e, detail: { ...e.detail, EventID: 'RDS-EVENT-0040' } })).toBe(false);
    expect(matches({ detail: { EventCategories: ['creation'] } }, e)).toBe(true); // an array value: any element
    expect(() => matches({ source: [{ prefix: 'aws.' }] }, e)).toThrow(/not implemented/);
    expect(RDS_EVENT_DETAIL_TYPES).toEqual(rule.pattern['detail-type']);
  });
});

test('the history limit counts the callback sleeps\' extra events, which stop at half of maxWait: the default polling fits', () => {
  const policy = { first: 30, max: 300, rate: 1.5, maxWait: 6 * 3600 };
  expect(eventsForWait(policy, false)).toBe(pollsForWait(policy) * EVENTS_PER_POLL);
  // a 6-hour back-off: 30, 45, 68 and 101 s are Wait states, the later sleeps of its first 3 hours callback tasks
  const callbacks = (eventsForWait(policy, true) - eventsForWait(policy, false)) / CALLBACK_EXTRA_EVENTS;
  expect(callbacks).toBeGreaterThan(30);
  expect(callbacks).toBeLessThan(pollsForWait(policy) / 2);
  // the largest branch (a cluster with a staged cutover, a final snapshot, keep) fits with events
  expect(() => resolvePolling({}, 21)).not.toThrow();
  expect(eventsForWait(policy, true) * 21).toBeLessThan(25_000 * 0.8);
});
