import { Alert, clean, consoleUrl, NotifyEvent } from './render';
import type { FleetSummary, TargetSummary } from '../fleet/summary';
import type { StepError } from '../rds/job';
import { errorMessage } from '../rds/job';

/** What the fleet's alert task passes (src/fleet.ts): the summary, or the error that kept it from being written. */
export interface FleetNotifyEvent extends NotifyEvent {
  readonly fleet: FleetSummary | { readonly error: StepError; readonly refused?: boolean };
}

function line(t: TargetSummary): string {
  const minutes = (s?: number) => (s === undefined ? '?' : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`);
  return clean(`${t.result}${t.error ? ` ${t.error}` : ''}, ${t.task} in ${minutes(t.durationSeconds)}`
    + `${t.downtimeSeconds !== undefined ? `, down ${minutes(t.downtimeSeconds)}` : ''}`
    + `${t.cause ? `: ${t.cause}` : ''}${t.execution ? ` (execution ${t.execution.split(':').pop()})` : ''}`, 400);
}

/**
 * The one alert of a fleet: every target's result on its own row. It needs
 * attention when a target does (its rollback failed, or it failed after the
 * restore); such a target also sends its own alert.
 */
export function buildFleetAlert(event: FleetNotifyEvent): Alert {
  const arn = event.execution.id;
  const execution = { arn, name: event.execution.name, startTime: event.execution.startTime, consoleUrl: consoleUrl(arn) };
  const base = { details: [] as [string, string][], execution };
  if ('refused' in event.fleet && event.fleet.refused) {
    return {
      ...base,
      kind: 'failure',
      needsAttention: false,
      headline: 'A fleet restore was refused before any target started; nothing was changed.',
      outcomeLabel: 'fleet refused, nothing changed',
      error: event.fleet.error?.Error ?? 'Unknown',
      message: clean(errorMessage(event.fleet.error), 600),
      stage: 'The fleet\'s pre-flight (the account\'s RDS quotas), before any target',
      state: 'No target started: every database is as it was.',
      todo: 'Raise the quota, free some of it, or split the fleet as the message says, then start it again.',
      subject: 'Trapheus: fleet restore refused',
    };
  }
  if (!('targets' in event.fleet)) {
    return {
      ...base,
      kind: 'failure',
      needsAttention: true,
      headline: 'A fleet restore ended, but its summary could not be written: the state of its targets is unknown.',
      outcomeLabel: 'fleet summary missing, needs attention',
      error: event.fleet.error?.Error ?? 'Unknown',
      message: clean(errorMessage(event.fleet.error), 300),
      stage: 'The fleet summary, after every target ended',
      state: 'Each target ran as its own child execution: check them in the Step Functions console.',
      todo: 'Look at the fleet\'s child executions; each failed one sent its own alert if it needs attention.',
      subject: 'Trapheus: fleet restore, summary missing',
    };
  }
  const s = event.fleet;
  const rows: [string, string][] = s.targets.map((t) => [`${t.identifier}${t.isCluster ? ' (cluster)' : ''}`, line(t)]);
  if (s.failed === 0) {
    return {
      ...base,
      kind: 'success',
      needsAttention: false,
      headline: `The fleet restore succeeded: all ${s.total} targets.`,
      outcomeLabel: 'succeeded',
      ending: event.ending ?? 'Every target restored',
      details: rows,
      subject: `Trapheus: fleet of ${s.total} succeeded`,
    };
  }
  const failed = s.targets.filter((t) => t.result !== 'SUCCEEDED');
  return {
    ...base,
    kind: 'failure',
    needsAttention: false,
    headline: `The fleet restore failed for ${s.failed} of ${s.total} targets (${failed.map((t) => t.identifier).join(', ')}); ${s.succeeded} succeeded.`,
    outcomeLabel: `${s.failed} of ${s.total} targets failed`,
    error: 'FleetTargetsFailed',
    message: `${s.failed} of ${s.total} targets failed.`,
    stage: `A fleet of ${s.total} targets, each its own child execution`,
    state: rows.map(([k, v]) => `${k}: ${v}`).join('\n'),
    todo: 'Each failed target\'s row says what state its database was left in (a target that needs attention sent its own alert too). '
      + 'Fix the cause, then start a fleet of the failed targets.',
    details: rows,
    subject: `Trapheus: fleet of ${s.total}, ${s.failed} failed`,
  };
}
