import { PipelineError } from './errors';
import type { Job, OriginalCluster } from './job';
import { stagingIdentifier } from './naming';
import { STAGING_SUFFIX } from '../../src/naming';

/**
 * The staged Aurora cluster (cutover RESTORE_THEN_SWAP, or a DNS alias): the
 * restored cluster is built beside the original, under `original.staging`,
 * with each member under its staging name (`original.stagingMembers`).
 */

/**
 * The other of the two names a DNS alias database alternates between:
 * `<name>` and `<name>-trapheus-new`.
 */
export function otherName(identifier: string): string {
  return identifier.endsWith(STAGING_SUFFIX) ? identifier.slice(0, -STAGING_SUFFIX.length) : stagingIdentifier(identifier);
}

/**
 * The job as the staged cluster's steps see it: the identifier is the staging
 * cluster's, each member (and the writer) has its staging name. The restore,
 * settings, verification and partial-delete steps then work on it unchanged.
 */
export function stagedView(job: Job): Job {
  const original = job.original as OriginalCluster | undefined;
  if (!original?.staging || !original.stagingMembers) {
    throw new PipelineError('InvalidJob', `The job for ${job.identifier} has no staging identifiers (cutover RESTORE_THEN_SWAP or a DNS alias).`);
  }
  const names = new Map(original.memberIdentifiers.map((id, i) => [id, original.stagingMembers![i]]));
  const staged = (id: string) => names.get(id) ?? id;
  return {
    ...job,
    identifier: original.staging,
    original: {
      ...original,
      writer: original.writer && staged(original.writer),
      members: original.members.map((m) => ({ ...m, identifier: staged(m.identifier) })),
      memberIdentifiers: original.memberIdentifiers.map(staged),
    },
  };
}
