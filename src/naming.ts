import { createHash } from 'crypto';

/**
 * The temporary identifier of the original database during a restore. Shared
 * by the handlers (they rename to it) and the construct (IAM scopes to it).
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

