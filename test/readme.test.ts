import * as fs from 'fs';
import * as path from 'path';
import { readmeSection, retentionMarkdown, TABLES } from '../demo/retention-table';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  test.each(TABLES.map((t) => [t.name, t]))('the %s retention table mirrors the table the handlers run on (run `npx projen retention-table`)', (name, table) => {
    expect(readmeSection(readme, name as string)).toBe(retentionMarkdown(table as typeof TABLES[number]));
  });

  test('its first screen gives the demo and the test commands', () => {
    const firstScreen = readme.split('\n').slice(0, 20).join('\n');
    expect(firstScreen).toMatch(/npm ci && npm run demo/);
    expect(firstScreen).toMatch(/^npm test/m);
  });
});
