import { inputProblems, RestoreInput } from '../src/input-rules';
import { PipelineError } from './rds/errors';
import { exportNotConfigured } from './rds/exports';
import { logged } from './rds/log';

/**
 * First state of every execution: refuse a bad input before any RDS call.
 * The error is named for the problem (`InvalidIdentifier`, `InvalidTask`,
 * `InvalidIsCluster`, `InvalidInput`) and the message names each field at fault.
 */
export const handler = logged('validate-input', async (event: { input: unknown }): Promise<RestoreInput> => {
  const problems = inputProblems(event.input);
  if (problems.length > 0) {
    throw new PipelineError(problems[0].error, problems.map((p) => p.message).join(' '));
  }
  const notConfigured = exportNotConfigured((event.input as RestoreInput).task);
  if (notConfigured) throw notConfigured;
  const { identifier, task, isCluster } = event.input as RestoreInput;
  return { identifier, task, isCluster };
});
