import * as fs from 'fs';
import * as path from 'path';
import { estimate, pathOf, TypicalPath } from '../../cli/eta';
import { HANDLERS } from '../../cli/sim/handlers';
import type { TimelineEntry } from '../../test/sim/template-pipeline';

const PATH: TypicalPath = {
  kind: 'instance',
  task: 'db_restore',
  total: 1000,
  states: [['Validate the input', 0], ['Rename', 10], ['Start waiting for restored instance', 100], ['Is restored instance ready?', 130], ['Verify', 900], ['Restored', 1000]],
};
const entry = (state: string, at: number, type = 'Task'): TimelineEntry => ({ state, at, type });
const input = { task: 'db_restore', isCluster: false };

describe('ETA from typical durations', () => {
  test('at a state of the path: what a typical run has left from there, minus the time spent in it up to its typical length', () => {
    const timeline = [entry('Validate the input', 0), entry('Rename', 12), entry('Start waiting for restored instance', 105, 'Pass'), entry('Is restored instance ready?', 140, 'Choice')];
    expect(estimate(timeline, 140, input, [PATH])).toEqual({ fraction: 0.13, remaining: 870, basis: 'typical' });
    expect(estimate(timeline, 440, input, [PATH])).toEqual({ fraction: 0.43, remaining: 570, basis: 'typical' });
  });

  test('a wait slower than typical holds the estimate at the rest of the path, never below', () => {
    const timeline = [entry('Validate the input', 0), entry('Is restored instance ready?', 130, 'Choice')];
    expect(estimate(timeline, 5000, input, [PATH]).remaining).toBe(100);
  });

  test('retried and repeated states count once, at their first entry', () => {
    const timeline = [entry('Validate the input', 0), entry('Rename', 10), { state: 'Rename', at: 11, type: 'Retry', seconds: 2 }, entry('Rename', 13)];
    expect(pathOf(timeline)).toEqual([['Validate the input', 0], ['Rename', 10]]);
  });

  test('off the path (a rollback): no ETA, progress stays where the path was left', () => {
    const timeline = [entry('Validate the input', 0), entry('Rename', 10), entry('Roll back the rename', 50)];
    expect(estimate(timeline, 60, input, [PATH])).toEqual({ fraction: 0.01, remaining: undefined, basis: 'typical' });
  });

  test('the path of the input\'s kind and task; of several, the one sharing most states with the run', () => {
    const swap: TypicalPath = { ...PATH, cutover: 'restore-then-swap', total: 2000, states: [['Validate the input', 0], ['Restore under a staging identifier', 10]] };
    const timeline = [entry('Validate the input', 0), entry('Restore under a staging identifier', 10)];
    expect(estimate(timeline, 10, input, [PATH, swap]).remaining).toBe(1990);
    expect(estimate(timeline, 10, { task: 'db_restore', isCluster: true }, [PATH, swap])).toEqual({ fraction: 0, basis: 'typical' });
  });
});

test('the CLI bundles every handler of lambda-src/', () => {
  const shipped = fs.readdirSync(path.join(__dirname, '..', '..', 'lambda-src')).filter((f) => f.endsWith('.lambda.ts')).map((f) => f.replace(/\.lambda\.ts$/, ''));
  expect(Object.keys(HANDLERS).sort()).toEqual(shipped.sort());
  for (const name of shipped) expect(typeof HANDLERS[name]().handler).toBe('function');
});
