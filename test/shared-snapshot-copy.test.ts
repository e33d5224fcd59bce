/**
 * The construct side of copying shared snapshots (issue 9): props, states, and
 * the IAM that the copy needs, granted only for the accounts in sourceAccounts
 * and proven by the IAM check (test/sim/iam-check.ts), call by call.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TrapheusRestoreProps } from '../src';
import { setCaller } from './sim/aws-calls';
import { COPY_KMS_KEY, SOURCE_ACCOUNT, SOURCE_KMS_KEY } from './sim/fixtures';
import { IamCheck, SIM_AWS_RDS_KEY } from './sim/iam-check';
import { RdsSimulator } from './sim/rds-sim';
import { ACCOUNT, buildStack, definitionFrom, REGION } from './sim/run-pipeline';

const OTHER_ACCOUNT = '111122223333';
const withCopies = (extra: Partial<TrapheusRestoreProps> = {}) => (stack: Stack): TrapheusRestoreProps => ({
  sourceAccounts: [SOURCE_ACCOUNT], copyKey: kms.Key.fromKeyArn(stack, 'CopyKey', COPY_KMS_KEY), ...extra,
});

function synth(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps)) {
  const { stack } = buildStack(props);
  return { stack, template: Template.fromStack(stack), definition: definitionFrom(stack) };
}

describe('props', () => {
  test('copyKey and keepSnapshotCopies need sourceAccounts', () => {
    expect(() => buildStack((stack) => ({ copyKey: kms.Key.fromKeyArn(stack, 'K', COPY_KMS_KEY) }))).toThrow(/copyKey applies only to snapshots shared from other accounts: list those accounts in sourceAccounts/);
    expect(() => buildStack({ keepSnapshotCopies: true })).toThrow(/keepSnapshotCopies applies only .* sourceAccounts/);
  });

  test('the snapshot function knows this account and copyKey only with sourceAccounts', () => {
    const { template } = synth(withCopies());
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ COPY_KEY_ARN: COPY_KMS_KEY, ACCOUNT_ID: ACCOUNT }) },
    });
    const plain = synth({}).template.toJSON();
    expect(JSON.stringify(plain)).not.toMatch(/COPY_KEY_ARN|"rds:CopyDBSnapshot"|Copy the shared/);
  });
});

describe('states', () => {
  test('copy, wait and delete states for instances and clusters; no delete with keepSnapshotCopies; none without sourceAccounts', () => {
    const names = JSON.stringify(synth(withCopies()).definition.asl);
    for (const s of ['Is the snapshot shared from another account?', 'Copy the shared snapshot into this account', 'Check snapshot copy',
      'Was a shared snapshot copied?', 'Delete the snapshot copies', 'Is the cluster snapshot shared from another account?',
      'Copy the shared cluster snapshot into this account', 'Check cluster snapshot copy', 'Delete the cluster snapshot copies']) {
      expect(names).toContain(`"${s}"`);
    }
    const keep = JSON.stringify(synth(withCopies({ keepSnapshotCopies: true })).definition.asl);
    expect(keep).toContain('"Copy the shared snapshot into this account"');
    expect(keep).not.toMatch(/Delete the (cluster )?snapshot copies|Was a shared/);
    expect(JSON.stringify(synth({}).definition.asl)).not.toMatch(/shared (cluster )?snapshot/);
  });
});

describe('IAM', () => {
  let check: IamCheck;
  let snapshotFn: string;
  const sim = new RdsSimulator();
  beforeAll(() => {
    const { template, definition } = synth(withCopies());
    check = new IamCheck(template.toJSON(), { rds: () => sim, awsManagedKeys: [SIM_AWS_RDS_KEY] });
    snapshotFn = [...definition.functions.values()].find((f) => f.module.endsWith('/lambda-src/snapshot.lambda'))!.logicalId;
  });
  afterEach(() => setCaller(undefined));

  const allows = (call: { service: 'rds' | 'kms'; action: string; input: any; via?: 'rds' }): boolean => {
    try {
      check.check({ ...call, caller: snapshotFn });
      return true;
    } catch (err) {
      if ((err as Error).name !== 'AccessDenied' && (err as Error).name !== 'AccessDeniedException') throw err;
      check.takeDenials();
      return false;
    }
  };
  const copy = (account: string, isCluster = false) => (isCluster
    ? { service: 'rds' as const, action: 'CopyDBClusterSnapshot', input: { SourceDBClusterSnapshotIdentifier: `arn:aws:rds:${REGION}:${account}:cluster-snapshot:golden`, TargetDBClusterSnapshotIdentifier: 'orders-aurora-trapheus-copy-20260109-080000' } }
    : { service: 'rds' as const, action: 'CopyDBSnapshot', input: { SourceDBSnapshotIdentifier: `arn:aws:rds:${REGION}:${account}:snapshot:golden`, TargetDBSnapshotIdentifier: 'orders-db-trapheus-copy-20260109-080000' } });

  test('the template: Copy* on the listed accounts\' snapshots, the source keys of those accounts and copyKey through RDS', () => {
    const text = JSON.stringify(synth(withCopies()).template.toJSON());
    expect(text).toContain(`:${SOURCE_ACCOUNT}:snapshot:*`);
    expect(text).toContain(`:${SOURCE_ACCOUNT}:cluster-snapshot:*`);
    expect(text).toContain(`:${SOURCE_ACCOUNT}:key/*`);
    expect(text).not.toContain(OTHER_ACCOUNT);
  });

  test('copying from a listed account is allowed; from any other account IAM denies', () => {
    expect(allows(copy(SOURCE_ACCOUNT))).toBe(true);
    expect(allows(copy(SOURCE_ACCOUNT, true))).toBe(true);
    expect(allows(copy(OTHER_ACCOUNT))).toBe(false);
    expect(allows(copy(OTHER_ACCOUNT, true))).toBe(false);
    // a copy under a name that is not the pipeline's: denied (the delete of copies is scoped the same way)
    expect(allows({ ...copy(SOURCE_ACCOUNT), input: { ...copy(SOURCE_ACCOUNT).input, TargetDBSnapshotIdentifier: 'anything' } })).toBe(false);
  });

  test('the source key through RDS: allowed when its key policy allows this account; denied for another account\'s key, or without the key grant', () => {
    sim.addForeignKey(SOURCE_KMS_KEY, [ACCOUNT]);
    expect(allows({ service: 'kms', action: 'CreateGrant', via: 'rds', input: { KeyId: SOURCE_KMS_KEY } })).toBe(true);
    expect(allows({ service: 'kms', action: 'DescribeKey', via: 'rds', input: { KeyId: SOURCE_KMS_KEY } })).toBe(true);
    // not through RDS
    expect(allows({ service: 'kms', action: 'DescribeKey', input: { KeyId: SOURCE_KMS_KEY } })).toBe(false);
    const otherKey = `arn:aws:kms:${REGION}:${OTHER_ACCOUNT}:key/0f0e0d0c-0b0a-4908-8706-050403020100`;
    sim.addForeignKey(otherKey, [ACCOUNT]);
    expect(allows({ service: 'kms', action: 'CreateGrant', via: 'rds', input: { KeyId: otherKey } })).toBe(false);
    // IAM allows the listed account's keys, but this key's policy does not allow this account
    const ungranted = `arn:aws:kms:${REGION}:${SOURCE_ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;
    sim.addForeignKey(ungranted, []);
    expect(allows({ service: 'kms', action: 'CreateGrant', via: 'rds', input: { KeyId: ungranted } })).toBe(false);
    expect(allows({ service: 'kms', action: 'CreateGrant', via: 'rds', input: { KeyId: COPY_KMS_KEY } })).toBe(true);
  });
});
