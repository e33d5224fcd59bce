import { inputProblems, RestoreInput } from '../src/input-rules';
import { sharedSnapshotProblem } from '../src/input-sources';
import { PipelineError } from './rds/errors';
import { exportNotConfigured } from './rds/exports';
import { logged } from './rds/log';

/**
 * First state of every execution: refuse a bad input before any RDS call.
 * The error is named for the problem (`InvalidIdentifier`, `InvalidTask`,
 * `InvalidIsCluster`, `InvalidSnapshotIdentifier`, `InvalidSource`,
 * `InvalidRestoreTime`, `InvalidInput`) and the message names each field at
 * fault. A snapshot shared from another account is refused here too
 * (`SharedSnapshotNotAllowed`, `SharedSnapshotCopyNotBuilt`), by its ARN alone.
 */
export const handler = logged('validate-input', async (event: { input: unknown }): Promise<RestoreInput> => {
  const problems = inputProblems(event.input);
  if (problems.length > 0) {
    throw new PipelineError(problems[0].error, problems.map((p) => p.message).join(' '));
  }
  const notConfigured = exportNotConfigured((event.input as RestoreInput).task);
  if (notConfigured) throw notConfigured;
  const input = event.input as RestoreInput;
  const sourceAccounts = process.env.SOURCE_ACCOUNTS ? JSON.parse(process.env.SOURCE_ACCOUNTS) as string[] : [];
  const shared = input.task === 'db_restore' ? sharedSnapshotProblem(input.snapshotIdentifier, process.env.ACCOUNT_ID, sourceAccounts) : undefined;
  if (shared) throw new PipelineError(shared.error, shared.message);
  const { identifier, task, isCluster, snapshotIdentifier, source, restoreTime, useLatestRestorableTime } = input;
  return {
    identifier,
    task,
    isCluster,
    ...(snapshotIdentifier !== undefined ? { snapshotIdentifier } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(restoreTime !== undefined ? { restoreTime } : {}),
    ...(useLatestRestorableTime !== undefined ? { useLatestRestorableTime } : {}),
  };
});
