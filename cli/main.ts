import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { historyCommand } from './commands/history';
import { runCommand } from './commands/run';
import { simulateCommand } from './commands/simulate';
import { statusCommand } from './commands/status';
import { Context } from './context';
import { CliError, EXIT, Io, PROCESS_IO, println } from './io';

/**
 * `trapheus-cdk <command>`: runs the command given by `argv` (the arguments
 * after the program name), writing to `io`; resolves to the exit code.
 */
export async function main(argv: string[], io: Io = PROCESS_IO): Promise<number> {
  let code: number = EXIT.OK;
  const program = new Command('trapheus-cdk')
    .description('Restore an RDS DB instance or Aurora cluster in place with a deployed TrapheusRestore, follow it, '
      + 'look back at past restores, or dry-run your synthesized pipeline offline.')
    .version(version)
    .option('--region <region>', 'the AWS Region (default: AWS_REGION or your profile\'s)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  // Clients with the default configuration: credentials, Region and endpoint (AWS_ENDPOINT_URL_SFN...) from the environment.
  const config = () => (program.opts().region ? { region: program.opts().region } : {});
  const ctx: Context = {
    io,
    sfn: () => new SFNClient(config()),
    cfn: () => new CloudFormationClient(config()),
    exit: (c) => { code = c; },
  };
  for (const cmd of [runCommand(ctx), statusCommand(ctx), historyCommand(ctx), simulateCommand(ctx)]) {
    program.addCommand(cmd.copyInheritedSettings(program));
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    const e = err as Error & { $metadata?: unknown };
    const what = e instanceof CliError ? e.message : `${e.$metadata ? 'AWS answered ' : ''}${e.name}: ${e.message}`;
    println(io.stderr, `trapheus-cdk: ${what}`);
    return EXIT.ERROR;
  }
}
