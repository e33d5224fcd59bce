// jest testSequencer: the fault-injection matrix's shards first, heaviest first, then jest's own
// order for the rest. jest orders files by their last recorded duration, and on a fresh clone
// (no cache, as in CI) by file size, where the shards (three-line files, minutes each) come
// last and the final one runs alone on one worker while the other waits. Started first, the
// shards run side by side and the short files fill in around them.
const Sequencer = require('@jest/test-sequencer').default;

/** Shards by their share of the matrix's work (executions and their length), heaviest first. */
const SHARDS = [
  'fault-matrix-cluster-snapshot-then-delete-rollback',
  'fault-matrix-cluster-tasks',
  'fault-matrix-cutovers',
  'fault-matrix-instance-policies',
  'fault-matrix-restore-sources',
  'fault-matrix-shared-snapshots',
  'fault-matrix-instance-tasks',
  'fault-matrix-after-restore',
  'fault-matrix-cluster-keep',
  'fault-matrix-managed-password',
  'fault-matrix-exports',
];

const rank = (test) => SHARDS.findIndex((name) => test.path.endsWith(`${name}.e2e.test.ts`));

class MatrixFirstSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const shards = sorted.filter((t) => rank(t) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...shards, ...sorted.filter((t) => rank(t) < 0)];
  }
}

module.exports = MatrixFirstSequencer;
module.exports.SHARDS = SHARDS;
