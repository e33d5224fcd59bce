import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, Option } from 'commander';
import { Io } from './io';
import { TargetOptions } from './locate';
import { TASKS } from '../src/input-rules';

/** What every command gets: where to write, its AWS clients, and where to put its exit code. */
export interface Context {
  readonly io: Io;
  /** Clients with the default configuration (Region, credentials, endpoint from the environment), `--region` aside. */
  sfn(): SFNClient;
  cfn(): CloudFormationClient;
  exit(code: number): void;
}

/** Options that name the pipeline: `--state-machine`, or `--stack` with `--construct-path`. */
export function targetOptions(cmd: Command): Command {
  return cmd
    .option('--state-machine <arn>', 'the pipeline\'s state machine ARN (the TrapheusRestore\'s stateMachine)')
    .option('--stack <name>', 'or: the deployed stack that holds the TrapheusRestore ...')
    .option('--construct-path <path>', '... and its construct path in that stack, e.g. Restore or DbReset/Restore');
}

export function target(opts: Record<string, any>): TargetOptions {
  return { stateMachine: opts.stateMachine, stack: opts.stack, constructPath: opts.constructPath };
}

/** The restore input options: `--identifier`, `--task`, `--cluster`. */
export function inputOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--identifier <id>', 'the DB instance (or, with --cluster, the Aurora DB cluster) identifier')
    .addOption(new Option('--task <task>', 'what to do').choices(TASKS).makeOptionMandatory())
    .option('--cluster', 'the identifier is an Aurora DB cluster', false);
}

export function restoreInput(opts: Record<string, any>): { identifier: string; task: string; isCluster: boolean } {
  return { identifier: opts.identifier, task: opts.task, isCluster: Boolean(opts.cluster) };
}

export const jsonOption = (cmd: Command) => cmd.option('--json', 'machine output: one JSON object per line', false);
