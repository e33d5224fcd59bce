/**
 * The test task's jest step: run jest, but not twice on the same tree.
 *
 * `npx projen build` runs the test task again after `npm test` (CI runs both,
 * one after the other, on one checkout). When the whole suite (no extra
 * arguments) has passed on exactly these sources, running it again proves
 * nothing new, so this step says so and stops. The stamp is a hash of every
 * input the tests read from the checkout: the tracked files' blobs, any
 * uncommitted change, the untracked files that git does not ignore, and the
 * Node version. Any change to any of them (a regenerated API.md included)
 * runs the suite again. Outside a git checkout, or with arguments (one file,
 * `-u`...), jest always runs and no stamp is written.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const DEFAULT_ARGS = ['--passWithNoTests', '--ci'];
const STAMP = path.join('node_modules', '.cache', 'trapheus-cdk', 'jest-passed');

function git(args: string[]): string | undefined {
  const r = spawnSync('git', args, { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 });
  return r.status === 0 ? r.stdout.toString('latin1') : undefined;
}

/** The hash of the checkout's test inputs, or undefined outside a git checkout. */
function treeHash(): string | undefined {
  const index = git(['ls-files', '-s']);
  const changes = git(['diff', 'HEAD', '--binary']);
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z']);
  if (index === undefined || changes === undefined || untracked === undefined) return undefined;
  const h = createHash('sha256').update(process.version).update('\0').update(index).update('\0').update(changes);
  for (const f of untracked.split('\0').filter(Boolean).sort()) {
    h.update(`\0${f}\0`);
    if (fs.statSync(f).isFile()) h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

const args = process.argv.slice(2);
const whole = args.length === DEFAULT_ARGS.length && args.every((a, i) => a === DEFAULT_ARGS[i]);
const hash = whole ? treeHash() : undefined;
if (hash && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').startsWith(hash)) {
  const when = fs.readFileSync(STAMP, 'utf8').split(' ')[1]?.trim();
  console.log(`jest: the whole suite passed on exactly this tree at ${when} (stamp ${hash.slice(0, 12)} in ${STAMP}); not run again`);
  process.exit(0);
}
fs.rmSync(STAMP, { force: true });
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...args], { stdio: 'inherit' });
if (jest.status === 0 && hash && treeHash() === hash) {
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, `${hash} ${new Date().toISOString()}\n`);
}
process.exit(jest.status ?? 1);
