/**
 * Writes cli/typical-durations.json: the typical timing of each path through
 * the pipeline, from simulated runs of the default TrapheusRestore with the
 * simulator's default RDS durations (test/sim/rds/types.ts, DEFAULT_DURATIONS:
 * a small instance; what `npm run bench` and `npm run demo` use).
 *
 *   npx ts-node --project tsconfig.dev.json --transpile-only cli/typical-durations.gen.ts
 *
 * test/cli/typical-durations.test.ts fails when the file is stale.
 */
import '../test/setup';
import * as fs from 'fs';
import * as path from 'path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Cutover } from '../src';
import { pathOf, TypicalPath } from './eta';
import { TASKS } from '../src/input-rules';
import { stopSimulator } from './sim/dynalite';
import { simulate } from './sim/simulate';
import { stateMachinesOf } from './sim/template';
import { buildStack } from '../test/sim/run-pipeline';

export async function typicalPaths(): Promise<TypicalPath[]> {
  const paths: TypicalPath[] = [];
  try {
    const dnsAlias = (stack: Stack) => Cutover.dnsAlias({
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0TYPICAL', zoneName: 'example.internal' }),
      recordName: 'typical',
    });
    const modes: [TypicalPath['kind'], ((stack: Stack) => Cutover) | undefined][] = [
      ['instance', () => Cutover.RENAME_FIRST], ['instance', () => Cutover.RESTORE_THEN_SWAP], ['cluster', undefined],
      ['cluster', () => Cutover.RESTORE_THEN_SWAP], ['instance', dnsAlias], ['cluster', dnsAlias],
    ];
    for (const [kind, cutoverOf] of modes) {
      let cutover: Cutover | undefined;
      // With an export destination, so that export_snapshot has its typical path too.
      const template = Template.fromStack(buildStack((stack) => {
        cutover = cutoverOf?.(stack);
        return { cutover, exportTo: { bucket: new s3.Bucket(stack, 'Exports'), key: new kms.Key(stack, 'ExportKey') } };
      }).stack).toJSON();
      for (const task of TASKS) {
        // Taking a snapshot only, or exporting one, never reaches the cutover.
        if ((task === 'create_snapshot_only' || task === 'export_snapshot') && cutover && cutover !== Cutover.RENAME_FIRST) continue;
        const identifier = kind === 'cluster' ? 'typical-aurora' : 'typical-db';
        const { result } = await simulate({
          template,
          stateMachine: stateMachinesOf(template)[0],
          database: { identifier, isCluster: kind === 'cluster' },
          task,
        });
        if (result.status !== 'SUCCEEDED') throw new Error(`typical ${kind} ${task} run ${result.status}: ${result.error}: ${result.cause}`);
        const mode = cutover ? { cutover: (cutover as Cutover).value } : {};
        paths.push({ kind, task, ...mode, total: result.seconds, states: pathOf(result.timeline) });
      }
    }
  } finally {
    await stopSimulator();
  }
  return paths;
}

/** The JSON file, one line per state: readable diffs when the pipeline changes. */
export function render(paths: TypicalPath[]): string {
  const blocks = paths.map(({ states, ...head }) => `  ${JSON.stringify(head).slice(0, -1)}, "states": [\n`
    + states.map((s) => `    ${JSON.stringify(s)}`).join(',\n') + '\n  ]}');
  return `[\n${blocks.join(',\n')}\n]\n`;
}

export const TYPICAL_FILE = path.join(__dirname, 'typical-durations.json');

if (require.main === module) {
  typicalPaths()
    .then((paths) => fs.writeFileSync(TYPICAL_FILE, render(paths)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
