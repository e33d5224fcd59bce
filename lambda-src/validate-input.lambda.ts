import { DEFAULT_FLEET_CONCURRENCY, FleetJob, fleetProblems, isFleetInput, pollPace, startDelay } from '../src/fleet-input';
import { InputProblem, inputProblems, RestoreInput } from '../src/input-rules';
import { sharedSnapshotProblem } from '../src/input-sources';
import { PipelineError } from './rds/errors';
import { exportNotConfigured } from './rds/exports';
import { logged } from './rds/log';

/**
 * First state of every execution: refuse a bad input before any RDS call.
 * The error is named for the problem (`InvalidIdentifier`, `InvalidTask`,
 * `InvalidIsCluster`, `InvalidSnapshotIdentifier`, `InvalidSource`,
 * `InvalidRestoreTime`, `InvalidInput`) and the message names each field at
 * fault. A snapshot shared from an account that `sourceAccounts` does not
 * list is refused here too (`SharedSnapshotNotAllowed`), by its ARN alone.
 */
export const handler = logged('validate-input', async (event: { input: unknown; _execution?: string }): Promise<RestoreInput | FleetJob> => {
  if (isFleetInput(event.input)) return validFleet(event.input as Record<string, unknown>, event._execution ?? '');
  return validTarget(event.input, inputProblems(event.input), '');
});

function refuse(problems: InputProblem[]): never {
  throw new PipelineError(problems[0].error, problems.map((p) => p.message).join(' '));
}

/** One target's clean input, or its refusal; `at` names it in a fleet (`targets[3]: `). */
function validTarget(raw: unknown, problems: InputProblem[], at: string): RestoreInput & { pace: number } {
  if (problems.length > 0) refuse(problems);
  const input = raw as RestoreInput;
  const notConfigured = exportNotConfigured(input.task);
  if (notConfigured) throw new PipelineError(notConfigured.name, `${at}${notConfigured.message}`);
  const sourceAccounts = process.env.SOURCE_ACCOUNTS ? JSON.parse(process.env.SOURCE_ACCOUNTS) as string[] : [];
  const shared = input.task === 'db_restore' ? sharedSnapshotProblem(input.snapshotIdentifier, process.env.ACCOUNT_ID, sourceAccounts) : undefined;
  if (shared) throw new PipelineError(shared.error, `${at}${shared.message}`);
  const { identifier, task, isCluster, snapshotIdentifier, source, restoreTime, useLatestRestorableTime, fleet } = input;
  return {
    identifier,
    task,
    isCluster,
    ...(snapshotIdentifier !== undefined ? { snapshotIdentifier } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(restoreTime !== undefined ? { restoreTime } : {}),
    ...(useLatestRestorableTime !== undefined ? { useLatestRestorableTime } : {}),
    ...(fleet !== undefined ? { fleet } : {}),
    // The least seconds between this run's status checks (every wait reads it): more in a larger fleet.
    pace: pollPace(fleet?.size),
  };
}

/**
 * A fleet: every target is checked before any starts, and one bad target
 * refuses the whole fleet, naming it (`targets[3].identifier: ...`). Each
 * target's clean input gets `fleet` { execution, size }: its child execution
 * leaves the alerts to the fleet and paces its polls by the fleet's size.
 */
function validFleet(input: Record<string, unknown>, execution: string): FleetJob {
  const problems = fleetProblems(input);
  if (problems.length > 0) refuse(problems);
  const raw = input.targets as unknown[];
  const size = raw.length;
  const fallback = Number(process.env.FLEET_CONCURRENCY ?? DEFAULT_FLEET_CONCURRENCY);
  const maxConcurrency = Math.min(size, (input.maxConcurrency as number | undefined) ?? fallback);
  const targets = raw.map((t, i) => {
    const { pace: _, ...clean } = validTarget(t, [], `targets[${i}]: `);
    return { ...clean, fleet: { execution, size, delay: startDelay(i, maxConcurrency) } };
  });
  return { targets, size, maxConcurrency };
}
