import { errorMessage, Job, StepError } from '../rds/job';

/**
 * Everything an alert says, in one place: the handler builds an `Alert` from
 * what the state machine passes, and each channel renders it (email: subject,
 * text and HTML; Slack: mrkdwn text; SNS: JSON). No channel adds facts of its
 * own, so they all say the same thing.
 *
 * Nothing here prints a stack trace or a raw JSON document: error messages
 * come from `errorMessage()`, which unwraps the Lambda error envelope.
 */

/** Where a failure ended (the `outcome` handler's phase), or `unreported` when the report itself failed. */
export type AlertPhase = 'refused' | 'unchanged' | 'rolled-back' | 'rollback-failed' | 'restored' | 'unreported';

/** The report the `outcome` handler writes at `$.outcome`. */
export interface OutcomeReport {
  readonly error: string;
  readonly cause: string;
  readonly phase: AlertPhase;
}

/** What the notify task passes (see `src/endings.ts`). */
export interface NotifyEvent {
  readonly kind: 'failure' | 'success';
  /** The job document at the end (for a refused input: only `error` and `outcome`). */
  readonly job: Partial<Job> & { outcome?: OutcomeReport; reportError?: StepError };
  /** The execution input, as given (`$$.Execution.Input`): the only source of the identifier when the input was refused. */
  readonly input?: unknown;
  readonly execution: { readonly id: string; readonly name?: string; readonly startTime?: string };
  /** For a success: the name of the state it ended in ("Restored", "Snapshot taken"). */
  readonly ending?: string;
}

export interface Alert {
  readonly kind: 'failure' | 'success';
  /** The identifier as given, cleaned for display; undefined when the input had none. */
  readonly identifier?: string;
  readonly task?: string;
  readonly isCluster?: boolean;
  readonly phase?: AlertPhase;
  /** True when someone has to act on the database. */
  readonly needsAttention: boolean;
  /** One sentence: what happened. */
  readonly headline: string;
  /** Short outcome for the subject line: "rolled back", "ROLLBACK FAILED, needs attention"... */
  readonly outcomeLabel: string;
  /** The error name (the RDS fault or the pipeline's own). */
  readonly error?: string;
  /** The error message, which starts with what the step was doing. */
  readonly message?: string;
  /** Which part of the pipeline failed. */
  readonly stage?: string;
  /** What state the database was left in. */
  readonly state?: string;
  /** What to do now. */
  readonly todo?: string;
  /** For a success: the ending state and a few facts. */
  readonly ending?: string;
  readonly details: ReadonlyArray<readonly [string, string]>;
  readonly execution: {
    readonly arn: string;
    readonly name?: string;
    readonly startTime?: string;
    /** The execution in the Step Functions console, when the partition has a known console. */
    readonly consoleUrl?: string;
  };
  readonly subject: string;
}

