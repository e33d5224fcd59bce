import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TrapheusRestore, TrapheusRestoreProps } from '../src';

/** restoreManagedMasterPassword: what it grants, to whom, and only with the prop. */
function synth(props: (stack: Stack) => TrapheusRestoreProps = () => ({})) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const restore = new TrapheusRestore(stack, 'Restore', props(stack));
  return { stack, restore, template: Template.fromStack(stack) };
}

/** Every policy statement, with the logical id of the role it is attached to. */
function statements(template: Template): { role: string; statement: any }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) =>
    p.Properties.Roles.flatMap((r: any) => p.Properties.PolicyDocument.Statement.map((statement: any) => ({ role: r.Ref as string, statement }))));
}
const actionsOf = (s: any): string[] => [].concat(s.Action);
const touchesSecrets = (s: any) => actionsOf(s).some((a) => a.startsWith('secretsmanager:Create') || a === 'secretsmanager:TagResource');
const viaSecretsManager = (s: any) => JSON.stringify(s.Condition ?? {}).includes('secretsmanager.eu-west-1.amazonaws.com');
const applyConfigRole = (template: Template) => {
  const [fn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.includes('ApplyConfig'));
  return { id: fn[0], role: fn[1].Properties.Role['Fn::GetAtt'][0] as string, env: fn[1].Properties.Environment?.Variables ?? {} };
};

test('without the prop: no function may create secrets or use keys through Secrets Manager, and the handler is not asked to', () => {
  const { template } = synth();
  const all = statements(template).map((x) => x.statement);
  expect(all.filter(touchesSecrets)).toEqual([]);
  expect(all.filter(viaSecretsManager)).toEqual([]);
  expect(applyConfigRole(template).env.RESTORE_MANAGED_MASTER_PASSWORD).toBeUndefined();
});

test('with the prop: only the settings function, CreateSecret and TagResource on rds! secrets, the keys only through Secrets Manager', () => {
  const { template } = synth(() => ({ restoreManagedMasterPassword: true }));
  const apply = applyConfigRole(template);
  expect(apply.env.RESTORE_MANAGED_MASTER_PASSWORD).toBe('true');
  const found = statements(template).filter((x) => touchesSecrets(x.statement) || viaSecretsManager(x.statement));
  expect(new Set(found.map((x) => x.role))).toEqual(new Set([apply.role]));
  const secrets = found.find((x) => touchesSecrets(x.statement))!.statement;
  expect(actionsOf(secrets).sort()).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:TagResource']);
  expect(JSON.stringify(secrets.Resource)).toContain(':secretsmanager:eu-west-1:123456789012:secret:rds!*');
  const keys = found.find((x) => viaSecretsManager(x.statement))!.statement;
  expect(actionsOf(keys).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  expect(keys.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } });
  expect(JSON.stringify(keys.Resource)).toContain(':kms:eu-west-1:123456789012:key/*');
  // RDS User Guide, "Password management with Amazon RDS and AWS Secrets Manager", required permissions:
  // kms:DescribeKey to turn it on, kms:CreateGrant for a customer managed key; only through RDS or Secrets Manager
  const via = ['rds.eu-west-1.amazonaws.com', 'secretsmanager.eu-west-1.amazonaws.com'];
  const describe = found.find((x) => actionsOf(x.statement).includes('kms:DescribeKey'))!.statement;
  expect(describe.Condition).toEqual({ StringEquals: { 'kms:ViaService': via } });
  const grant = found.find((x) => actionsOf(x.statement).includes('kms:CreateGrant'))!.statement;
  expect(grant.Condition).toEqual({ StringEquals: { 'kms:ViaService': via }, Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  expect(JSON.stringify(grant.Resource)).toContain(':kms:eu-west-1:123456789012:key/*');
  expect(found).toHaveLength(4);
});

test('with the prop and encryptionKeys: the keys are only those listed', () => {
  let key!: kms.Key;
  const { stack, template } = synth((s) => {
    key = new kms.Key(s, 'DbKey');
    return { restoreManagedMasterPassword: true, encryptionKeys: [key] };
  });
  const keys = statements(template).map((x) => x.statement).find(viaSecretsManager)!;
  expect(keys.Resource).toEqual(stack.resolve(key.keyArn));
});
