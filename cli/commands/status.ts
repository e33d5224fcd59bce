import { Command } from 'commander';
import { formatDuration } from '../../test/sim/clock';
import { Context, jsonOption } from '../context';
import { estimate } from '../eta';
import { RunSummary, summarize } from '../executions';
import { EXIT, println } from '../io';
import { etaText } from '../progress';
import { printOutcome, StepPrinter } from '../report';

export function statusCommand(ctx: Context): Command {
  const cmd = new Command('status')
    .summary('show one restore: timeline, outcome, duration, downtime')
    .description('Show one restore: its input, its timeline so far, its outcome, duration and downtime.\n'
      + 'Exit code 0 when it SUCCEEDED or is still RUNNING, 1 when it FAILED, TIMED_OUT or was ABORTED, 2 when it cannot be read.')
    .argument('<execution-arn>', 'the execution ARN (trapheus-cdk run prints it; so does the Step Functions console)');
  jsonOption(cmd);
  cmd.addHelpText('after', '\nExample:\n  trapheus-cdk status arn:aws:states:eu-west-1:123456789012:execution:Restore:nightly-2026-01-09');
  return cmd.action(async (executionArn: string, opts) => {
    const run = await summarize(ctx.sfn(), executionArn, true);
    const { io } = ctx;
    const running = run.status === 'RUNNING';
    if (opts.json) {
      new StepPrinter((text) => println(io.stdout, text), true).update(run.history!.timeline, !running);
    } else {
      println(io.stdout, `Execution: ${run.executionArn}`);
      println(io.stdout, `Input:     ${JSON.stringify(run.input)}`);
      println(io.stdout, `Started:   ${run.startDate?.toISOString() ?? '?'}`);
      println(io.stdout);
      new StepPrinter((text) => println(io.stdout, text), false).update(run.history!.timeline, true);
    }
    printOutcome(io, {
      status: run.status,
      seconds: run.seconds,
      error: run.error,
      cause: run.cause,
      details: { executionArn, input: run.input, downtimeAtMost: run.downtimeAtMost },
      lines: lines(run),
    }, opts.json);
    ctx.exit(running || run.status === 'SUCCEEDED' ? EXIT.OK : EXIT.FAILED);
  });
}

function lines(run: RunSummary): string[] {
  const out: string[] = [];
  if (run.downtimeAtMost !== undefined) out.push(`Downtime:  at most ${formatDuration(run.downtimeAtMost)} (from the rename of the original to the restored database seen ready)`);
  if (run.status === 'RUNNING' && run.input?.task) {
    const e = estimate(run.history!.timeline, run.seconds ?? 0, { task: run.input.task, isCluster: Boolean(run.input.isCluster) });
    out.push(`Progress:  ${Math.round(e.fraction * 100)}%, ${etaText(e.remaining)}`);
  }
  return out;
}