/** Console domains per partition. Partitions not listed get the ARN without a link. */
const CONSOLE_DOMAINS: Record<string, string> = {
  'aws': 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/**
 * The Step Functions console page of an execution, from its ARN
 * (`arn:<partition>:states:<region>:<account>:execution:<machine>:<name>`):
 * the console domain depends on the partition, the host on the Region.
 */
export function consoleUrl(executionArn: string): string | undefined {
  const m = /^arn:([a-z-]+):states:([a-z0-9-]+):\d{12}:execution:[^:]+:[^:]+$/.exec(executionArn);
  if (!m) return undefined;
  const [, partition, region] = m;
  const domain = CONSOLE_DOMAINS[partition];
  if (!domain) return undefined;
  return `https://${region}.${domain}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** A user-supplied string made safe to show on one line: no control characters, bounded length. */
export function clean(value: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function field(input: unknown, job: NotifyEvent['job'], key: 'identifier' | 'task' | 'isCluster'): unknown {
  const fromJob = (job as Record<string, unknown>)[key];
  if (fromJob !== undefined) return fromJob;
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>)[key] : undefined;
}

/** `text` ends with a period (or another sentence end). */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}

const STAGES: Record<AlertPhase, string> = {
  'refused': 'Input check, before any RDS call',
  'unchanged': 'Before any change to the database (checks or snapshot)',
  'rolled-back': 'The restore, after the database was renamed out of the way',
  'rollback-failed': 'The restore, after the database was renamed out of the way; then the rollback',
  'restored': 'After the restored database became available (settings, verification or deletion of the old one)',
  'unreported': 'Unknown: the failure report could not be written',
};

/** Build the alert from what the notify task receives. */
export function buildAlert(event: NotifyEvent): Alert {
  const { job, input } = event;
  const rawId = field(input, job, 'identifier');
  const rawTask = field(input, job, 'task');
  const rawCluster = field(input, job, 'isCluster');
  const identifier = typeof rawId === 'string' && rawId.length > 0 ? clean(rawId, 70) : undefined;
  const task = typeof rawTask === 'string' && rawTask.length > 0 ? clean(rawTask, 40) : undefined;
  const isCluster = typeof rawCluster === 'boolean' ? rawCluster : undefined;
  const arn = event.execution.id;
  const execution = { arn, name: event.execution.name, startTime: event.execution.startTime, consoleUrl: consoleUrl(arn) };
  const kindOfDb = isCluster ? 'DB cluster' : 'DB instance';
  const db = identifier ?? 'the database';
  const what = `${task ?? 'restore'} of ${identifier ?? 'an invalid input'}`;

  if (event.kind === 'success') {
    const details: [string, string][] = [];
    if (job.snapshot?.id) details.push(['Snapshot', job.snapshot.id]);
    if (job.original?.endpoint && event.ending !== 'Snapshot taken' && !job.export) details.push(['Endpoint', job.original.endpoint]);
    if (job.export) details.push(['Snapshot', job.export.snapshot], ['Exported to', job.export.s3Path]);
    const secret = job.verified?.masterUserSecret ?? job.stagedVerified?.masterUserSecret;
    if (secret) details.push(['Master password secret', `${secret.secretArn} (new, managed by RDS)`]);
    const ending = event.ending ?? 'Succeeded';
    return {
      kind: 'success',
      identifier,
      task,
      isCluster,
      needsAttention: false,
      headline: `The ${what} succeeded: ${ending.toLowerCase()}.`,
      outcomeLabel: 'succeeded',
      ending,
      details,
      execution,
      subject: `Trapheus: ${what} succeeded`,
    };
  }

  const outcome = job.outcome;
  const phase: AlertPhase = outcome?.phase ?? 'unreported';
  const error = outcome?.error ?? job.error?.Error ?? 'Unknown';
  const message = job.error ? sentence(errorMessage(job.error)) : undefined;
  // The report's cause is "<message> <state the database was left in>": keep the second part.
  let state: string;
  if (outcome) {
    const prefix = message ? `${message} ` : '';
    state = prefix && outcome.cause.startsWith(prefix) ? outcome.cause.slice(prefix.length) : outcome.cause;
  } else {
    state = `The failure report could not be written (${sentence(errorMessage(job.reportError))}) The state of ${db} is unknown: check it in the RDS console.`;
  }
  const attention = phase === 'rollback-failed' || phase === 'restored' || phase === 'unreported' || /needs attention/i.test(state);

  let headline: string;
  let outcomeLabel: string;
  let todo: string;
  switch (phase) {
    case 'refused':
      headline = 'A restore execution was refused because its input is invalid; nothing was changed.';
      outcomeLabel = 'input refused, nothing changed';
      todo = 'Correct the input as the message says and start the execution again. Nothing needs undoing.';
      break;
    case 'unchanged':
      headline = `The ${what} failed before any change: ${db} was not changed.`;
      outcomeLabel = 'nothing changed';
      todo = 'Nothing needs undoing. Fix the cause above, then run the task again.';
      break;
    case 'rolled-back':
      headline = attention
        ? `The ${what} failed; the rollback finished but ${db} needs attention.`
        : `The ${what} failed and was rolled back: ${db} is the original ${kindOfDb} again.`;
      outcomeLabel = attention ? 'rolled back, needs attention' : 'rolled back';
      todo = attention
        ? `Check ${db} in the RDS console before running the task again.`
        : 'Nothing needs undoing. Fix the cause above, then run the task again.';
      break;
    case 'rollback-failed':
      headline = `The ${what} failed and its ROLLBACK FAILED: ${db} needs attention.`;
      outcomeLabel = 'ROLLBACK FAILED, needs attention';
      todo = `Follow the recovery step in the state above. Do not start another restore of ${db} until the original is back under its identifier.`;
      break;
    case 'restored':
      headline = `The ${what} failed after the restored ${kindOfDb} became available: it serves as ${db}, the original is kept.`;
      outcomeLabel = 'restored, old DB kept';
      todo = `Check the restored ${db}. Delete the old one (named above) once you no longer need it: until then a new restore of ${db} is refused.`;
      break;
    case 'unreported':
    default:
      headline = `The ${what} failed and its report could not be written: ${db} needs attention.`;
      outcomeLabel = 'needs attention';
      todo = `Check ${db} in the RDS console and the execution's history before running the task again.`;
      break;
  }
  return {
    kind: 'failure',
    identifier,
    task,
    isCluster,
    phase,
    needsAttention: attention,
    headline,
    outcomeLabel,
    error,
    message,
    state,
    todo,
    stage: STAGES[phase],
    details: [],
    execution,
    subject: `Trapheus: ${what} FAILED (${outcomeLabel})`,
  };
}

