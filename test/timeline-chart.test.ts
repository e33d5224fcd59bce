import * as fs from 'fs';
import * as path from 'path';
import { readmeChart, timelineChart } from '../demo/timeline-chart';
import { useDynalite } from './sim/dynamo';

const dynamo = useDynalite();

/** The README's timeline chart stays what a simulator run of every mode gives now. */
test('the README timeline chart equals a fresh generation (run demo/timeline-chart.ts after a pipeline change)', async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const fresh = await timelineChart(dynamo());
  expect(fresh).toMatch(/^```mermaid\ngantt\n/);
  expect(fresh).toMatch(/section rename-first\n/);
  expect(fresh).toMatch(/Endpoint down \(\d+ s in all\) : crit, \d+, \d+s/);
  expect(readmeChart(readme)).toBe(fresh);
}, 120_000);
