/**
 * The execution input contract, shared by the construct (schedule targets are
 * checked at synth) and the `validate-input` handler (checked at run time,
 * before any RDS call). Plain TypeScript: no CDK imports, so the handler bundle
 * stays small.
 */
import { FleetMember, fleetMemberProblem } from './fleet-input';
import { RestoreSource, SOURCE_FIELDS, sourceProblems } from './input-sources';

/** The tasks a restore execution accepts. */
export const TASKS = ['create_snapshot', 'db_restore', 'create_snapshot_only', 'export_snapshot'] as const;
export type Task = typeof TASKS[number];

/** The fields an execution input may have; anything else is refused. */
export const INPUT_FIELDS = ['identifier', 'task', 'isCluster', ...SOURCE_FIELDS] as const;

export interface RestoreInput {
  readonly identifier: string;
  readonly task: Task;
  readonly isCluster: boolean;
  /** db_restore: the snapshot to restore (a name, or a shared snapshot's ARN); create tasks: the new snapshot's name. */
  readonly snapshotIdentifier?: string;
  /** db_restore: where from (default `snapshot`). */
  readonly source?: RestoreSource;
  /** point-in-time: the time to restore to (ISO 8601 UTC). */
  readonly restoreTime?: string;
  /** point-in-time: the latest restorable time instead of `restoreTime`. */
  readonly useLatestRestorableTime?: boolean;
  /** Set by a fleet on each target's child execution: the fleet sends the alerts and paces the polls. */
  readonly fleet?: FleetMember;
}

/** One thing wrong with an input: the error name the execution fails with, and why. */
export interface InputProblem {
  /**
   * `InvalidInput`, `InvalidIdentifier`, `InvalidTask`, `InvalidIsCluster`,
   * `InvalidSnapshotIdentifier`, `InvalidSource` or `InvalidRestoreTime`.
   */
  readonly error: string;
  /** The field at fault, or `input` for the payload as a whole. */
  readonly field: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * Why `identifier` breaks the RDS identifier rules for DB instances and
 * clusters, or undefined when it follows them: 1 to 63 characters, lowercase
 * letters, digits and hyphens, starting with a letter, no two hyphens in a row,
 * not ending with a hyphen.
 */
export function identifierProblem(identifier: string): string | undefined {
  if (identifier.length === 0) return 'it is empty; give the DB instance or cluster identifier';
  if (identifier.length > 63) return `it has ${identifier.length} characters; RDS identifiers have at most 63`;
  if (/[A-Z]/.test(identifier) && /^[A-Za-z0-9-]+$/.test(identifier)) {
    return `it has uppercase letters; RDS stores identifiers in lowercase, so use "${identifier.toLowerCase()}"`;
  }
  const bad = identifier.match(/[^a-z0-9-]/);
  if (bad) return `it contains ${JSON.stringify(bad[0])}; only lowercase letters, digits and hyphens are allowed`;
  if (!/^[a-z]/.test(identifier)) return 'it must start with a letter';
  if (identifier.endsWith('-')) return 'it must not end with a hyphen';
  if (identifier.includes('--')) return 'it must not contain two consecutive hyphens';
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Every problem with an execution input, in field order; empty when the input
 * is valid.
 */
export function inputProblems(input: unknown): InputProblem[] {
  const example = '{"identifier": "my-db", "task": "db_restore", "isCluster": false}';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{
      error: 'InvalidInput',
      field: 'input',
      message: `The execution input must be a JSON object like ${example}, not ${describe(input)}.`,
    }];
  }
  const problems: InputProblem[] = [];
  const record = input as Record<string, unknown>;
  // `fleet` is set by a fleet on its targets' child executions, not written by hand.
  const unknown = Object.keys(record).filter((k) => k !== 'fleet' && !(INPUT_FIELDS as readonly string[]).includes(k));
  for (const key of unknown) {
    problems.push({
      error: 'InvalidInput',
      field: key,
      message: `Unknown field "${key}": the input takes only ${INPUT_FIELDS.join(', ')}. Remove "${key}" (check its spelling).`,
    });
  }

  const identifier = record.identifier;
  if (identifier === undefined) {
    problems.push({ error: 'InvalidIdentifier', field: 'identifier', message: `"identifier" is missing: add the DB instance or cluster identifier, as in ${example}.` });
  } else if (typeof identifier !== 'string') {
    problems.push({ error: 'InvalidIdentifier', field: 'identifier', message: `"identifier" must be a string, not ${describe(identifier)}.` });
  } else {
    const why = identifierProblem(identifier);
    if (why) problems.push({ error: 'InvalidIdentifier', field: 'identifier', message: `"identifier" ${JSON.stringify(identifier)} is not a valid RDS identifier: ${why}.` });
  }

  const task = record.task;
  const allowed = TASKS.map((t) => `"${t}"`).join(', ');
  if (task === undefined) {
    problems.push({ error: 'InvalidTask', field: 'task', message: `"task" is missing: use one of ${allowed}.` });
  } else if (typeof task !== 'string' || !(TASKS as readonly string[]).includes(task)) {
    const near = typeof task === 'string'
      ? TASKS.find((t) => t === task.trim().toLowerCase().replace(/[\s-]/g, '_'))
      : undefined;
    problems.push({
      error: 'InvalidTask',
      field: 'task',
      message: `"task" is ${describe(task)}; it must be one of ${allowed}${near ? ` (did you mean "${near}"?)` : ''}.`,
    });
  }

  const isCluster = record.isCluster;
  if (isCluster === undefined) {
    problems.push({ error: 'InvalidIsCluster', field: 'isCluster', message: '"isCluster" is missing: use true for an Aurora cluster, false for a DB instance.' });
  } else if (typeof isCluster !== 'boolean') {
    problems.push({ error: 'InvalidIsCluster', field: 'isCluster', message: `"isCluster" must be a JSON boolean (true or false, without quotes), not ${describe(isCluster)}.` });
  }
  problems.push(...sourceProblems(record, task, isCluster));
  if (record.fleet !== undefined) {
    const why = fleetMemberProblem(record.fleet);
    if (why) problems.push({ error: 'InvalidInput', field: 'fleet', message: `"fleet" (set by a fleet execution on its targets) ${why}.` });
  }
  return problems;
}

/** The tag that marks a DB instance or cluster as one the pipeline may restore (without `allowedIdentifiers`). */
export const RESTORABLE_TAG_KEY = 'trapheus:restorable';
export const RESTORABLE_TAG_VALUE = 'true';

/** Why an `allowedIdentifiers` entry is invalid: an identifier, or a prefix ending in `*`. */
export function allowedPatternProblem(pattern: string): string | undefined {
  if (pattern === '*') return 'would allow every database; leave allowedIdentifiers out to use the trapheus:restorable tag instead';
  const prefix = pattern.endsWith('*');
  const body = prefix ? pattern.slice(0, -1) : pattern;
  if (body.includes('*')) return 'may contain * only at the end (a prefix)';
  if (prefix) {
    if (!/^[a-z][a-z0-9-]*$/.test(body)) return 'must start with a lowercase letter, then lowercase letters, digits and hyphens, before the *';
    return undefined;
  }
  const why = identifierProblem(body);
  return why ? `is not a valid RDS identifier: ${why}` : undefined;
}

/** Whether `identifier` matches one of the patterns (exact, or prefix ending in `*`). */
export function isAllowed(identifier: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? identifier.startsWith(p.slice(0, -1)) : identifier === p));
}
