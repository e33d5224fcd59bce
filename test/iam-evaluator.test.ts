import { evaluateSync, evaluationCount, IamRequest } from './sim/iam-evaluator';

/**
 * The IAM check decides every call, and evaluates each distinct request once (iam-evaluator.ts):
 * a reused decision must come from a request identical in everything the decision depends on.
 */
const ACCOUNT = '123456789012';
const policies = [{
  name: 'rename',
  policy: {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Action: 'rds:ModifyDBInstance',
      Resource: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:*`,
      Condition: { StringEquals: { 'aws:ResourceTag/trapheus:restorable': 'true' } },
    }],
  },
}];
const request = (over: Partial<IamRequest> = {}): IamRequest => ({
  principal: `arn:aws:sts::${ACCOUNT}:assumed-role/Role/Fn`,
  action: 'rds:ModifyDBInstance',
  resource: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders-db`,
  accountId: ACCOUNT,
  context: { 'aws:ResourceTag/trapheus:restorable': 'true' },
  identityPolicies: policies,
  ...over,
});

describe('iam-evaluator: one evaluation per distinct request', () => {
  test('an identical request reuses the decision', () => {
    expect(evaluateSync(request()).result).toBe('Allowed');
    const before = evaluationCount();
    expect(evaluateSync(request()).result).toBe('Allowed');
    expect(evaluationCount()).toBe(before);
  });

  test.each<[string, Partial<IamRequest>, string]>([
    ['context', { context: { 'aws:ResourceTag/trapheus:restorable': 'false' } }, 'ImplicitlyDenied'],
    ['action', { action: 'rds:DeleteDBInstance' }, 'ImplicitlyDenied'],
    ['resource', { resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-db` }, 'ImplicitlyDenied'],
    ['policies (same content, another list)', { identityPolicies: JSON.parse(JSON.stringify(policies)) }, 'Allowed'],
    ['policies (other content)', { identityPolicies: [{ name: 'none', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] } }] }, 'ExplicitlyDenied'],
  ])('a request that differs in its %s is evaluated on its own', (_, over, expected) => {
    evaluateSync(request());
    const before = evaluationCount();
    expect(evaluateSync(request(over)).result).toBe(expected);
    expect(evaluationCount()).toBe(before + 1);
  });
});
