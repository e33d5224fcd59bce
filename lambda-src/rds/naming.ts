import { createHash } from 'crypto';

/**
 * Names the pipeline gives to things. Every derived identifier stays valid for
 * RDS: at most 63 characters for DB instances and clusters, letters, digits and
 * single hyphens, starting with a letter, not ending with a hyphen.
 */

export const MAX_IDENTIFIER_LENGTH = 63;
const TEMP_SUFFIX = '-trapheus-old';

/** Tag keys the pipeline puts on the snapshots it makes. */
export const TAG_SOURCE = 'trapheus:source-identifier';
export const TAG_PIPELINE = 'trapheus:pipeline';

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/**
 * Where the original DB (or cluster member) waits while the snapshot is
 * restored under its identifier: `<identifier>-trapheus-old`, or, when that
 * would pass 63 characters, a shortened identifier plus a hash of the whole
 * one, so two long identifiers never share a temporary name.
 */
export function tempIdentifier(identifier: string): string {
  const plain = `${identifier}${TEMP_SUFFIX}`;
  if (plain.length <= MAX_IDENTIFIER_LENGTH) return plain;
  const hash = shortHash(identifier);
  const room = MAX_IDENTIFIER_LENGTH - TEMP_SUFFIX.length - hash.length - 1;
  const base = identifier.slice(0, room).replace(/-+$/, '');
  return `${base}-${hash}${TEMP_SUFFIX}`;
}

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
