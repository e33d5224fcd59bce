import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { RdsSimulator } from './rds-sim';
import { ACCOUNT, Definition, definitionFromTemplate, REGION, RunOptions, RunResult, runDefinition } from './template-pipeline';
import { TrapheusRestore, TrapheusRestoreProps } from '../../src';

/**
 * The pipeline runner (`template-pipeline.ts`), started from a CDK Stack: the
 * stack is synthesized, and its template's state machine runs.
 */
export * from './template-pipeline';

/**
 * The stack a test or the demo runs: one TrapheusRestore in a fresh App.
 * `props` may be a function of the stack, for props that need a scope (a secret).
 */
export function buildStack(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}): { stack: Stack; restore: TrapheusRestore } {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
  const restore = new TrapheusRestore(stack, 'Restore', typeof props === 'function' ? props(stack) : props);
  return { stack, restore };
}

/** The state machine definition and its functions, read from the synthesized template. */
export function definitionFrom(stack: Stack): Definition {
  return definitionFromTemplate(Template.fromStack(stack).toJSON());
}

/**
 * Run one execution of `stack`'s state machine with `input`, against `sim`
 * (which must be installed). Resolves when the execution ends, SUCCEEDED or FAILED.
 */
export async function runPipeline(source: Stack | Definition, input: unknown, sim: RdsSimulator, options: RunOptions = {}): Promise<RunResult> {
  return runDefinition(source instanceof Stack ? definitionFrom(source) : source, input, sim, options);
}
