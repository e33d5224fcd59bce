/**
 * Writes the configuration-retention tables of README.md from the tables the
 * handlers run on (lambda-src/rds/instance-config.ts, cluster-config.ts):
 * `npx projen retention-table`. A test fails when they drift apart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CLUSTER_ATTRIBUTES, CLUSTER_UNKEPT, MEMBER_ATTRIBUTES, MEMBER_UNKEPT } from '../lambda-src/rds/cluster-config';
import type { KeptAttribute, UnkeptAttribute } from '../lambda-src/rds/config-table';
import { INSTANCE_ATTRIBUTES, INSTANCE_UNKEPT } from '../lambda-src/rds/instance-config';

interface Table {
  readonly name: string;
  readonly apis: string;
  readonly how: Record<string, string>;
  readonly kept: KeptAttribute<any, object>[];
  readonly unkept: UnkeptAttribute[];
}

export const TABLES: Table[] = [
  {
    name: 'instance',
    apis: 'RestoreDBInstanceFromDBSnapshot or ModifyDBInstance',
    how: { restore: 'restore call', modify: 'ModifyDBInstance after the restore' },
    kept: INSTANCE_ATTRIBUTES,
    unkept: INSTANCE_UNKEPT,
  },
  {
    name: 'cluster',
    apis: 'RestoreDBClusterFromSnapshot, ModifyDBCluster or EnableHttpEndpoint',
    how: { restore: 'restore call', modify: 'ModifyDBCluster after the restore' },
    kept: CLUSTER_ATTRIBUTES,
    unkept: CLUSTER_UNKEPT,
  },
  {
    name: 'member',
    apis: 'CreateDBInstance or ModifyDBInstance for an Aurora member (storage, backups, security groups, logs and deletion protection are cluster-level there)',
    how: { restore: 'CreateDBInstance', modify: 'ModifyDBInstance after creation' },
    kept: MEMBER_ATTRIBUTES,
    unkept: MEMBER_UNKEPT,
  },
];

const OTHER: Record<string, string> = { 'snapshot': 'from the snapshot', 'not kept': '**not kept**' };

export function retentionMarkdown(table: Table): string {
  const settable = table.kept.length + table.unkept.filter((u) => u.settable).length;
  return [
    `**${table.kept.length} of the ${settable} settings that ${table.apis} can set are kept.**`,
    '',
    '| Setting | How it is kept | Notes |',
    '|---|---|---|',
    ...table.kept.map((a) => `| ${a.name} | ${a.via ?? table.how[a.how]} | ${a.note ?? ''} |`),
    ...table.unkept.map((u) => `| ${u.name} | ${OTHER[u.how]} | ${u.note} |`),
  ].join('\n');
}

export const markers = (name: string) => [`<!-- retention:${name}:start -->`, `<!-- retention:${name}:end -->`];

export function readmeSection(readme: string, name: string): string | undefined {
  const [start, end] = markers(name);
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  return a >= 0 && b > a ? readme.slice(a + start.length, b).trim() : undefined;
}

if (require.main === module) {
  const file = path.join(__dirname, '..', 'README.md');
  let readme = fs.readFileSync(file, 'utf8');
  for (const table of TABLES) {
    const [start, end] = markers(table.name);
    const a = readme.indexOf(start);
    const b = readme.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} section`);
    readme = `${readme.slice(0, a + start.length)}\n${retentionMarkdown(table)}\n${readme.slice(b)}`;
  }
  fs.writeFileSync(file, readme);
  console.log('README.md retention tables written');
}
