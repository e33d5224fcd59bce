/**
 * The IAM check (test/sim/iam-check.ts) itself: what it reads from the
 * template, how it builds each call's request context, and that IAM — not only
 * the pipeline's pre-flight check — refuses what the policies do not allow.
 */
import { RDSClient, RestoreDBClusterFromSnapshotCommand } from '@aws-sdk/client-rds';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TrapheusRestoreProps } from '../src';
import { AwsCall, setCaller } from './sim/aws-calls';
import { CLUSTER_KMS_KEY, fullyConfiguredCluster, fullyConfiguredInstance, RESTORABLE } from './sim/fixtures';
import { describeDenials, functionRoles, IamCheck, SIM_AWS_RDS_KEY } from './sim/iam-check';
import { authorizationsFor } from './sim/iam-resources';
import { RdsSimulator } from './sim/rds-sim';
import { ACCOUNT, buildStack, definitionFrom, REGION } from './sim/run-pipeline';

const ARN = `arn:aws:rds:${REGION}:${ACCOUNT}`;

/** A synthesized pipeline under the IAM check, with an in-memory RDS. */
class Checked {
  readonly template: any;
  readonly definition: ReturnType<typeof definitionFrom>;
  readonly sim = new RdsSimulator();
  readonly iam: IamCheck;
  private remove?: () => void;

  constructor(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}) {
    const { stack } = buildStack(props);
    this.template = Template.fromStack(stack).toJSON();
    this.definition = definitionFrom(stack);
    this.iam = new IamCheck(this.template, { rds: () => this.sim, awsManagedKeys: [SIM_AWS_RDS_KEY] });
  }

  install(): this {
    this.sim.install();
    this.remove = this.iam.install();
    return this;
  }

  uninstall(): void {
    this.remove?.();
    this.sim.uninstall();
  }

  /** The logical id of the function running `lambda-src/<name>.lambda.ts`. */
  fn(name: string): string {
    const found = [...this.definition.functions.values()].find((f) => f.module.endsWith(`/lambda-src/${name}.lambda`));
    if (!found) throw new Error(`no function for ${name}`);
    return found.logicalId;
  }

  /** Run the handler of `name` as its function (environment and IAM caller), bypassing the state machine. */
  async invoke(name: string, event: unknown): Promise<any> {
    const fn = [...this.definition.functions.values()].find((f) => f.logicalId === this.fn(name))!;
    const saved = { ...process.env };
    Object.assign(process.env, fn.env, { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'ASIASIMULATED', AWS_SECRET_ACCESS_KEY: 'simulated' });
    setCaller(fn.logicalId);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return await require(fn.module).handler(event);
    } finally {
      setCaller(undefined);
      process.env = saved;
    }
  }

  /** Whether IAM allows `call` made by the function of `name` (the denial, if any, is taken). */
  allows(name: string, call: Omit<AwsCall, 'caller'>): boolean {
    try {
      this.iam.check({ ...call, caller: this.fn(name) });
      return true;
    } catch (err) {
      if (!/^(AccessDenied|AccessDeniedException|AuthorizationError)$/.test((err as Error).name)) throw err;
      this.iam.takeDenials();
      return false;
    }
  }
}

let checked: Checked | undefined;
afterEach(() => {
  checked?.uninstall();
  checked = undefined;
});

function withChecker(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}): Checked {
  checked = new Checked(props).install();
  return checked;
}

