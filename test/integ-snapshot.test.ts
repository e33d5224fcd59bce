import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { createSnapshotIntegApp, INTEG_DB_IDENTIFIER } from './integ/create-snapshot-app';

/**
 * The integration test (test/integ.create-snapshot.ts, deployed by `npx integ-runner`) checked
 * without deploying: its synthesized templates and integ manifest against the committed snapshot.
 * Asset hashes change with every handler edit and are left out. After a deliberate change, run
 * the integration test against an account, then `npx jest test/integ-snapshot.test.ts -u`.
 */
expect.addSnapshotSerializer({
  test: (v) => typeof v === 'string' && /[0-9a-f]{64}/.test(v),
  print: (v) => JSON.stringify((v as string).replace(/[0-9a-f]{64}/g, '[ASSET-HASH]')),
});

function synthIntegApp() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trapheus-integ-'));
  try {
    const app = new App({ outdir });
    createSnapshotIntegApp(app);
    const assembly = app.synth();
    // Each assertion call carries a `salt` (the synthesis time), so that it runs on every deployment.
    const templates: Record<string, any> = JSON.parse(JSON.stringify(Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template])),
      (key, value) => (key === 'salt' ? '[SYNTHESIS-TIME]' : value)));
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'integ.json'), 'utf8'));
    return { templates, manifest };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('integration test create_snapshot (snapshot, no deployment)', () => {
  const { templates, manifest } = synthIntegApp();
  const [testStack, assertStack] = [templates.TrapheusIntegCreateSnapshot, Object.entries(templates)
    .find(([name]) => name !== 'TrapheusIntegCreateSnapshot')?.[1]];

  test('deploys a tiny throwaway instance the pipeline may restore', () => {
    const [db] = Object.values(testStack.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::RDS::DBInstance');
    expect(db.Properties).toMatchObject({
      DBInstanceIdentifier: INTEG_DB_IDENTIFIER,
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: '20',
      MultiAZ: false,
      DeletionProtection: false,
      DeleteAutomatedBackups: true,
      Tags: expect.arrayContaining([{ Key: 'trapheus:restorable', Value: 'true' }]),
    });
    expect(db.DeletionPolicy).toBe('Delete');
  });

  test('starts a create_snapshot execution and waits for SUCCEEDED', () => {
    const calls = Object.values(assertStack.Resources as Record<string, any>)
      .filter((r) => String(r.Type).startsWith('Custom::DeployAssert@SdkCall'))
      .map((r) => r.Properties);
    const start = calls.find((p) => p.api === 'startExecution');
    expect(JSON.parse(JSON.parse(start.parameters.input))).toEqual(
      { identifier: INTEG_DB_IDENTIFIER, task: 'create_snapshot', isCluster: false });
    const wait = calls.find((p) => p.api === 'describeExecution');
    expect(wait.actualPath).toBe('status');
    expect(JSON.parse(wait.expected)).toEqual({ $Exact: 'SUCCEEDED' });
    expect(wait.stateMachineArn).toBeDefined();
  });

  test('matches the committed snapshot (templates and integ manifest)', () => {
    expect({ templates, manifest }).toMatchSnapshot();
  });
});