function facts(alert: Alert): [string, string][] {
  const rows: [string, string][] = [];
  if (alert.identifier) rows.push(['Identifier', alert.identifier]);
  if (alert.task) rows.push(['Task', alert.task]);
  if (alert.isCluster !== undefined) rows.push(['Kind', alert.isCluster ? 'Aurora cluster' : 'DB instance']);
  return rows;
}

/** The email: subject, plain text and HTML parts. */
export function renderEmail(alert: Alert): { subject: string; text: string; html: string } {
  const lines: string[] = [alert.headline, ''];
  const sections: [string, string[]][] = [];
  if (alert.kind === 'failure') {
    sections.push(['What failed', [
      `Step: ${alert.stage}`,
      `Error: ${alert.error}`,
      ...(alert.message ? [`Message: ${alert.message}`] : []),
    ]]);
    sections.push(['State of the database', [alert.state ?? '']]);
    sections.push(['What to do', [alert.todo ?? '']]);
  } else {
    sections.push(['Result', [`Ended in: ${alert.ending}`, ...alert.details.map(([k, v]) => `${k}: ${v}`)]]);
  }
  sections.push(['Restore', facts(alert).map(([k, v]) => `${k}: ${v}`)]);
  sections.push(['Execution', [
    ...(alert.execution.name ? [`Name: ${alert.execution.name}`] : []),
    ...(alert.execution.startTime ? [`Started: ${alert.execution.startTime}`] : []),
    alert.execution.consoleUrl ? `Console: ${alert.execution.consoleUrl}` : `ARN: ${alert.execution.arn}`,
  ]]);
  for (const [title, body] of sections) {
    if (body.length === 0) continue;
    lines.push(title, ...body.map((b) => `  ${b}`), '');
  }
  lines.push('Sent by trapheus-cdk.');

  const esc = escapeHtml;
  const color = alert.kind === 'success' ? '#1d7f3b' : alert.needsAttention ? '#b3261e' : '#8a5a00';
  const html: string[] = [
    '<!DOCTYPE html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    `<p style="font-size:16px;font-weight:bold;color:${color}">${esc(alert.headline)}</p>`,
  ];
  const row = (k: string, v: string) => `<tr><td style="padding:2px 12px 2px 0;vertical-align:top;color:#555">${esc(k)}</td><td style="padding:2px 0">${esc(v)}</td></tr>`;
  if (alert.kind === 'failure') {
    html.push('<h3 style="margin-bottom:4px">What failed</h3><table>',
      row('Step', alert.stage ?? ''), row('Error', alert.error ?? ''),
      ...(alert.message ? [row('Message', alert.message)] : []), '</table>');
    html.push('<h3 style="margin-bottom:4px">State of the database</h3>', `<p>${esc(alert.state ?? '')}</p>`);
    html.push('<h3 style="margin-bottom:4px">What to do</h3>', `<p>${esc(alert.todo ?? '')}</p>`);
  } else {
    html.push('<h3 style="margin-bottom:4px">Result</h3><table>', row('Ended in', alert.ending ?? ''), ...alert.details.map(([k, v]) => row(k, v)), '</table>');
  }
  const restoreFacts = facts(alert);
  if (restoreFacts.length) html.push('<h3 style="margin-bottom:4px">Restore</h3><table>', ...restoreFacts.map(([k, v]) => row(k, v)), '</table>');
  html.push('<h3 style="margin-bottom:4px">Execution</h3><table>',
    ...(alert.execution.name ? [row('Name', alert.execution.name)] : []),
    ...(alert.execution.startTime ? [row('Started', alert.execution.startTime)] : []),
    '</table>',
    alert.execution.consoleUrl
      ? `<p><a href="${esc(alert.execution.consoleUrl)}">Open the execution in the Step Functions console</a></p>`
      : `<p>Execution ARN: ${esc(alert.execution.arn)}</p>`,
    '<p style="color:#777;font-size:12px">Sent by trapheus-cdk.</p></body></html>');
  return { subject: alert.subject, text: lines.join('\n'), html: html.join('\n') };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Slack escapes only these three in message text. */
function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Slack message (incoming webhook payload): mrkdwn text, no link previews. */
export function renderSlack(alert: Alert): { text: string; unfurl_links: boolean; unfurl_media: boolean } {
  const e = escapeSlack;
  const icon = alert.kind === 'success' ? ':white_check_mark:' : alert.needsAttention ? ':rotating_light:' : ':warning:';
  const lines = [`${icon} *${e(alert.subject)}*`, e(alert.headline)];
  if (alert.kind === 'failure') {
    lines.push(`*What failed:* \`${e(alert.error ?? '')}\`${alert.message ? ` ${e(alert.message)}` : ''}`);
    lines.push(`*Step:* ${e(alert.stage ?? '')}`);
    lines.push(`*Database:* ${e(alert.state ?? '')}`);
    lines.push(`*What to do:* ${e(alert.todo ?? '')}`);
  } else {
    for (const [k, v] of alert.details) lines.push(`*${e(k)}:* ${e(v)}`);
  }
  lines.push(alert.execution.consoleUrl
    ? `<${alert.execution.consoleUrl}|Open the execution in the Step Functions console>`
    : `Execution: ${e(alert.execution.arn)}`);
  return { text: lines.join('\n'), unfurl_links: false, unfurl_media: false };
}

/** The SNS message: the alert as JSON, with a subject for email subscriptions. */
export function renderSns(alert: Alert): { subject: string; message: string } {
  const body = {
    source: 'trapheus-cdk',
    version: 1,
    kind: alert.kind,
    identifier: alert.identifier ?? null,
    task: alert.task ?? null,
    isCluster: alert.isCluster ?? null,
    phase: alert.phase ?? null,
    needsAttention: alert.needsAttention,
    headline: alert.headline,
    error: alert.error ?? null,
    message: alert.message ?? null,
    step: alert.stage ?? null,
    state: alert.state ?? null,
    whatToDo: alert.todo ?? null,
    ending: alert.ending ?? null,
    details: Object.fromEntries(alert.details),
    execution: alert.execution,
  };
  // SNS subjects: at most 100 characters, printable ASCII, one line.
  const ascii = alert.subject.replace(/[^\x20-\x7e]/g, '?');
  const subject = ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
  return { subject, message: JSON.stringify(body) };
}
