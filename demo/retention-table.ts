/**
 * Writes the configuration-retention tables of README.md from
 * lambda-src/rds/instance-config.ts, the table the pipeline runs on
 * (`npx projen retention-table`). A test fails when they drift apart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { INSTANCE_ATTRIBUTES, INSTANCE_UNKEPT } from '../lambda-src/rds/instance-config';

const HOW: Record<string, string> = {
  'restore': 'restore call',
  'modify': 'ModifyDBInstance after the restore',
  'snapshot': 'from the snapshot',
  'not kept': '**not kept**',
};

export function instanceRetentionMarkdown(): string {
  const settable = INSTANCE_ATTRIBUTES.length + INSTANCE_UNKEPT.filter((u) => u.settable).length;
  const rows = [
    '| Setting | How it is kept | Notes |',
    '|---|---|---|',
    ...INSTANCE_ATTRIBUTES.map((a) => `| ${a.name} | ${HOW[a.how]} | ${a.note ?? ''} |`),
    ...INSTANCE_UNKEPT.map((u) => `| ${u.name} | ${HOW[u.how]} | ${u.note} |`),
  ];
  return [
    `**${INSTANCE_ATTRIBUTES.length} of the ${settable} settings that RestoreDBInstanceFromDBSnapshot or ModifyDBInstance can set are kept.**`,
    '',
    ...rows,
  ].join('\n');
}

export const START = '<!-- retention:instance:start -->';
export const END = '<!-- retention:instance:end -->';

export function readmeSection(readme: string): string | undefined {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  return a >= 0 && b > a ? readme.slice(a + START.length, b).trim() : undefined;
}

if (require.main === module) {
  const file = path.join(__dirname, '..', 'README.md');
  const readme = fs.readFileSync(file, 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} ... ${END} section`);
  fs.writeFileSync(file, `${readme.slice(0, a + START.length)}\n${instanceRetentionMarkdown()}\n${readme.slice(b)}`);
  console.log('README.md retention table written');
}
