/**
 * Names the pipeline gives to things. Every derived identifier stays valid for
 * RDS: at most 63 characters for DB instances and clusters, letters, digits and
 * single hyphens, starting with a letter, not ending with a hyphen.
 */

export { MAX_IDENTIFIER_LENGTH, stagingIdentifier, TAG_PIPELINE, TAG_SOURCE, TEMP_SUFFIX, tempIdentifier } from '../../src/naming';

/** The snapshot name the original Trapheus used; still accepted by `db_restore`. */
export function legacySnapshotIdentifier(identifier: string): string {
  return `${identifier}-snapshot`;
}

/** The `snapshotNamePrefix` prop (SNAPSHOT_NAME_PREFIX), or none. */
export function snapshotNamePrefix(): string {
  return process.env.SNAPSHOT_NAME_PREFIX ?? '';
}

/**
 * The name of a snapshot this pipeline makes: `<snapshotNamePrefix><identifier>-trapheus-YYYYMMDD-HHMMSS`
 * from the execution's start time, so a retried call finds the snapshot it already
 * asked for instead of making a second one.
 */
export function snapshotIdentifier(identifier: string, startedAt: string | Date, prefix = snapshotNamePrefix()): string {
  const iso = new Date(startedAt).toISOString(); // 2026-01-09T08:00:00.000Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  return `${prefix}${identifier}-trapheus-${stamp}`;
}

/** Whether `name` has the pattern of the snapshots this pipeline names (and so may prune) for `identifier`. */
export function isPipelineSnapshotName(name: string, identifier: string, prefix = snapshotNamePrefix()): boolean {
  return name.startsWith(`${prefix}${identifier}-trapheus-`) && /^\d{8}-\d{6}$/.test(name.slice(`${prefix}${identifier}-trapheus-`.length));
}
