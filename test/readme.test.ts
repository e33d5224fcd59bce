import * as fs from 'fs';
import * as path from 'path';
import { instanceRetentionMarkdown, readmeSection } from '../demo/retention-table';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  test('the retention table mirrors lambda-src/rds/instance-config.ts (run `npx projen retention-table`)', () => {
    expect(readmeSection(readme)).toBe(instanceRetentionMarkdown());
  });

  test('its first screen gives the demo and the test commands', () => {
    const firstScreen = readme.split('\n').slice(0, 20).join('\n');
    expect(firstScreen).toMatch(/npm ci && npm run demo/);
    expect(firstScreen).toMatch(/^npm test/m);
  });
});
