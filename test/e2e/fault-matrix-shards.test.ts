import { SCENARIOS, SHARDS } from './fault-matrix/scenarios';

test('the fault matrix\'s shards run every scenario exactly once', () => {
  const sharded = Object.values(SHARDS).flat();
  expect([...sharded].sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  expect(new Set(sharded).size).toBe(sharded.length);
});