describe('the policies it checks against', () => {
  test('are each function\'s role policies from the template, with CloudFormation values resolved as the runner resolves them', () => {
    const c = new Checked();
    const roles = functionRoles(c.template);
    const lock = roles.get(c.fn('lock'))!;
    const text = JSON.stringify(lock.policies);
    // the table's Fn::GetAtt Arn, as the runner gives the function its table; AWS::NoValue dropped
    expect(text).toMatch(new RegExp(`"arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/RestoreHandlersLockTable\\w+"`));
    expect(text).not.toMatch(/NoValue|Fn::|"Ref"/);
    expect(lock.principal).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/RestoreHandlersLockServiceRole\\w+/${c.fn('lock')}$`));
    // the AWS managed execution policy is included, by its document
    expect(lock.policies.map((p) => p.name)).toContain('AWSLambdaBasicExecutionRole');
  });

  test('SIM_AWS_RDS_KEY is the key the RDS simulator encrypts with when none is given (aws/rds)', () => {
    const sim = new RdsSimulator();
    expect(sim.addInstance({ DBInstanceIdentifier: 'plain', Engine: 'postgres', StorageEncrypted: true }).KmsKeyId).toBe(SIM_AWS_RDS_KEY);
  });
});

describe('the request context of a call', () => {
  const env = { region: REGION, account: ACCOUNT, awsManagedKeys: [] };

  test('RestoreDBInstanceFromDBSnapshot: the new DB, its option, parameter and subnet groups (defaults when unnamed), the snapshot, and the tags', () => {
    const sim = new RdsSimulator();
    sim.addInstance(fullyConfiguredInstance('orders-db'));
    sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-trapheus-1', DBInstanceIdentifier: 'orders-db' });
    const auths = authorizationsFor({
      service: 'rds',
      action: 'RestoreDBInstanceFromDBSnapshot',
      input: { DBInstanceIdentifier: 'orders-db', DBSnapshotIdentifier: 'orders-db-trapheus-1', DBSubnetGroupName: 'orders-private', Tags: [RESTORABLE] },
    }, env, sim);
    expect(auths.map((a) => `${a.action} ${a.resource}`).sort()).toEqual([
      `rds:AddTagsToResource ${ARN}:db:orders-db`,
      `rds:RestoreDBInstanceFromDBSnapshot ${ARN}:db:orders-db`,
      `rds:RestoreDBInstanceFromDBSnapshot ${ARN}:og:default:postgres-16`,
      `rds:RestoreDBInstanceFromDBSnapshot ${ARN}:pg:default.postgres16`,
      `rds:RestoreDBInstanceFromDBSnapshot ${ARN}:snapshot:orders-db-trapheus-1`,
      `rds:RestoreDBInstanceFromDBSnapshot ${ARN}:subgrp:orders-private`,
    ]);
    const db = auths.find((a) => a.action === 'rds:RestoreDBInstanceFromDBSnapshot' && a.resource.endsWith(':db:orders-db'))!;
    expect(db.context).toMatchObject({ 'aws:RequestTag/trapheus:restorable': 'true', 'aws:TagKeys': ['trapheus:restorable'] });
    // the snapshot's own tags are its resource tags
    const snapshot = auths.find((a) => a.resource.endsWith(':snapshot:orders-db-trapheus-1'))!;
    expect(Object.keys(snapshot.context).filter((k) => k.startsWith('aws:ResourceTag/'))).toEqual(
      sim.snapshot('orders-db-trapheus-1')!.TagList!.map((t) => `aws:ResourceTag/${t.Key}`));
  });

  test('the tags of an existing resource are read when the call is made', () => {
    const sim = new RdsSimulator();
    sim.addInstance(fullyConfiguredInstance('orders-db'));
    const call: AwsCall = { service: 'rds', action: 'DeleteDBInstance', input: { DBInstanceIdentifier: 'orders-db', SkipFinalSnapshot: true } };
    expect(authorizationsFor(call, env, sim)[0].context['aws:ResourceTag/trapheus:restorable']).toBe('true');
    expect(authorizationsFor({ ...call, input: { DBInstanceIdentifier: 'gone', SkipFinalSnapshot: true } }, env, sim)[0].context).toEqual({});
  });

  test('a KMS call RDS makes for the caller carries kms:ViaService and kms:GrantIsForAWSResource', () => {
    const [grant] = authorizationsFor({ service: 'kms', action: 'CreateGrant', via: 'rds', input: { KeyId: 'abcd-1234' } }, env, undefined);
    expect(grant).toMatchObject({
      action: 'kms:CreateGrant',
      resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/abcd-1234`,
      context: { 'kms:ViaService': `rds.${REGION}.amazonaws.com`, 'kms:GrantIsForAWSResource': 'true', 'kms:CallerAccount': ACCOUNT },
    });
  });
});

