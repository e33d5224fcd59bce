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

/**
 * The name of a snapshot this pipeline makes: `<identifier>-trapheus-YYYYMMDD-HHMMSS`
 * from the execution's start time, so a retried call finds the snapshot it already
 * asked for instead of making a second one.
 */
export function snapshotIdentifier(identifier: string, startedAt: string | Date): string {
  const iso = new Date(startedAt).toISOString(); // 2026-01-09T08:00:00.000Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  return `${identifier}-trapheus-${stamp}`;
}
