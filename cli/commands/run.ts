import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { inputProblems } from '../../src/input-rules';
import { formatDuration } from '../../test/sim/clock';
import { clockTime } from '../../test/sim/timeline';
import { Context, inputOptions, jsonOption, restoreInput, target, targetOptions } from '../context';
import { downtimeBound } from '../downtime';
import { follow } from '../follow';
import { CliError, EXIT, println } from '../io';
import { stateMachineArn } from '../locate';
import { printOutcome } from '../report';

/** Parses `--poll`: seconds, a positive number. */
export function seconds(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new CliError(`--poll ${value}: give the seconds between two reads of the history, a positive number`);
  return n;
}

export function runCommand(ctx: Context): Command {
  const cmd = new Command('run')
    .summary('start a restore and follow it: timeline, progress bar, ETA, result')
    .description('Start a restore and follow it to the end: the timeline, a progress bar with an ETA, and the result.\n'
      + 'Exit code 0 when the restore SUCCEEDED, 1 when it FAILED, TIMED_OUT or was ABORTED (the failure report goes to stderr), 2 when it could not start.')
    .option('--name <name>', 'the execution name (default: one Step Functions makes up)')
    .option('--poll <seconds>', 'seconds between two reads of the execution history', seconds, 5)
    .option('--no-progress', 'no progress bar (there is none off a terminal either)');
  jsonOption(inputOptions(targetOptions(cmd)));
  cmd.addHelpText('after', [
    '',
    'Examples:',
    '  trapheus-cdk run --state-machine arn:aws:states:eu-west-1:123456789012:stateMachine:Restore --identifier orders-db --task db_restore',
    '  trapheus-cdk run --stack DbReset --construct-path Restore --identifier orders-aurora --cluster --task create_snapshot --json',
  ].join('\n'));
  return cmd.action(async (opts) => {
    const input = restoreInput(opts);
    const problems = inputProblems(input);
    if (problems.length > 0) throw new CliError(problems.map((p) => p.message).join(' '));
    const arn = await stateMachineArn(target(opts), () => ctx.cfn());
    const sfn = ctx.sfn();
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input), name: opts.name }));
    const executionArn = started.executionArn!;
    const { io } = ctx;
    if (opts.json) {
      println(io.stdout, JSON.stringify({ event: 'started', executionArn, stateMachineArn: arn, input }));
    } else {
      println(io.stdout, `Started ${executionArn}`);
      println(io.stdout, `Input:  ${JSON.stringify(input)}   (follow it elsewhere: trapheus-cdk status ${executionArn})`);
      println(io.stdout);
    }
    const history = await follow(sfn, executionArn, io, { pollSeconds: opts.poll, json: opts.json, progress: opts.progress, input });
    const ending = history.ending!;
    const downtime = downtimeBound(history.timeline);
    printOutcome(io, {
      status: ending.status,
      seconds: ending.at,
      error: ending.error,
      cause: ending.cause,
      details: { executionArn, downtimeAtMost: downtime?.seconds, output: parseJson(ending.output) },
      lines: downtime ? [`Downtime:  at most ${formatDuration(downtime.seconds)} (${clockTime(downtime.from)} rename of the original to ${clockTime(downtime.to)} restored database seen ready)`] : [],
    }, opts.json);
    ctx.exit(ending.status === 'SUCCEEDED' ? EXIT.OK : EXIT.FAILED);
  });
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
