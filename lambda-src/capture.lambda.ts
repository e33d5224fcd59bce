import { isAllowed, RESTORABLE_TAG_KEY, RESTORABLE_TAG_VALUE, RestoreInput } from '../src/input-rules';
import { captureClusterConfig, captureMemberConfig } from './rds/cluster-config';
import { clusterMembers, findCluster, unsupportedKind, writerOf } from './rds/clusters';
import { PipelineError } from './rds/errors';
import { captureInstanceConfig } from './rds/instance-config';
import { findInstance } from './rds/instances';
import type { DnsRef, Original, OriginalCluster } from './rds/job';
import { logged } from './rds/log';
import { MAX_IDENTIFIER_LENGTH, stagingIdentifier, TEMP_SUFFIX, tempIdentifier } from './rds/naming';
import { otherName } from './rds/staged-cluster';
import { STAGING_SUFFIX } from '../src/naming';
import { checkPassable, rolesOfCluster, rolesOfInstance } from './rds/passable-roles';
import { checkRestorableWindow } from './rds/restore-window';

/**
 * Pre-flight checks and the configuration snapshot, before any change:
 * the instance exists, is available, is not part of a cluster and has no
 * read replicas, its temporary identifier is free, and a point-in-time
 * restore's time is in its restorable window.
 */
export const handler = logged('capture', async (event: RestoreInput | { job: RestoreInput }): Promise<Original | OriginalCluster> => {
  // the state machine passes the whole job (its optional input fields may be absent); tests may pass the input itself
  const job = 'job' in event ? event.job : event;
  return job.isCluster ? captureCluster(job) : captureInstance(job);
});

/**
 * Whether the pipeline may change these databases: listed in
 * `allowedIdentifiers` (ALLOWED_IDENTIFIERS), or, without that list, tagged
 * `trapheus:restorable=true`. The IAM policies enforce the same rule; checking
 * it here refuses the run before any change instead of failing half-way.
 */
function checkAllowed(what: string, items: { identifier: string; tags?: { Key?: string; Value?: string }[] }[]): void {
  const list = process.env.ALLOWED_IDENTIFIERS ? JSON.parse(process.env.ALLOWED_IDENTIFIERS) as string[] : undefined;
  if (list) {
    const refused = items.filter((i) => !isAllowed(i.identifier, list)).map((i) => i.identifier);
    if (refused.length > 0) {
      throw new PipelineError('IdentifierNotAllowed', `${refused.join(', ')} ${refused.length > 1 ? 'are' : 'is'} not in this pipeline's `
        + `allowedIdentifiers (${list.join(', ')}): ${what} may not be restored by it.`);
    }
    // An entry given as a token (db.instanceIdentifier) was unknown at synth, so IAM names only its plain
    // temporary names (<id>-trapheus-old): a long one's are shortened with a hash, which IAM would deny half-way.
    const deployTime = process.env.DEPLOY_TIME_IDENTIFIERS ? JSON.parse(process.env.DEPLOY_TIME_IDENTIFIERS) as string[] : [];
    const long = items.filter((i) => deployTime.includes(i.identifier) && tempIdentifier(i.identifier) !== `${i.identifier}${TEMP_SUFFIX}`);
    if (long.length > 0) {
      throw new PipelineError('IdentifierNotAllowed', `${long.map((i) => i.identifier).join(', ')} came into allowedIdentifiers as a deploy-time `
        + `value (a token) and is longer than ${MAX_IDENTIFIER_LENGTH - TEMP_SUFFIX.length} characters, so its temporary names are shortened with a hash `
        + 'that the IAM policy could not name at synth: write it in allowedIdentifiers as a literal string, then run again.');
    }
    return;
  }
  // Exactly as IAM compares the role's aws:ResourceTag condition: StringEquals is case-sensitive
  // (IAM User Guide, "IAM JSON policy elements: Condition operators").
  const tagOf = (i: typeof items[number]) => i.tags?.find((t) => t.Key === RESTORABLE_TAG_KEY)?.Value;
  const untagged = items.filter((i) => tagOf(i) === undefined).map((i) => i.identifier);
  const miscased = items.filter((i) => tagOf(i) !== undefined && tagOf(i) !== RESTORABLE_TAG_VALUE);
  if (untagged.length === 0 && miscased.length === 0) return;
  const problems: string[] = [];
  if (untagged.length > 0) {
    problems.push(`${untagged.join(', ')} ${untagged.length > 1 ? 'do' : 'does'} not carry the tag ${RESTORABLE_TAG_KEY}=${RESTORABLE_TAG_VALUE}, `
      + `which marks a database this pipeline may restore. Tag ${what === 'the cluster' ? 'the cluster and each of its members' : 'it'}, or list it in allowedIdentifiers.`);
  }
  for (const i of miscased) {
    problems.push(`${i.identifier} carries ${RESTORABLE_TAG_KEY}=${JSON.stringify(tagOf(i))}, but IAM compares tag values exactly (case-sensitive): `
      + `set the value to "${RESTORABLE_TAG_VALUE}", or list it in allowedIdentifiers.`);
  }
  throw new PipelineError('IdentifierNotAllowed', problems.join(' '));
}