describe('scoped by allowedIdentifiers', () => {
  test('an allowed identifier (and its temporary name) may be renamed', () => {
    const c = withChecker({ allowedIdentifiers: ['orders-db'] });
    c.sim.addInstance(fullyConfiguredInstance('orders-db', { TagList: [] }));
    expect(c.allows('rename', { service: 'rds', action: 'ModifyDBInstance', input: { DBInstanceIdentifier: 'orders-db', NewDBInstanceIdentifier: 'orders-db-trapheus-old' } })).toBe(true);
  });

  test('an identifier outside the allow-list is denied by IAM itself: the rename handler, run directly, is refused', async () => {
    const c = withChecker({ allowedIdentifiers: ['orders-db'] });
    const db = c.sim.addInstance(fullyConfiguredInstance('payroll-db'));
    const renaming = c.invoke('rename', { op: 'forward', identifier: 'payroll-db', resourceId: db.DbiResourceId });
    await expect(renaming).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(renaming).rejects.toThrow(`is not authorized to perform: rds:ModifyDBInstance on resource: ${ARN}:db:payroll-db`);
    const denials = c.iam.takeDenials();
    expect(denials).toEqual([expect.objectContaining({ caller: c.fn('rename'), action: 'rds:ModifyDBInstance', resource: `${ARN}:db:payroll-db` })]);
    expect(describeDenials(denials)).toContain(`${c.fn('rename')}: rds:ModifyDBInstance on ${ARN}:db:payroll-db denied`);
    // the instance was not renamed
    expect(c.sim.instance('payroll-db')?.DbiResourceId).toBe(db.DbiResourceId);
  });
});

describe('scoped by the trapheus:restorable tag', () => {
  test('a tagged database may be renamed; the tag is read from the database when the call is made', () => {
    const c = withChecker();
    c.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const rename = { service: 'rds' as const, action: 'ModifyDBInstance', input: { DBInstanceIdentifier: 'orders-db', NewDBInstanceIdentifier: 'orders-db-trapheus-old' } };
    expect(c.allows('rename', rename)).toBe(true);
    c.sim.addInstance(fullyConfiguredInstance('billing-db', { TagList: [{ ...RESTORABLE, Value: 'True' }] }));
    // IAM's StringEquals is case-sensitive
    expect(c.allows('rename', { ...rename, input: { DBInstanceIdentifier: 'billing-db', NewDBInstanceIdentifier: 'billing-db-trapheus-old' } })).toBe(false);
  });

  test('an untagged database is denied by IAM itself: the rename handler, run directly, is refused', async () => {
    const c = withChecker();
    const db = c.sim.addInstance(fullyConfiguredInstance('payroll-db', { TagList: [{ Key: 'team', Value: 'payroll' }] }));
    const renaming = c.invoke('rename', { op: 'forward', identifier: 'payroll-db', resourceId: db.DbiResourceId });
    await expect(renaming).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(renaming).rejects.toThrow(new RegExp(`User: arn:aws:sts::${ACCOUNT}:assumed-role/\\w+/${c.fn('rename')} is not authorized to perform: rds:ModifyDBInstance on resource: ${ARN}:db:payroll-db`));
    expect(c.iam.takeDenials()).toEqual([expect.objectContaining({ caller: c.fn('rename'), action: 'rds:ModifyDBInstance', resource: `${ARN}:db:payroll-db` })]);
    // RDS never acted on it: the one call it saw was refused
    expect(c.sim.mutatingCalls().map((x) => `${x.command} ${x.error}`)).toEqual(['ModifyDBInstance AccessDenied']);
    expect(c.sim.instance('payroll-db')?.PendingModifiedValues?.DBInstanceIdentifier).toBeUndefined();
  });

  test('a restore must carry the tag in its request (aws:RequestTag), for the restore and for tagging on create', () => {
    const c = withChecker();
    c.sim.addInstance(fullyConfiguredInstance('orders-db'));
    c.sim.addSnapshot({ DBSnapshotIdentifier: 'orders-db-trapheus-1', DBInstanceIdentifier: 'orders-db' });
    const restore = (Tags: object[]) => ({
      service: 'rds' as const,
      action: 'RestoreDBInstanceFromDBSnapshot',
      input: { DBInstanceIdentifier: 'orders-db-restored', DBSnapshotIdentifier: 'orders-db-trapheus-1', Tags },
    });
    expect(c.allows('restore', restore([RESTORABLE, { Key: 'team', Value: 'orders' }]))).toBe(true);
    expect(c.allows('restore', restore([{ Key: 'team', Value: 'orders' }]))).toBe(false);
  });
});

