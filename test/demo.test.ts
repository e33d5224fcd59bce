import { execFileSync } from 'child_process';
import * as path from 'path';

/** `npm run demo` is the README's main job: it must keep working, end to end. */
test('the demo restores an instance (from a snapshot, then to a point in time) and a cluster, and prints their timelines', () => {
  const root = path.join(__dirname, '..');
  const out = execFileSync(process.execPath, [
    require.resolve('ts-node/dist/bin.js'), '--project', 'tsconfig.dev.json', '--transpile-only', 'demo/run-demo.ts',
  ], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(out.match(/^Result: +SUCCEEDED$/gm)).toHaveLength(4);
  expect(out).toMatch(/^Restored: +RestoreDBInstanceToPointInTime from db-\S+ \(the renamed original, by its resource id\) to 2026-01-09T07:30:00\.000Z$/m);
  expect(out).toMatch(/Move the staged instance under the original identifier/);
  expect(out).toMatch(/Restore under the original identifier/);
  expect(out).toMatch(/Create the writer/);
  expect(out).toMatch(/^Endpoint: +unchanged/m);
  expect(out).toMatch(/^Writer: +orders-aurora-1 before, orders-aurora-1 after/m);
  expect(out).toMatch(/^Config: +39 of 39 kept attributes equal to the original$/m);
  // every mode side by side, without wait history and with what the first run taught
  expect(out).toMatch(/^Detection: +readiness noticed \d+ s after it happened \(median of 5 waits/m);
  for (const mode of ['rename-first', 'restore-then-swap', 'cluster-rename-first']) {
    expect(out).toMatch(new RegExp(`^${mode} +\\d+m \\d\\ds +\\d+m \\d\\ds +\\d+ s +\\d+ s +\\d+ +\\d+$`, 'm'));
  }
}, 120_000);
