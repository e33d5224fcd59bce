import { Command, Option } from 'commander';
import { inputProblems } from '../../src/input-rules';
import { formatDuration } from '../../test/sim/clock';
import { clockTime } from '../../test/sim/timeline';
import { Context, inputOptions, jsonOption, restoreInput } from '../context';
import { downtimeBound } from '../downtime';
import { CliError, EXIT, println } from '../io';
import { printOutcome, StepPrinter } from '../report';
import { CLUSTER_ENGINES, INSTANCE_ENGINES } from '../sim/database';
import { choosePipeline, describePipeline } from '../sim/template';

export function simulateCommand(ctx: Context): Command {
  const cmd = new Command('simulate')
    .summary('dry-run your synthesized TrapheusRestore offline')
    .description('Dry-run your synthesized TrapheusRestore offline: its real state machine and the handlers of this package,\n'
      + 'against an in-memory RDS on a simulated clock, with a generated database that matches the input. Nothing reaches AWS.\n'
      + 'Works for stacks in any language: it reads the template. Exit code 0 when the run SUCCEEDED, 1 when it FAILED.')
    .argument('<template>', 'a synthesized template (cdk.out/<Stack>.template.json) or a cdk.out directory')
    .option('--construct-path <path>', 'which TrapheusRestore, when the templates have more than one (e.g. Restore or DbReset/Restore)')
    .addOption(new Option('--engine <engine>', 'the generated database\'s engine (default: postgres; aurora-postgresql with --cluster)')
      .choices([...INSTANCE_ENGINES, ...CLUSTER_ENGINES]))
    .option('--engine-version <version>', 'its engine version (default: a recent one)')
    .option('--instance-class <class>', 'its DB instance class (default: db.r6g.large)');
  jsonOption(inputOptions(cmd));
  cmd.addHelpText('after', [
    '',
    'Examples:',
    '  npx cdk synth && trapheus-cdk simulate cdk.out --identifier orders-db --task create_snapshot',
    '  trapheus-cdk simulate cdk.out/DbReset.template.json --identifier orders-aurora --cluster --task db_restore --engine aurora-mysql',
  ].join('\n'));
  return cmd.action(async (templatePath: string, opts) => {
    const input = restoreInput(opts);
    const problems = inputProblems(input);
    if (problems.length > 0) throw new CliError(problems.map((p) => p.message).join(' '));
    const pipeline = choosePipeline(templatePath, opts.constructPath);
    const { io } = ctx;
    // Loaded here: the simulator is most of the CLI, and the other commands do without it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { simulate } = require('../sim/simulate') as typeof import('../sim/simulate');
    const sim = await simulate({
      template: pipeline.template,
      stateMachine: pipeline.logicalId,
      task: input.task,
      database: {
        identifier: input.identifier,
        isCluster: input.isCluster,
        engine: opts.engine,
        engineVersion: opts.engineVersion,
        instanceClass: opts.instanceClass,
      },
    }).catch((err: Error) => {
      throw err instanceof CliError ? err : new CliError(`simulate: ${err.message}`);
    });
    const where = describePipeline(pipeline);
    if (opts.json) {
      println(io.stdout, JSON.stringify({ event: 'started', simulated: true, pipeline: where, file: pipeline.file, input, database: sim.seeded }));
    } else {
      println(io.stdout, `Simulating ${where} (${pipeline.file}) offline: ${JSON.stringify(input)}`);
      println(io.stdout, `Database:  ${sim.seeded}`);
      println(io.stdout);
    }
    new StepPrinter((text) => println(io.stdout, text), opts.json).update(sim.result.timeline, true);
    const { result, downtime, alerts } = sim;
    const bound = downtimeBound(result.timeline);
    const outage = downtime.reduce((s, d) => s + d.seconds, 0);
    printOutcome(io, {
      status: result.status,
      seconds: result.seconds,
      error: result.error,
      cause: result.cause,
      details: {
        simulated: true,
        downtime,
        downtimeAtMost: bound?.seconds,
        alerts,
        transitions: result.transitions,
        lambdaInvocations: result.lambdaInvocations,
      },
      lines: [
        ...downtime.map((d) => `Downtime:  ${formatDuration(d.seconds)}, the endpoint unreachable from ${clockTime(d.from)} to ${clockTime(d.to)}`),
        ...(downtime.length > 1 ? [`           ${formatDuration(outage)} in all`] : []),
        `Alerts:    ${alerts.sns} SNS, ${alerts.email} email, ${alerts.slack} Slack (recorded, not sent)`,
        `Cost:      ${result.transitions} state transitions, ${result.lambdaInvocations} Lambda invocations`,
      ],
    }, opts.json, true);
    ctx.exit(result.status === 'SUCCEEDED' ? EXIT.OK : EXIT.FAILED);
  });
}