async function captureInstance(input: RestoreInput & { dns?: DnsRef }): Promise<Original> {
  // A DNS alias: the serving instance is the one the record points at; the restore goes to the other identifier
  // (allowedIdentifiers and IAM name the input's identifier and its -trapheus-new name).
  const job = { ...input, identifier: input.dns?.serving ?? input.identifier };
  const db = await findInstance(job.identifier);
  if (!db) {
    throw new PipelineError('DBInstanceNotFoundFault',
      `There is no DB instance "${job.identifier}" in this account and Region. Check "identifier" (for an Aurora cluster set "isCluster": true).`);
  }
  checkAllowed('the DB instance', [{ identifier: input.identifier, tags: db.TagList }]);
  if (db.DBClusterIdentifier) {
    throw new PipelineError('UseClusterRestore',
      `DB instance ${job.identifier} is a member of cluster ${db.DBClusterIdentifier}: restore the cluster with "identifier": "${db.DBClusterIdentifier}", "isCluster": true.`);
  }
  // storage-optimization serves and accepts a snapshot (API_CreateDBSnapshot), but may last beyond 24 hours
  // (RDS User Guide, "Viewing Amazon RDS DB instance status"), and no page says RDS deletes an instance in it:
  // a snapshot may go ahead; a restore, which ends by deleting the renamed original, waits until it is over.
  const snapshotOnly = job.task === 'create_snapshot_only' && db.DBInstanceStatus === 'storage-optimization';
  if (db.DBInstanceStatus !== 'available' && !snapshotOnly) {
    throw new PipelineError('DBInstanceNotAvailable', db.DBInstanceStatus === 'storage-optimization'
      ? `DB instance ${job.identifier} is storage-optimization: it serves, and create_snapshot_only works now, but a restore `
        + 'ends by deleting the original, which needs it available. Storage optimization can last beyond 24 hours; run again once it is available.'
      : `DB instance ${job.identifier} is ${db.DBInstanceStatus}; it must be available before a snapshot or restore.`);
  }
  const replicas = [...db.ReadReplicaDBInstanceIdentifiers ?? [], ...db.ReadReplicaDBClusterIdentifiers ?? []];
  if (db.ReadReplicaSourceDBInstanceIdentifier || db.ReadReplicaSourceDBClusterIdentifier || replicas.length > 0) {
    throw new PipelineError('HasReadReplicas',
      `DB instance ${job.identifier} is part of a read replica set; an in-place restore would break replication.`);
  }
  const staging = input.dns?.next ?? stagingIdentifier(job.identifier);
  if (job.task !== 'create_snapshot_only' && job.task !== 'export_snapshot') {
    checkPassable(rolesOfInstance(db));
    await checkRestorableWindow(job, { instance: db });
    for (const id of [tempIdentifier(job.identifier), staging]) {
      if (await findInstance(id)) {
        throw new PipelineError('TemporaryIdentifierTaken', `A DB instance ${id} already exists, maybe left by an earlier run: delete or rename it, then run again.`);
      }
    }
  }
  return {
    resourceId: db.DbiResourceId!,
    staging,
    endpoint: db.Endpoint?.Address,
    engine: db.Engine!,
    config: captureInstanceConfig(db),
  };
}

/**
 * The same for an Aurora cluster: a supported kind, available with all its
 * members, temporary identifiers free; captures the cluster, each member and
 * which member is the writer.
 */
