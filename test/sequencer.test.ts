import * as fs from 'fs';
import * as path from 'path';

/** test/sim/sequencer.js starts the fault matrix's shards first: it must know every shard file. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SHARDS } = require('./sim/sequencer') as { SHARDS: string[] };

test('the sequencer ranks every fault-matrix shard file, and names no other', () => {
  const files = fs.readdirSync(path.join(__dirname, 'e2e'))
    .filter((f) => /^fault-matrix-.*\.e2e\.test\.ts$/.test(f))
    .map((f) => f.replace(/\.e2e\.test\.ts$/, ''));
  expect([...SHARDS].sort()).toEqual(files.sort());
});
