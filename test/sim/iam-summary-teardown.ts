import * as fs from 'fs';
import * as path from 'path';

/**
 * jest globalTeardown: the IAM check's one summary line for the whole run,
 * `IAM check: N calls, N allowed, N denied`, summed over the test files that
 * ran pipelines (printed only when some did); and the fault-injection matrix's,
 * summed over its shards, with its time: each shard's seconds, summed, and the
 * longest shard's (the shards run side by side on the jest workers).
 */
export default function teardown(): void {
  const dir = process.env.TRAPHEUS_IAM_TALLY_DIR;
  if (!dir || !fs.existsSync(dir)) return;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  const sum = { calls: 0, allowed: 0, denied: 0 };
  for (const f of files) {
    const c = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    sum.calls += c.calls;
    sum.allowed += c.allowed;
    sum.denied += c.denied;
  }
  // The fault-injection matrix's shards leave theirs too: one line for the whole matrix.
  const shards = fs.readdirSync(dir).filter((f) => f.endsWith('.matrix'));
  const matrix = { points: 0, held: 0, seconds: 0, longest: 0 };
  for (const f of shards) {
    const c = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    matrix.points += c.points;
    matrix.held += c.held;
    matrix.seconds += c.seconds ?? 0;
    matrix.longest = Math.max(matrix.longest, c.seconds ?? 0);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  if (shards.length > 0) {
    process.stdout.write(`\nfault-injection matrix: ${matrix.points} injection points, ${matrix.held} held the invariants (${shards.length} shards, `
      + `${Math.round(matrix.seconds)} s summed over the shards, the longest ${Math.round(matrix.longest)} s)\n`);
  }
  if (files.length > 0) process.stdout.write(`\nIAM check: ${sum.calls} calls, ${sum.allowed} allowed, ${sum.denied} denied\n`);
}
