/**
 * The optional fields of the execution input that say where a restore comes
 * from, and what a new snapshot is called: `snapshotIdentifier`, `source`,
 * `restoreTime`, `useLatestRestorableTime`. Plain TypeScript, shared by the
 * construct (schedule targets, at synth) and the `validate-input` handler.
 */

/** Where `db_restore` restores from. */
export const SOURCES = ['snapshot', 'latest-automated', 'point-in-time'] as const;
export type RestoreSource = typeof SOURCES[number];

/** The optional input fields of this file. */
export const SOURCE_FIELDS = ['snapshotIdentifier', 'source', 'restoreTime', 'useLatestRestorableTime'] as const;

/** One problem, as `InputProblem` of input-rules.ts. */
export interface SourceProblem {
  readonly error: string;
  readonly field: string;
  readonly message: string;
}

/**
 * The suffix of the snapshots the pipeline names and prunes
 * (`<snapshotNamePrefix><identifier>-trapheus-YYYYMMDD-HHMMSS`).
 */
export const PIPELINE_SNAPSHOT_SUFFIX = /-trapheus-\d{8}-\d{6}$/;

/**
 * A DB snapshot or DB cluster snapshot ARN
 * (`arn:<partition>:rds:<region>:<account>:snapshot:<name>` or `…:cluster-snapshot:<name>`).
 */
const SNAPSHOT_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):(snapshot|cluster-snapshot):(.+)$/;

export interface SnapshotArn {
  readonly account: string;
  readonly region: string;
  readonly type: 'snapshot' | 'cluster-snapshot';
  readonly name: string;
}

export function parseSnapshotArn(value: string): SnapshotArn | undefined {
  const m = SNAPSHOT_ARN.exec(value);
  return m ? { region: m[2], account: m[3], type: m[4] as SnapshotArn['type'], name: m[5] } : undefined;
}

/**
 * Why `name` is not a manual snapshot name RDS accepts, or undefined. RDS
 * (API_CreateDBSnapshot, DBSnapshotIdentifier; API_CreateDBClusterSnapshot):
 * 1 to 255 letters, digits or hyphens, a letter first, no two hyphens in a
 * row, no hyphen at the end. RDS stores it in lowercase.
 */
export function snapshotNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 255) return `it has ${name.length} characters; snapshot identifiers have at most 255`;
  const bad = name.match(/[^A-Za-z0-9-]/);
  if (bad) return `it contains ${JSON.stringify(bad[0])}; only letters, digits and hyphens are allowed`;
  if (!/^[A-Za-z]/.test(name)) return 'it must start with a letter';
  if (name.endsWith('-')) return 'it must not end with a hyphen';
  if (name.includes('--')) return 'it must not contain two consecutive hyphens';
  return undefined;
}

/** ISO 8601 in UTC, as RestoreTime takes it: `2026-01-09T07:30:00Z` (seconds and milliseconds optional). */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?Z$/;

function restoreTimeProblem(value: string): string | undefined {
  const m = ISO_UTC.exec(value);
  if (!m) return 'it must be an ISO 8601 time in UTC, like "2026-01-09T07:30:00Z" (with the Z)';
  const d = new Date(value);
  // 2026-02-30 parses to March 2: compare the fields back
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 16) !== `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`
    || Number(m[6] ?? 0) > 59) {
    return 'it is not a real date and time';
  }
  return undefined;
}

const show = (v: unknown) => (typeof v === 'string' ? `the string ${JSON.stringify(v)}` : v === null ? 'null' : `${typeof v} ${JSON.stringify(v)}`);

/**
 * Every problem with the source fields of `record`, for the task `task` and
 * `isCluster` (which may be invalid themselves: then only the checks that do
 * not depend on them run).
 */
