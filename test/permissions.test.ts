import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { RestoreHandlers, TrapheusRestore, TrapheusRestoreProps } from '../src';
import { tempIdentifier } from '../src/naming';

const DESTRUCTIVE = /^rds:(Create|Delete|Modify|Restore|AddTags|RemoveTags|Reboot|Failover|Stop|Start)/;

function synth(props: TrapheusRestoreProps = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const restore = new TrapheusRestore(stack, 'Restore', props);
  return { stack, restore, template: Template.fromStack(stack) };
}

/** Every policy statement, with the logical id of the role it is attached to. */
function statements(template: Template): { role: string; statement: any }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) =>
    p.Properties.Roles.flatMap((r: any) => p.Properties.PolicyDocument.Statement.map((statement: any) => ({ role: r.Ref as string, statement }))));
}

const actionsOf = (s: any): string[] => [].concat(s.Action);
const text = (v: unknown) => JSON.stringify(v);

describe('least privilege', () => {
  test('restore sources: any snapshot of the account may be restored from; a snapshot of any name created only with the pipeline tag; deletes only by the prefixed pattern', () => {
    const { template } = synth({ allowedIdentifiers: ['orders-db'], snapshotNamePrefix: 'nightly-' });
    const all = statements(template).map((x) => x.statement);
    const reads = all.filter((s) => actionsOf(s).includes('rds:RestoreDBInstanceFromDBSnapshot') && /:snapshot:\*"/.test(text(s.Resource)));
    expect(reads).toHaveLength(1);
    expect(actionsOf(reads[0]).sort()).toEqual(['rds:RestoreDBClusterFromSnapshot', 'rds:RestoreDBInstanceFromDBSnapshot']);
    const named = all.filter((s) => actionsOf(s).includes('rds:CreateDBSnapshot') && /:snapshot:\*"/.test(text(s.Resource)));
    expect(named).toHaveLength(1);
    const [pipelineId] = Object.values(template.findResources('AWS::Lambda::Function')).map((f: any) => f.Properties.Environment?.Variables?.PIPELINE_ID);
    expect(pipelineId).toMatch(/^Stack-Restore-Handlers-/);
    expect(named[0].Condition).toEqual({ StringEquals: { 'aws:RequestTag/trapheus:pipeline': pipelineId } });
    const deletes = all.filter((s) => actionsOf(s).includes('rds:DeleteDBSnapshot'));
    expect(deletes).toHaveLength(1);
    expect(text(deletes[0].Resource)).toMatch(/:snapshot:nightly-orders-db-trapheus-\*"/);
    expect(text(deletes[0].Resource)).not.toMatch(/:snapshot:\*"/);
    const pitr = all.filter((s) => actionsOf(s).includes('rds:RestoreDBInstanceToPointInTime') && /:db:/.test(text(s.Resource)));
    expect(pitr).toHaveLength(1);
    expect(text(pitr[0].Resource)).toMatch(/:db:orders-db"/);
    expect(text(pitr[0].Resource)).not.toMatch(/:db:\*"/);
  });

  test('no destructive RDS action is granted on * without a condition', () => {
    for (const { statement } of statements(synth().template)) {
      if (!actionsOf(statement).some((a) => DESTRUCTIVE.test(a))) continue;
      const resources = [].concat(statement.Resource);
      expect({ statement, star: resources.includes('*' as never) }).toEqual({ statement, star: false });
    }
  });

  test('without allowedIdentifiers, databases are scoped by the trapheus:restorable tag; created ones by the request tags', () => {
    const all = statements(synth().template).map((x) => x.statement);
    const onDatabases = all.filter((s) => actionsOf(s).some((a) => DESTRUCTIVE.test(a)) && /:(db|cluster):\*"/.test(text(s.Resource)));
    expect(onDatabases.length).toBeGreaterThan(3);
    for (const s of onDatabases) {
      // a database a call creates is checked by the tags in the request; an existing one by its own tags
      const creates = actionsOf(s).some((a) => /Restore/.test(a));
      const key = creates ? 'aws:RequestTag/trapheus:restorable' : 'aws:ResourceTag/trapheus:restorable';
      expect({ actions: actionsOf(s), condition: s.Condition }).toEqual({ actions: actionsOf(s), condition: { StringEquals: { [key]: 'true' } } });
    }
    // snapshots: only the pipeline's own names are ever deleted
    const deletes = all.filter((s) => actionsOf(s).includes('rds:DeleteDBSnapshot'));
    expect(deletes).toHaveLength(1);
    expect(text(deletes[0].Resource)).toMatch(/:snapshot:\*-trapheus-\*"/);
  });

  test('with allowedIdentifiers, destructive actions are scoped to those ARNs, their temporary names and their snapshots', () => {
    const all = statements(synth({ allowedIdentifiers: ['orders-db', 'perf-*'] }).template).map((x) => x.statement);
    const deletes = all.filter((s) => actionsOf(s).includes('rds:DeleteDBInstance'));
    expect(deletes).toHaveLength(1);
    const resources = text(deletes[0].Resource);
    expect(resources).toMatch(/:db:orders-db"/);
    expect(resources).toMatch(/:db:orders-db-trapheus-old"/);
    expect(resources).toMatch(/:db:orders-db-trapheus-new"/); // the staging name of Cutover.RESTORE_THEN_SWAP
    expect(resources).toMatch(/:db:perf-\*"/);
    expect(resources).not.toMatch(/:db:\*"/);
    expect(deletes[0].Condition).toBeUndefined();
    const snapshotDeletes = all.filter((s) => actionsOf(s).includes('rds:DeleteDBSnapshot'));
    expect(text(snapshotDeletes[0].Resource)).toMatch(/:snapshot:orders-db-trapheus-\*"/);
  });

  test('a long allowed identifier gets exactly its shortened, hashed temporary name, not a pattern', () => {
    const long = `orders-${'x'.repeat(52)}`;
    const all = statements(synth({ allowedIdentifiers: [long] }).template).map((x) => x.statement);
    const renames = text(all.filter((s) => actionsOf(s).includes('rds:ModifyDBInstance')).map((s) => s.Resource));
    expect(renames).toContain(`:db:${tempIdentifier(long)}"`);
    expect(renames).not.toMatch(/:db:[^"]*\*/);
  });

  test('each handler role holds only the actions it calls: only the delete handler may delete a database', () => {
    const { template } = synth();
    const rolesWith = (action: string) => new Set(statements(template).filter((x) => actionsOf(x.statement).includes(action)).map((x) => x.role));
    expect([...rolesWith('rds:DeleteDBInstance')]).toEqual([expect.stringMatching(/HandlersDelete/)]);
    expect([...rolesWith('rds:DeleteDBCluster')]).toEqual([expect.stringMatching(/HandlersDelete/)]);
    expect([...rolesWith('rds:RestoreDBInstanceFromDBSnapshot')]).toEqual([expect.stringMatching(/HandlersRestore/)]);
    expect([...rolesWith('rds:DeleteDBSnapshot')]).toEqual([expect.stringMatching(/HandlersSnapshot/)]);
    expect(rolesWith('rds:ModifyDBInstance').size).toBe(3); // rename, apply-config, delete (deletion protection)
    // validate-input calls nothing
    expect(statements(template).filter((x) => /ValidateInput/.test(x.role))).toEqual([]);
  });

  test('iam:PassRole only for the RDS monitoring role (or the given roles), only to RDS', () => {
    const passes = (props: TrapheusRestoreProps) => statements(synth(props).template).map((x) => x.statement).filter((s) => actionsOf(s).includes('iam:PassRole'));
    for (const s of passes({})) {
      expect(text(s.Resource)).toMatch(/:role\/rds-monitoring-role"/);
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['monitoring.rds.amazonaws.com', 'rds.amazonaws.com'] } });
    }
    const stack = new Stack(new App(), 'S');
    const role = iam.Role.fromRoleArn(stack, 'R', 'arn:aws:iam::123456789012:role/custom-monitoring');
    new TrapheusRestore(stack, 'Restore', { passableRoles: [role] });
    const custom = statements(Template.fromStack(stack)).map((x) => x.statement).filter((s) => actionsOf(s).includes('iam:PassRole'));
    expect(custom.length).toBeGreaterThan(0);
    for (const s of custom) expect(s.Resource).toBe('arn:aws:iam::123456789012:role/custom-monitoring');
  });

  test('the state machine may invoke only its own functions', () => {
    const { template } = synth();
    const invokes = statements(template).filter((x) => actionsOf(x.statement).includes('lambda:InvokeFunction'));
    expect(invokes.length).toBeGreaterThan(0);
    for (const { role, statement } of invokes) {
      expect(role).toMatch(/StateMachineRole/);
      expect(text(statement.Resource)).not.toMatch(/"\*"/);
      for (const r of [].concat(statement.Resource) as any[]) expect(text(r)).toMatch(/Handlers\w+|Fn::GetAtt/);
    }
  });

  test.each([
    [[], /^TrapheusRestore Stack\/Restore: allowedIdentifiers is empty/],
    [['*'], /^TrapheusRestore Stack\/Restore: allowedIdentifiers: "\*" would allow every database/],
    [['Orders'], /^TrapheusRestore Stack\/Restore: allowedIdentifiers: "Orders" is not a valid RDS identifier/],
    [['or*ders'], /^TrapheusRestore Stack\/Restore: allowedIdentifiers: "or\*ders" may contain \* only at the end/],
  ])('refuses allowedIdentifiers %j at synth', (allowedIdentifiers, why) => {
    expect(() => synth({ allowedIdentifiers })).toThrow(why);
  });
});

describe('allowedIdentifiers with tokens', () => {
  /** A stack with an RDS DB instance, and a TrapheusRestore allowed to restore it by its (deploy-time) identifier. */
  function withDatabase(allowed: (db: rds.DatabaseInstance) => string[]) {
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const db = new rds.DatabaseInstance(stack, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      vpc: new ec2.Vpc(stack, 'Vpc'),
    });
    new TrapheusRestore(stack, 'Restore', { allowedIdentifiers: allowed(db) });
    const template = Template.fromStack(stack);
    return { template, dbRef: stack.getLogicalId(db.node.defaultChild as rds.CfnDBInstance) };
  }

  /** A template value as the string CloudFormation makes of it, with `identifier` for the DB instance's Ref. */
  function deployed(value: unknown, dbRef: string, identifier: string): string {
    const render = (v: any): string => {
      if (typeof v === 'string') return v;
      if (v.Ref === dbRef) return identifier;
      if (v.Ref) return `<${v.Ref}>`;
      if (v['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
      throw new Error(`unexpected ${JSON.stringify(v)}`);
    };
    return render(value);
  }

  test('db.instanceIdentifier of a DB instance in the same stack is accepted: the ARNs and the pre-flight\'s list carry its deployed value', () => {
    const { template, dbRef } = withDatabase((db) => [db.instanceIdentifier, 'perf-*']);
    const all = statements(template).map((x) => x.statement);
    const [del] = all.filter((s) => actionsOf(s).includes('rds:DeleteDBInstance'));
    const resources = [].concat(del.Resource).map((r) => deployed(r, dbRef, 'orders-db'));
    const arn = 'arn:<AWS::Partition>:rds:eu-west-1:123456789012';
    expect(resources).toEqual(expect.arrayContaining([
      `${arn}:db:orders-db`, `${arn}:db:orders-db-trapheus-old`, `${arn}:db:orders-db-trapheus-new`, `${arn}:db:perf-*`,
    ]));
    expect(resources.filter((r) => r.includes('*'))).toEqual([`${arn}:db:perf-*`, `${arn}:cluster:perf-*`]);
    const [snapshotDelete] = all.filter((s) => actionsOf(s).includes('rds:DeleteDBSnapshot'));
    expect([].concat(snapshotDelete.Resource).map((r) => deployed(r, dbRef, 'orders-db'))).toContain(`${arn}:snapshot:orders-db-trapheus-*`);
    const [capture] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: 'lambda-src/capture.lambda.ts' } }));
    const env = deployed(capture.Properties.Environment.Variables.ALLOWED_IDENTIFIERS, dbRef, 'orders-db');
    expect(JSON.parse(env)).toEqual(['orders-db', 'perf-*']);
    // which entries were deploy-time values: the pre-flight refuses one too long for plain temporary names
    const deployTime = deployed(capture.Properties.Environment.Variables.DEPLOY_TIME_IDENTIFIERS, dbRef, 'orders-db');
    expect(JSON.parse(deployTime)).toEqual(['orders-db']);
  });

  test('a token that resolves to a string at synth is checked, and used, like a literal', () => {
    expect(() => synth({ allowedIdentifiers: [Lazy.string({ produce: () => 'Orders' })] }))
      .toThrow(/^TrapheusRestore Stack\/Restore: allowedIdentifiers: "Orders" is not a valid RDS identifier: it has uppercase letters/);
    const { template } = synth({ allowedIdentifiers: [Lazy.string({ produce: () => 'reports-*' })] });
    const [del] = statements(template).map((x) => x.statement).filter((s) => actionsOf(s).includes('rds:DeleteDBInstance'));
    expect(text(del.Resource)).toMatch(/:db:reports-\*"/);
    expect(text(del.Resource)).not.toMatch(/trapheus-old/); // a prefix covers its temporary names itself
  });

  test('a prefix built from a token is refused: its value is known only at deploy time, and an empty one would allow every database', () => {
    expect(() => withDatabase((db) => ['orders-db', `${db.instanceIdentifier}*`]))
      .toThrow(/^TrapheusRestore Stack\/Restore: allowedIdentifiers\[1\] is a prefix \(ending in \*\) built from a token: write prefixes as literal strings/);
  });

  test('RestoreHandlers on its own names its own path in the error', () => {
    const stack = new Stack(new App(), 'Stack');
    expect(() => new RestoreHandlers(stack, 'Handlers', { allowedIdentifiers: ['Orders'] }))
      .toThrow(/^RestoreHandlers Stack\/Handlers: allowedIdentifiers: "Orders" is not a valid RDS identifier/);
  });
});

describe('KMS keys RDS uses for the pipeline', () => {
  const kmsStatements = (template: Template) => statements(template).filter((x) => actionsOf(x.statement).some((a) => a.startsWith('kms:')));

  test('kms:CreateGrant and kms:DescribeKey only for the restore and apply-config roles, only through RDS in the stack\'s Region, grants only for AWS resources', () => {
    const found = kmsStatements(synth().template);
    expect(new Set(found.map((x) => x.role.replace(/ServiceRole\w+$/, '')))).toEqual(new Set(['RestoreHandlersRestore', 'RestoreHandlersApplyConfig']));
    for (const { statement } of found) {
      expect(text(statement.Resource)).toMatch(/":kms:eu-west-1:123456789012:key\/\*"/);
      expect(statement.Condition.StringEquals).toEqual({ 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' });
    }
    expect(found.map((x) => actionsOf(x.statement)).flat().sort()).toEqual(['kms:CreateGrant', 'kms:CreateGrant', 'kms:DescribeKey', 'kms:DescribeKey']);
    for (const { statement } of found.filter((x) => actionsOf(x.statement).includes('kms:CreateGrant'))) {
      expect(statement.Condition.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
    }
  });

  test('in an environment-agnostic stack, kms:ViaService names the deployment Region', () => {
    const stack = new Stack(new App(), 'S');
    new TrapheusRestore(stack, 'Restore');
    const found = kmsStatements(Template.fromStack(stack));
    expect(found).toHaveLength(4);
    for (const { statement } of found) {
      expect(statement.Condition.StringEquals['kms:ViaService']).toEqual({ 'Fn::Join': ['', ['rds.', { Ref: 'AWS::Region' }, '.amazonaws.com']] });
    }
  });

  test('encryptionKeys: only those keys', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new TrapheusRestore(stack, 'Restore', { encryptionKeys: [key] });
    const found = kmsStatements(Template.fromStack(stack));
    expect(found).toHaveLength(4);
    for (const { statement } of found) expect(statement.Resource).toBe('arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  });

  test('refuses an empty encryptionKeys at synth', () => {
    expect(() => synth({ encryptionKeys: [] })).toThrow(/^TrapheusRestore Stack\/Restore: encryptionKeys is empty: list the KMS keys/);
  });
});
