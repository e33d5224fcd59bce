import {
  DBCluster, DBInstance, DisableHttpEndpointCommand, EnableHttpEndpointCommand, ModifyDBClusterCommand, ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { CLUSTER_ATTRIBUTES, clusterChangesAfterRestore, MEMBER_ATTRIBUTES } from './rds/cluster-config';
import { clusterMembers, findCluster, writerOf } from './rds/clusters';
import { describeDrift, drift } from './rds/config-table';
import { attempt, PipelineError } from './rds/errors';
import { configDrift, InstanceConfig, INSTANCE_ATTRIBUTES, modifyParams } from './rds/instance-config';
import { findInstance, instanceOf } from './rds/instances';
import type { Job, OriginalCluster } from './rds/job';
import { logged } from './rds/log';
import { ManagedSecretRef, managedPasswordParams, verifyManagedPassword } from './rds/managed-password';
import { stagedView } from './rds/staged-cluster';

/**
 * A restored DB instance. `apply`: one ModifyDBInstance for what the restore
 * could not carry. `verify`: every kept setting matches. The `staged-` ones
 * work on the instance under the staging identifier (cutover RESTORE_THEN_SWAP).
 */
export interface ApplyConfigEvent {
  readonly op: 'apply' | 'verify' | 'staged-apply' | 'staged-verify';
  readonly job: Job;
}

/** The restored instance (its DbiResourceId is `job.restored`) under the identifier the step works on. */
async function restoredInstance(job: Job, staged: boolean): Promise<{ db: DBInstance; identifier: string; config: InstanceConfig }> {
  const { original, identifier } = instanceOf(job, staged);
  const resourceId = job.restored?.resourceId;
  const db = await findInstance(identifier);
  if (!db || db.DbiResourceId !== resourceId) {
    throw new PipelineError('ReplacementNotVerified', `The DB instance under ${identifier} is not the restored one (${resourceId}).`);
  }
  return { db, identifier, config: original.config };
}

async function apply(job: Job, staged: boolean): Promise<{ changed: string[] }> {
  const { db, identifier, config } = await restoredInstance(job, staged);
  const params = { ...modifyParams(config, db), ...managedPasswordParams(config.masterUserSecretKmsKey, db.MasterUserSecret) };
  const changed = Object.keys(params);
  if (changed.length === 0) return { changed };
  await attempt(`Applying ${changed.join(', ')} to ${identifier}`, () => rds().send(new ModifyDBInstanceCommand({
    ...params, DBInstanceIdentifier: identifier, ApplyImmediately: true,
  })));
  return { changed };
}

/** Where the verified database answers (the after-restore hook connects there). */
export interface VerifiedEndpoint {
  readonly address: string;
  readonly port: number;
}

async function verify(job: Job, staged: boolean): Promise<{ verified: true; endpoint: VerifiedEndpoint; masterUserSecret?: ManagedSecretRef }> {
  const { db, identifier, config } = await restoredInstance(job, staged);
  const keys = configDrift(config, db);
  if (keys.length > 0) {
    const details = describeDrift(INSTANCE_ATTRIBUTES, keys, config, db);
    throw new PipelineError('ConfigurationDrift', `The restored ${identifier} differs from the original: ${details.join('; ')}.`);
  }
  const masterUserSecret = verifyManagedPassword(config.masterUserSecretKmsKey, db.MasterUserSecret, `The restored ${identifier}`);
  return {
    verified: true,
    endpoint: { address: db.Endpoint?.Address ?? '', port: db.Endpoint?.Port ?? db.DbInstancePort ?? 0 },
    ...(masterUserSecret ? { masterUserSecret } : {}),
  };
}

/** Aurora: the same for the restored cluster and its members, plus the writer's identity. */
export interface ClusterApplyConfigEvent {
  /** `staged-…`: the staged cluster (cutover RESTORE_THEN_SWAP, a DNS alias), with its members' staging names. */
  readonly op: 'cluster-apply' | 'cluster-verify' | 'staged-cluster-apply' | 'staged-cluster-verify';
  readonly job: Job;
}

async function restoredCluster(job: Job): Promise<DBCluster> {
  const cluster = await findCluster(job.identifier);
  if (!cluster || cluster.DbClusterResourceId !== job.restored?.resourceId) {
    throw new PipelineError('ReplacementNotVerified', `The DB cluster under ${job.identifier} is not the restored one (${job.restored?.resourceId}).`);
  }
  return cluster;
}

/**
 * What the restore could not carry: the RDS Data API with its own operation
 * (first: it needs the cluster available, which a ModifyDBCluster would end),
 * then one ModifyDBCluster for the rest.
 */
async function applyCluster(job: Job): Promise<{ changed: string[] }> {
  const original = job.original as OriginalCluster;
  const cluster = await restoredCluster(job);
  const changes = clusterChangesAfterRestore(original.config, cluster);
  const { httpEndpoint } = changes;
  const modify = { ...changes.modify, ...managedPasswordParams(original.config.masterUserSecretKmsKey, cluster.MasterUserSecret) };
  const changed = Object.keys(modify);
  if (httpEndpoint !== undefined) {
    const command = httpEndpoint
      ? new EnableHttpEndpointCommand({ ResourceArn: cluster.DBClusterArn })
      : new DisableHttpEndpointCommand({ ResourceArn: cluster.DBClusterArn });
    await attempt(`${httpEndpoint ? 'Enabling' : 'Disabling'} the RDS Data API (HTTP endpoint) of cluster ${job.identifier}`, () => rds().send(command));
    changed.unshift('HttpEndpoint');
  }
  if (Object.keys(modify).length > 0) {
    await attempt(`Applying ${Object.keys(modify).join(', ')} to cluster ${job.identifier}`, () => rds().send(new ModifyDBClusterCommand({
      ...modify, DBClusterIdentifier: job.identifier, ApplyImmediately: true,
    })));
  }
  return { changed };
}

interface VerifiedCluster {
  readonly verified: true;
  readonly writer: string;
  readonly endpoint: VerifiedEndpoint;
  readonly readerEndpoint: string;
  readonly masterUserSecret?: ManagedSecretRef;
}

async function verifyCluster(job: Job): Promise<VerifiedCluster> {
  const original = job.original as OriginalCluster;
  const cluster = await restoredCluster(job);
  const problems = describeDrift(CLUSTER_ATTRIBUTES, drift(CLUSTER_ATTRIBUTES, original.config, cluster), original.config, cluster);
  const members = new Map((await clusterMembers(cluster)).map((m) => [m.DBInstanceIdentifier!, m]));
  for (const m of original.members) {
    const db = members.get(m.identifier);
    if (!db) {
      problems.push(`member ${m.identifier} is missing`);
      continue;
    }
    problems.push(...describeDrift(MEMBER_ATTRIBUTES, drift(MEMBER_ATTRIBUTES, m.config, db), m.config, db).map((d) => `${m.identifier} ${d}`));
  }
  const extra = [...members.keys()].filter((id) => !original.members.some((m) => m.identifier === id));
  if (extra.length > 0) problems.push(`unexpected members ${extra.join(', ')}`);
  if (problems.length > 0) {
    throw new PipelineError('ConfigurationDrift', `The restored cluster ${job.identifier} differs from the original: ${problems.join('; ')}.`);
  }
  const writer = writerOf(cluster);
  if (original.writer && writer !== original.writer) {
    throw new PipelineError('WriterMismatch', `The writer of the restored cluster ${job.identifier} is ${writer ?? 'none'}, not ${original.writer} as before.`);
  }
  const masterUserSecret = verifyManagedPassword(original.config.masterUserSecretKmsKey, cluster.MasterUserSecret, `The restored cluster ${job.identifier}`);
  return {
    verified: true,
    writer: writer ?? '',
    endpoint: { address: cluster.Endpoint ?? '', port: cluster.Port ?? 0 },
    readerEndpoint: cluster.ReaderEndpoint ?? '',
    ...(masterUserSecret ? { masterUserSecret } : {}),
  };
}

export const handler = logged('apply-config', async (event: ApplyConfigEvent | ClusterApplyConfigEvent): Promise<unknown> => {
  switch (event.op) {
    case 'apply': return apply(event.job, false);
    case 'verify': return verify(event.job, false);
    case 'staged-apply': return apply(event.job, true);
    case 'staged-verify': return verify(event.job, true);
    case 'cluster-apply': return applyCluster(event.job);
    case 'cluster-verify': return verifyCluster(event.job);
    case 'staged-cluster-apply': return applyCluster(stagedView(event.job));
    case 'staged-cluster-verify': return verifyCluster(stagedView(event.job));
  }
});
