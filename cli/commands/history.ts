import { paginateListExecutions } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { formatDuration } from '../../test/sim/clock';
import { Context, jsonOption, target, targetOptions } from '../context';
import { RunSummary, summarize } from '../executions';
import { CliError, EXIT, println } from '../io';
import { stateMachineArn } from '../locate';

function count(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} ${value}: give a whole number, 1 or more`);
    return n;
  };
}

export function historyCommand(ctx: Context): Command {
  const cmd = new Command('history')
    .summary('the recent restores of a database')
    .description('The recent restores of one database, newest first: outcome, duration and downtime.\n'
      + 'Reads the pipeline\'s executions (ListExecutions), their input (DescribeExecution) and, for the downtime, their history.')
    .requiredOption('--identifier <id>', 'the DB instance or Aurora DB cluster identifier')
    .option('--max <n>', 'show at most this many restores', count('max'), 10)
    .option('--scan <n>', 'read at most this many of the pipeline\'s latest executions', count('scan'), 100);
  jsonOption(targetOptions(cmd));
  cmd.addHelpText('after', '\nExample:\n  trapheus-cdk history --stack DbReset --construct-path Restore --identifier orders-db --max 5');
  return cmd.action(async (opts) => {
    const arn = await stateMachineArn(target(opts), () => ctx.cfn());
    const sfn = ctx.sfn();
    const runs: RunSummary[] = [];
    let scanned = 0;
    outer: for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn: arn })) {
      for (const item of page.executions ?? []) {
        if (scanned >= opts.scan || runs.length >= opts.max) break outer;
        scanned += 1;
        const summary = await summarize(sfn, item.executionArn!, false);
        if (summary.input?.identifier !== opts.identifier) continue;
        // Only a restore that got past the rename has a downtime: read its history then.
        runs.push(summary.status === 'RUNNING' || summary.input?.task === 'create_snapshot_only'
          ? summary : await summarize(sfn, item.executionArn!, true));
      }
    }
    const { io } = ctx;
    if (opts.json) {
      for (const r of runs) {
        const { history, ...fields } = r;
        println(io.stdout, JSON.stringify({ event: 'execution', ...fields }));
      }
    } else {
      println(io.stdout, `Restores of ${opts.identifier} by ${arn}, newest first (${scanned} executions read):`);
      println(io.stdout);
      table(runs).forEach((row) => println(io.stdout, row));
    }
    ctx.exit(EXIT.OK);
  });
}

function table(runs: RunSummary[]): string[] {
  if (runs.length === 0) return ['  none'];
  const rows = [['STARTED', 'TASK', 'OUTCOME', 'DURATION', 'DOWNTIME (AT MOST)', 'EXECUTION'], ...runs.map((r) => [
    r.startDate?.toISOString().replace(/\.\d+Z$/, 'Z') ?? '?',
    r.input?.task ?? '?',
    r.status + (r.error ? ` (${r.error})` : ''),
    r.seconds === undefined ? '' : formatDuration(r.seconds),
    r.downtimeAtMost === undefined ? '-' : formatDuration(r.downtimeAtMost),
    r.name ?? r.executionArn,
  ])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => `  ${row.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd());
}
