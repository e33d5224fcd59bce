import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * jest globalSetup: a directory where each test file that runs pipelines under
 * the IAM check leaves its counts (test/sim/iam-check.ts `writeTally`); the
 * globalTeardown prints their sum as one line. Workers inherit the variable.
 */
export default function setup(): void {
  process.env.TRAPHEUS_IAM_TALLY_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'trapheus-iam-'));
}
