import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RestoreTask, TrapheusRestore, TrapheusRestoreProps } from '../src';

function synth(props: (stack: Stack) => TrapheusRestoreProps, nag = false) {
  const stack = new Stack(new App(), 'Export', { env: { account: '123456789012', region: 'us-east-1' } });
  const restore = new TrapheusRestore(stack, 'Restore', props(stack));
  if (nag) Aspects.of(stack).add(new AwsSolutionsChecks());
  return { stack, restore, template: Template.fromStack(stack).toJSON() };
}

const withExport = (prefix?: string) => (stack: Stack): TrapheusRestoreProps => ({
  exportTo: {
    bucket: new s3.Bucket(stack, 'Exports', { enforceSSL: true }),
    key: new kms.Key(stack, 'ExportKey', { enableKeyRotation: true }),
    ...(prefix !== undefined ? { prefix } : {}),
  },
});

/** Every statement of the policies attached to the role with this logical id. */
function statementsOf(template: any, roleId: string): any[] {
  return Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const idOf = (template: any, type: string, match: (r: any) => boolean) =>
  Object.keys(template.Resources).find((id) => template.Resources[id].Type === type && match(template.Resources[id]))!;
const roleOfFunction = (template: any, description: string) =>
  template.Resources[idOf(template, 'AWS::Lambda::Function', (r) => r.Properties.Description === description)].Properties.Role['Fn::GetAtt'][0];
const actions = (s: any) => [s.Action].flat();

describe('export role: least privilege', () => {
  const { template } = synth(withExport());
  const bucket = idOf(template, 'AWS::S3::Bucket', () => true);
  const key = idOf(template, 'AWS::KMS::Key', () => true);
  const roleId = idOf(template, 'AWS::IAM::Role', (r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('export.rds.amazonaws.com'));

  test('trusted by export.rds.amazonaws.com only', () => {
    expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'export.rds.amazonaws.com' } },
    ]);
    expect(template.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the S3 actions of the RDS user guide on the bucket and <prefix>/* only; encrypt and decrypt with the key only', () => {
    const statements = statementsOf(template, roleId);
    expect(statements).toEqual([
      { Action: ['s3:ListBucket', 's3:GetBucketLocation'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } },
      {
        Action: ['s3:PutObject*', 's3:GetObject*', 's3:DeleteObject*'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/trapheus-exports/*']] },
      },
      {
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
      },
    ]);
  });

  test('a given prefix scopes the objects to it', () => {
    const t = synth(withExport('exports/orders')).template;
    const objects = statementsOf(t, idOf(t, 'AWS::IAM::Role', (r) => JSON.stringify(r).includes('export.rds.amazonaws.com')))
      .find((s) => actions(s).includes('s3:PutObject*'));
    expect(objects.Resource['Fn::Join'][1][1]).toBe('/exports/orders/*');
  });

  test('the export handler: StartExportTask on snapshots, the export role passed to export.rds only, CreateGrant (AWS resources) and DescribeKey on the key only', () => {
    const statements = statementsOf(template, roleOfFunction(template, 'lambda-src/export.lambda.ts'));
    const rds = (type: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:us-east-1:123456789012:${type}:*`]] });
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'rds:StartExportTask', Effect: 'Allow', Resource: [rds('snapshot'), rds('cluster-snapshot')] },
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'export.rds.amazonaws.com' } },
      },
      { Action: 'kms:DescribeKey', Effect: 'Allow', Resource: { 'Fn::GetAtt': [key, 'Arn'] } },
      { Action: 'kms:CreateGrant', Effect: 'Allow', Resource: { 'Fn::GetAtt': [key, 'Arn'] }, Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
    ]));
    // nothing else may change anything: the other actions are reads
    const others = statementsOf(template, roleOfFunction(template, 'lambda-src/export.lambda.ts'))
      .flatMap(actions).filter((a) => !['rds:StartExportTask', 'iam:PassRole', 'kms:DescribeKey', 'kms:CreateGrant'].includes(a));
    expect(others.every((a: string) => /^(rds:Describe|xray:Put|logs:)/.test(a))).toBe(true);
  });

  test('no other function may start an export or pass the export role; the status check may describe exports', () => {
    const exportRole = roleOfFunction(template, 'lambda-src/export.lambda.ts');
    const others = Object.values<any>(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Role['Fn::GetAtt'][0] !== exportRole)
      .map((r) => statementsOf(template, r.Properties.Role['Fn::GetAtt'][0]));
    for (const statements of others) {
      expect(statements.flatMap(actions)).not.toContain('rds:StartExportTask');
      expect(statements.filter((s) => JSON.stringify(s.Resource ?? '').includes(roleId))).toEqual([]);
    }
    expect(statementsOf(template, roleOfFunction(template, 'lambda-src/check-status.lambda.ts')).flatMap(actions)).toContain('rds:DescribeExportTasks');
  });

  test('the validator knows exports are on; both branches route export_snapshot', () => {
    const validator = template.Resources[idOf(template, 'AWS::Lambda::Function', (r) => r.Properties.Description === 'lambda-src/validate-input.lambda.ts')];
    expect(validator.Properties.Environment.Variables.EXPORT_BUCKET).toEqual({ Ref: bucket });
    const definition = JSON.stringify(template.Resources[idOf(template, 'AWS::StepFunctions::StateMachine', () => true)].Properties.DefinitionString);
    expect(definition).toContain('Start the snapshot export to S3');
    expect(definition).toContain('Start the cluster snapshot export to S3');
  });
});

describe('without exportTo', () => {
  test('no export role, no export function, no export states; the validator refuses export_snapshot (no EXPORT_BUCKET)', () => {
    const { template } = synth(() => ({}));
    expect(JSON.stringify(template)).not.toContain('export.rds.amazonaws.com');
    expect(JSON.stringify(template)).not.toContain('export.lambda.ts');
    expect(JSON.stringify(template)).not.toContain('EXPORT_BUCKET');
    expect(JSON.stringify(template)).not.toContain('export_snapshot');
  });

  test('a schedule target with export_snapshot fails synth, naming the prop', () => {
    expect(() => synth(() => ({
      schedules: [{
        schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '8' }),
        targets: [{ identifier: 'orders-db', task: RestoreTask.EXPORT_SNAPSHOT }],
      }],
    }))).toThrow('schedules: orders-db export_snapshot, but exportTo is not set: give exportTo ({ bucket, prefix, key })');
  });
});

describe('exportTo.prefix', () => {
  test.each([
    ['exports:orders', 'contains a colon, which exports to S3 don\'t support'],
    ['/exports', 'must not start or end with "/": write it as "exports"'],
    ['exports/', 'must not start or end with "/": write it as "exports"'],
    ['', 'is empty'],
    ['exp*', 'contains "*"'],
  ])('"%s" fails synth: %s', (prefix, message) => {
    expect(() => synth(withExport(prefix))).toThrow(message);
  });
});

test.each([
  ['a bucket of the stack', withExport()],
  ['an imported bucket, a prefix', (stack: Stack): TrapheusRestoreProps => ({
    exportTo: { bucket: s3.Bucket.fromBucketName(stack, 'Exports', 'orders-exports'), prefix: 'exports/orders', key: new kms.Key(stack, 'Key', { enableKeyRotation: true }) },
  })],
])('cdk-nag AwsSolutions with exportTo (%s): zero unsuppressed errors or warnings from the construct', (_, props) => {
  const { stack } = synth(props, true);
  const findings = [
    ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].filter((f) => f.id.startsWith('/Export/Restore/'))
    .map((f) => `${f.id}: ${String(f.entry.data).split(': ')[0]}`);
  expect(findings).toEqual([]);
});

describe('export task identifiers', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { exportTaskIdentifier } = require('../lambda-src/rds/exports') as typeof import('../lambda-src/rds/exports');
  test('<identifier>-export-<execution start>, valid for RDS (1 to 60 letters, digits, hyphens, a letter first), distinct for long identifiers', () => {
    expect(exportTaskIdentifier('orders-db', '2026-01-09T08:00:00.000Z')).toBe('orders-db-export-20260109-080000');
    const a = exportTaskIdentifier(`a${'b'.repeat(62)}`, '2026-01-09T08:00:00Z');
    const b = exportTaskIdentifier(`a${'b'.repeat(61)}c`, '2026-01-09T08:00:00Z');
    for (const id of [a, b]) expect(id).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,59}$/);
    expect(a).not.toBe(b);
    expect(a.endsWith('-export-20260109-080000')).toBe(true);
  });
});