async function captureCluster(input: RestoreInput & { dns?: DnsRef }): Promise<OriginalCluster> {
  // A DNS alias: the serving cluster is the one the record points at (see captureInstance)
  const job = { ...input, identifier: input.dns?.serving ?? input.identifier };
  const cluster = await findCluster(job.identifier);
  if (!cluster) {
    throw new PipelineError('DBClusterNotFoundFault',
      `There is no DB cluster "${job.identifier}" in this account and Region. Check "identifier" (for a DB instance set "isCluster": false).`);
  }
  checkAllowed('the cluster', [{ identifier: input.identifier, tags: cluster.TagList }]);
  const unsupported = unsupportedKind(cluster);
  if (unsupported) throw new PipelineError('UnsupportedClusterKind', `${unsupported}.`);
  if (cluster.Status !== 'available') {
    throw new PipelineError('DBClusterNotAvailable', `DB cluster ${job.identifier} is ${cluster.Status}; it must be available before a snapshot or restore.`);
  }
  const members = await clusterMembers(cluster);
  // a DNS alias's members may have their -trapheus-new names: allowed as the names they alternate with
  checkAllowed('the cluster', members.map((m) => ({ identifier: input.dns ? logicalName(m.DBInstanceIdentifier!) : m.DBInstanceIdentifier!, tags: m.TagList })));
  const busy = members.filter((m) => m.DBInstanceStatus !== 'available');
  if (busy.length > 0) {
    throw new PipelineError('DBInstanceNotAvailable',
      `Cluster members must be available: ${busy.map((m) => `${m.DBInstanceIdentifier} is ${m.DBInstanceStatus}`).join(', ')}.`);
  }
  const writer = writerOf(cluster);
  if (members.length > 0 && !writer) throw new PipelineError('NoClusterWriter', `DB cluster ${job.identifier} has members but no writer.`);
  if (job.task !== 'create_snapshot_only' && job.task !== 'export_snapshot') {
    checkPassable(rolesOfCluster(cluster, members));
    await checkRestorableWindow(job, { cluster });
    for (const id of [tempIdentifier(job.identifier)]) {
      if (await findCluster(id)) throw new PipelineError('TemporaryIdentifierTaken', `A DB cluster ${id} already exists, maybe left by an earlier run: delete or rename it, then run again.`);
    }
    for (const m of members) {
      const id = tempIdentifier(m.DBInstanceIdentifier!);
      if (await findInstance(id)) throw new PipelineError('TemporaryIdentifierTaken', `A DB instance ${id} already exists, maybe left by an earlier run: delete or rename it, then run again.`);
    }
  }
  // The writer first: it is created first on restore, so it becomes the writer again.
  const ordered = [...members].sort((a, b) => Number(b.DBInstanceIdentifier === writer) - Number(a.DBInstanceIdentifier === writer));
  const staged = await stagedNames(input, ordered.map((m) => m.DBInstanceIdentifier!));
  return {
    ...staged,
    resourceId: cluster.DbClusterResourceId!,
    endpoint: cluster.Endpoint,
    readerEndpoint: cluster.ReaderEndpoint,
    engine: cluster.Engine!,
    config: captureClusterConfig(cluster),
    writer,
    members: ordered.map((m) => captureMemberConfig(m, m.DBInstanceIdentifier === writer)),
    memberIdentifiers: ordered.map((m) => m.DBInstanceIdentifier!),
  };
}

/** A DNS alias member's name as allowedIdentifiers names it: without -trapheus-new. */
function logicalName(id: string): string {
  return id.endsWith(STAGING_SUFFIX) ? otherName(id) : id;
}

/**
 * Cutover RESTORE_THEN_SWAP or a DNS alias (CUTOVER): where the restored
 * cluster is built beside the original: `<cluster>-trapheus-new` and each
 * `<member>-trapheus-new`, or, for a DNS alias, the other of each name's two
 * (dns.next). They must be free. A DNS alias alternates names by their
 * suffix, so they must be short enough to carry it whole.
 */
async function stagedNames(input: RestoreInput & { dns?: DnsRef }, members: string[]): Promise<{ staging?: string; stagingMembers?: string[] }> {
  const staged = process.env.CUTOVER === 'restore-then-swap' || process.env.CUTOVER === 'dns-alias';
  if (!staged || input.task === 'create_snapshot_only' || input.task === 'export_snapshot') return {};
  const dns = input.dns;
  const long = [input.identifier, ...members.map(logicalName)].filter((id) => stagingIdentifier(id) !== `${id}${STAGING_SUFFIX}`);
  if (dns && long.length > 0) {
    throw new PipelineError('IdentifierTooLong', `${long.join(', ')} ${long.length > 1 ? 'are' : 'is'} longer than ${MAX_IDENTIFIER_LENGTH - STAGING_SUFFIX.length} `
      + `characters: a DNS alias alternates each name with <name>${STAGING_SUFFIX}, which must fit in ${MAX_IDENTIFIER_LENGTH}. Use shorter identifiers.`);
  }
  const staging = dns?.next ?? stagingIdentifier(input.identifier);
  const stagingMembers = members.map((m) => (dns ? otherName(m) : stagingIdentifier(m)));
  if (await findCluster(staging)) throw new PipelineError('TemporaryIdentifierTaken', `A DB cluster ${staging} already exists, maybe left by an earlier run: delete or rename it, then run again.`);
  for (const id of stagingMembers) {
    if (await findInstance(id)) throw new PipelineError('TemporaryIdentifierTaken', `A DB instance ${id} already exists, maybe left by an earlier run: delete or rename it, then run again.`);
  }
  return { staging, stagingMembers };
}