export function sourceProblems(record: Record<string, unknown>, task: unknown, isCluster: unknown): SourceProblem[] {
  const out: SourceProblem[] = [];
  const add = (error: string, field: string, message: string) => out.push({ error, field, message });
  const restoring = task === 'db_restore';
  const creating = task === 'create_snapshot' || task === 'create_snapshot_only';
  const { snapshotIdentifier: id, source, restoreTime, useLatestRestorableTime: latest } = record;

  if (source !== undefined) {
    const allowed = SOURCES.map((s) => `"${s}"`).join(', ');
    if (typeof task === 'string' && !restoring) {
      add('InvalidSource', 'source', `"source" applies only to the task "db_restore", not "${task}": remove it.`);
    } else if (typeof source !== 'string' || !(SOURCES as readonly string[]).includes(source)) {
      const near = typeof source === 'string' ? SOURCES.find((s) => s === source.trim().toLowerCase().replace(/[\s_]/g, '-')) : undefined;
      add('InvalidSource', 'source', `"source" is ${show(source)}; it must be one of ${allowed}${near ? ` (did you mean "${near}"?)` : ''}.`);
    }
  }
  const effective = source ?? 'snapshot';
  const pointInTime = effective === 'point-in-time';

  if (pointInTime) {
    if (restoreTime === undefined && latest === undefined) {
      add('InvalidRestoreTime', 'restoreTime', '"source": "point-in-time" needs "restoreTime" (ISO 8601 UTC, like "2026-01-09T07:30:00Z") or "useLatestRestorableTime": true.');
    }
    if (restoreTime !== undefined && latest !== undefined) {
      add('InvalidRestoreTime', 'useLatestRestorableTime', 'Give either "restoreTime" or "useLatestRestorableTime": true, not both (RDS takes one or the other).');
    }
  } else {
    const why = `applies only to "source": "point-in-time"${restoring ? '' : ' (of the task "db_restore")'}: remove it, or set "source": "point-in-time"`;
    if (restoreTime !== undefined) add('InvalidRestoreTime', 'restoreTime', `"restoreTime" ${why}.`);
    if (latest !== undefined) add('InvalidRestoreTime', 'useLatestRestorableTime', `"useLatestRestorableTime" ${why}.`);
  }
  if (restoreTime !== undefined && pointInTime) {
    const why = typeof restoreTime === 'string' ? restoreTimeProblem(restoreTime) : `it must be a string, not ${show(restoreTime)}`;
    if (why) add('InvalidRestoreTime', 'restoreTime', `"restoreTime" ${typeof restoreTime === 'string' ? `${JSON.stringify(restoreTime)} ` : ''}is not valid: ${why}.`);
  }
  if (latest !== undefined && pointInTime && latest !== true) {
    add('InvalidRestoreTime', 'useLatestRestorableTime', `"useLatestRestorableTime" must be true (a JSON boolean), not ${show(latest)}; to restore to a given time, use "restoreTime" instead.`);
  }

  if (id !== undefined) {
    if (typeof id !== 'string') {
      add('InvalidSnapshotIdentifier', 'snapshotIdentifier', `"snapshotIdentifier" must be a string, not ${show(id)}.`);
    } else if (restoring && effective !== 'snapshot') {
      add('InvalidSnapshotIdentifier', 'snapshotIdentifier', `"snapshotIdentifier" applies to "source": "snapshot" only, not "${String(effective)}": remove one of them.`);
    } else if (restoring) {
      out.push(...restoreSnapshotProblems(id, isCluster));
    } else if (!creating) {
      // another task that reads a snapshot (export_snapshot): a name or an ARN
      const arn = id.startsWith('arn:') ? parseSnapshotArn(id) : undefined;
      const why = id.startsWith('arn:') ? (arn ? undefined : 'it is not a DB snapshot or DB cluster snapshot ARN') : snapshotNameProblem(id.replace(/^rds:/i, ''));
      if (why) add('InvalidSnapshotIdentifier', 'snapshotIdentifier', `"snapshotIdentifier" ${JSON.stringify(id)} is not a valid snapshot name: ${why}.`);
    } else {
      const why = id.startsWith('arn:') ? 'the new snapshot takes a name, not an ARN' : snapshotNameProblem(id)
        ?? (PIPELINE_SNAPSHOT_SUFFIX.test(id) ? 'names ending in -trapheus-YYYYMMDD-HHMMSS are the ones the pipeline makes and prunes; choose another name' : undefined);
      if (why) add('InvalidSnapshotIdentifier', 'snapshotIdentifier', `"snapshotIdentifier" ${JSON.stringify(id)} is not a valid name for the new snapshot: ${why}.`);
    }
  }
  return out;
}

function restoreSnapshotProblems(id: string, isCluster: unknown): SourceProblem[] {
  const problem = (message: string): SourceProblem[] => [{ error: 'InvalidSnapshotIdentifier', field: 'snapshotIdentifier', message }];
  if (/^rds:/i.test(id)) {
    return problem(`"snapshotIdentifier" ${JSON.stringify(id)} is an automated snapshot (rds:…): use "source": "latest-automated" for the newest one, `
      + 'or "source": "point-in-time" for any time in the backup retention period.');
  }
  if (id.startsWith('arn:')) {
    const arn = parseSnapshotArn(id);
    if (!arn) return problem(`"snapshotIdentifier" ${JSON.stringify(id)} is not a DB snapshot or DB cluster snapshot ARN (arn:aws:rds:<region>:<account>:snapshot:<name>).`);
    const wanted = isCluster === true ? 'cluster-snapshot' : 'snapshot';
    if (typeof isCluster === 'boolean' && arn.type !== wanted) {
      return problem(`"snapshotIdentifier" is a ${arn.type === 'snapshot' ? 'DB snapshot' : 'DB cluster snapshot'} ARN, but ${isCluster ? 'a cluster restores from a DB cluster snapshot (…:cluster-snapshot:…)' : 'a DB instance restores from a DB snapshot (…:snapshot:…)'}.`);
    }
    if (/^rds:/i.test(arn.name)) return problem('"snapshotIdentifier" names an automated snapshot (rds:…): use "source": "latest-automated".');
    const why = snapshotNameProblem(arn.name);
    return why ? problem(`The snapshot name in "snapshotIdentifier" is not valid: ${why}.`) : [];
  }
  const why = snapshotNameProblem(id);
  return why ? problem(`"snapshotIdentifier" ${JSON.stringify(id)} is not a valid snapshot name: ${why}.`) : [];
}

/**
 * A snapshot shared from another account: refused unless `sourceAccounts`
 * lists its account (then the pipeline copies it into this account before the
 * restore). Undefined for a name, an ARN of this account, or one of a listed account.
 */
export function sharedSnapshotProblem(
  id: string | undefined, account: string | undefined, sourceAccounts: readonly string[],
): SourceProblem | undefined {
  const arn = id ? parseSnapshotArn(id) : undefined;
  if (!arn || arn.account === account || sourceAccounts.includes(arn.account)) return undefined;
  return {
    error: 'SharedSnapshotNotAllowed',
    field: 'snapshotIdentifier',
    message: `"snapshotIdentifier" is a snapshot of account ${arn.account}, which this pipeline's sourceAccounts does not list`
      + `${sourceAccounts.length ? ` (${sourceAccounts.join(', ')})` : ' (it is empty: shared snapshots are refused)'}: add the account to sourceAccounts to allow its snapshots.`,
  };
}
