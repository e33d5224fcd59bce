import { createHash } from 'crypto';

/**
 * The temporary identifier of the original database during a restore. Shared
 * by the handlers (they rename to it) and the construct (IAM scopes to it).
 */

export const MAX_IDENTIFIER_LENGTH = 63;
export const TEMP_SUFFIX = '-trapheus-old';
/** The staging suffix (cutover `RESTORE_THEN_SWAP`). */
export const STAGING_SUFFIX = '-trapheus-new';

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
  return withSuffix(identifier, TEMP_SUFFIX);
}

/**
 * Where the restored DB is prepared before it takes the original identifier
 * (cutover `RESTORE_THEN_SWAP`): `<identifier>-trapheus-new`, shortened the same way.
 */
export function stagingIdentifier(identifier: string): string {
  return withSuffix(identifier, STAGING_SUFFIX);
}

function withSuffix(identifier: string, suffix: string): string {
  const plain = `${identifier}${suffix}`;
  if (plain.length <= MAX_IDENTIFIER_LENGTH) return plain;
  const hash = shortHash(identifier);
  const room = MAX_IDENTIFIER_LENGTH - suffix.length - hash.length - 1;
  const base = identifier.slice(0, room).replace(/-+$/, '');
  return `${base}-${hash}${suffix}`;
}

