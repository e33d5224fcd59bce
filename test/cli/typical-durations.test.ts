import { TYPICAL_PATHS } from '../../cli/typical-durations';
import { typicalPaths } from '../../cli/typical-durations.gen';

/**
 * The ETA's typical paths (cli/typical-durations.ts, generated) against the
 * pipeline as it is now: the same states in the same order, and totals within
 * 10 %. Regenerate when this fails:
 *   npx ts-node --project tsconfig.dev.json --transpile-only cli/typical-durations.gen.ts
 */
test('the typical paths are those of the current pipeline', async () => {
  const now = await typicalPaths();
  expect(now.map((p) => [p.kind, p.task, p.cutover])).toEqual(TYPICAL_PATHS.map((p) => [p.kind, p.task, p.cutover]));
  for (const [i, p] of now.entries()) {
    expect(p.states.map(([s]) => s)).toEqual(TYPICAL_PATHS[i].states.map(([s]) => s));
    expect(Math.abs(p.total - TYPICAL_PATHS[i].total) / p.total).toBeLessThan(0.1);
  }
}, 120_000);