describe('a final snapshot on delete (issue 8, finding 3)', () => {
  const FINAL = 'orders-db-trapheus-final-20260102-080000';
  const deleteWithFinalSnapshot = {
    service: 'rds' as const,
    action: 'DeleteDBInstance',
    input: { DBInstanceIdentifier: 'orders-db-trapheus-old', FinalDBSnapshotIdentifier: FINAL, DeleteAutomatedBackups: false },
  };

  test('is authorized as rds:CreateDBSnapshot on the DB instance and the snapshot, and as tagging the snapshot when tags are copied', () => {
    const sim = new RdsSimulator();
    sim.addInstance(fullyConfiguredInstance('orders-db-trapheus-old'));
    const auths = authorizationsFor(deleteWithFinalSnapshot, { region: REGION, account: ACCOUNT, awsManagedKeys: [] }, sim);
    expect(auths.map((a) => `${a.action} ${a.resource}`)).toEqual([
      `rds:DeleteDBInstance ${ARN}:db:orders-db-trapheus-old`,
      `rds:CreateDBSnapshot ${ARN}:db:orders-db-trapheus-old`,
      `rds:CreateDBSnapshot ${ARN}:snapshot:${FINAL}`,
      `rds:AddTagsToResource ${ARN}:snapshot:${FINAL}`, // the fixture copies tags to snapshots
    ]);
  });

  test.each([
    ['the trapheus:restorable tag', {}],
    ['allowedIdentifiers', { allowedIdentifiers: ['orders-db'] }],
  ])('DeleteDBInstance with a final snapshot is allowed to the delete function (scoped by %s)', (_, props) => {
    const c = withChecker(props);
    c.sim.addInstance(fullyConfiguredInstance('orders-db-trapheus-old'));
    expect(c.allows('delete', deleteWithFinalSnapshot)).toBe(true);
    // ...and only for a database in scope
    c.sim.addInstance(fullyConfiguredInstance('payroll-db-trapheus-old', { TagList: [] }));
    expect(c.allows('delete', { ...deleteWithFinalSnapshot, input: { ...deleteWithFinalSnapshot.input, DBInstanceIdentifier: 'payroll-db-trapheus-old' } })).toBe(false);
  });

  test.each([
    ['the trapheus:restorable tag', {}],
    ['allowedIdentifiers', { allowedIdentifiers: ['orders-aurora'] }],
  ])('DeleteDBCluster with a final snapshot (a required cluster-snapshot resource) is allowed to the delete function (scoped by %s)', (_, props) => {
    const c = withChecker(props);
    c.sim.addCluster(fullyConfiguredCluster('orders-aurora-trapheus-old'));
    expect(c.allows('delete', {
      service: 'rds',
      action: 'DeleteDBCluster',
      input: { DBClusterIdentifier: 'orders-aurora-trapheus-old', FinalDBSnapshotIdentifier: 'orders-aurora-trapheus-final-20260102-080000', DeleteAutomatedBackups: false },
    })).toBe(true);
  });
});

describe('KMS keys RDS uses for the caller (issue 8, finding 2)', () => {
  const viaRds = (action: string, KeyId: string) => ({ service: 'kms' as const, action, via: 'rds' as const, input: { KeyId } });
  const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-8888-7777-6666-555555555555`;

  test.each(['restore', 'apply-config'])('kms:CreateGrant and kms:DescribeKey through RDS on a customer managed key are allowed to the %s function', (fn) => {
    const c = withChecker();
    expect(c.allows(fn, viaRds('CreateGrant', CLUSTER_KMS_KEY))).toBe(true);
    expect(c.allows(fn, viaRds('DescribeKey', CLUSTER_KMS_KEY))).toBe(true);
  });

  test('only through RDS, only for AWS resources, and only to the functions that restore, create members or modify', () => {
    const c = withChecker();
    // the same call made directly (no kms:ViaService)
    expect(c.allows('restore', { service: 'kms', action: 'CreateGrant', input: { KeyId: CLUSTER_KMS_KEY } })).toBe(false);
    for (const fn of ['rename', 'delete', 'snapshot', 'capture', 'check-status']) expect(c.allows(fn, viaRds('CreateGrant', CLUSTER_KMS_KEY))).toBe(false);
  });

  test('encryptionKeys narrows them to the given keys; the AWS managed aws/rds key needs no grant (its key policy allows use through RDS)', () => {
    const c = withChecker((stack) => ({ encryptionKeys: [kms.Key.fromKeyArn(stack, 'OrdersKey', CLUSTER_KMS_KEY)] }));
    expect(c.allows('restore', viaRds('CreateGrant', CLUSTER_KMS_KEY))).toBe(true);
    expect(c.allows('restore', viaRds('CreateGrant', OTHER_KEY))).toBe(false);
    expect(c.allows('apply-config', viaRds('DescribeKey', OTHER_KEY))).toBe(false);
    expect(c.allows('restore', viaRds('CreateGrant', SIM_AWS_RDS_KEY))).toBe(true);
  });

  test('a key made in the same stack can be given', () => {
    const c = withChecker((stack) => ({ encryptionKeys: [new kms.Key(stack, 'DatabaseKey')] }));
    const key = [...Object.entries<any>(c.template.Resources)].find(([, r]) => r.Type === 'AWS::KMS::Key')![0];
    expect(c.allows('restore', viaRds('CreateGrant', `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key}`))).toBe(true);
    expect(c.allows('restore', viaRds('CreateGrant', CLUSTER_KMS_KEY))).toBe(false);
  });
});

describe('KMS through the simulator: RDS asks KMS with the caller\'s credentials', () => {
  const restoreCluster = (c: Checked) => {
    c.sim.addCluster(fullyConfiguredCluster('orders-aurora'));
    c.sim.addClusterSnapshot({ DBClusterSnapshotIdentifier: 'orders-aurora-trapheus-1', DBClusterIdentifier: 'orders-aurora' });
    setCaller(c.fn('restore'));
    const rds = new RDSClient({ region: REGION, credentials: { accessKeyId: 'ASIASIMULATED', secretAccessKey: 'simulated' } });
    return rds.send(new RestoreDBClusterFromSnapshotCommand({
      DBClusterIdentifier: 'orders-aurora-restored', SnapshotIdentifier: 'orders-aurora-trapheus-1', Engine: 'aurora-postgresql', Tags: [RESTORABLE],
    })).finally(() => setCaller(undefined));
  };

  test('a cluster encrypted with a customer managed key is restored when the restore function may use the key', async () => {
    const c = withChecker((stack) => ({ encryptionKeys: [kms.Key.fromKeyArn(stack, 'OrdersKey', CLUSTER_KMS_KEY)] }));
    await expect(restoreCluster(c)).resolves.toMatchObject({ DBCluster: { DBClusterIdentifier: 'orders-aurora-restored' } });
    expect(c.iam.takeDenials()).toEqual([]);
    expect(c.iam.takeCounts()).toMatchObject({ denied: 0 });
  });

  test('...and refused (KMSKeyNotAccessibleFault) when it may not: IAM names the function, the KMS action and the key', async () => {
    const c = withChecker((stack) => ({ encryptionKeys: [kms.Key.fromKeyArn(stack, 'OtherKey', `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-8888-7777-6666-555555555555`)] }));
    await expect(restoreCluster(c)).rejects.toMatchObject({ name: 'KMSKeyNotAccessibleFault' });
    expect(c.iam.takeDenials()).toEqual([expect.objectContaining({ caller: c.fn('restore'), call: expect.stringMatching(/^kms:/), resource: CLUSTER_KMS_KEY })]);
    expect(c.sim.cluster('orders-aurora-restored')).toBeUndefined();
  });
});
