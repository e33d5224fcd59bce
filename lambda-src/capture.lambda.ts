import type { Original } from './rds/job';
import type { RestoreInput } from '../src/input-rules';
import { PipelineError } from './rds/errors';
import { captureInstanceConfig } from './rds/instance-config';
import { findInstance } from './rds/instances';
import { tempIdentifier } from './rds/naming';

/**
 * Pre-flight checks and the configuration snapshot, before any change:
 * the instance exists, is available, is not part of a cluster and has no
 * read replicas, and its temporary identifier is free.
 */
export async function handler(job: RestoreInput): Promise<Original> {
  const db = await findInstance(job.identifier);
  if (!db) {
    throw new PipelineError('DBInstanceNotFoundFault',
      `There is no DB instance "${job.identifier}" in this account and Region. Check "identifier" (for an Aurora cluster set "isCluster": true).`);
  }
  if (db.DBClusterIdentifier) {
    throw new PipelineError('UseClusterRestore',
      `DB instance ${job.identifier} is a member of cluster ${db.DBClusterIdentifier}: restore the cluster with "identifier": "${db.DBClusterIdentifier}", "isCluster": true.`);
  }
  if (db.DBInstanceStatus !== 'available') {
    throw new PipelineError('DBInstanceNotAvailable',
      `DB instance ${job.identifier} is ${db.DBInstanceStatus}; it must be available before a snapshot or restore.`);
  }
  if (db.ReadReplicaSourceDBInstanceIdentifier || (db.ReadReplicaDBInstanceIdentifiers ?? []).length > 0) {
    throw new PipelineError('HasReadReplicas',
      `DB instance ${job.identifier} is part of a read replica set; an in-place restore would break replication.`);
  }
  const temp = tempIdentifier(job.identifier);
  if (job.task !== 'create_snapshot_only' && await findInstance(temp)) {
    throw new PipelineError('TemporaryIdentifierTaken',
      `A DB instance ${temp} already exists, maybe left by an earlier run: delete or rename it, then run again.`);
  }
  return {
    resourceId: db.DbiResourceId!,
    endpoint: db.Endpoint?.Address,
    engine: db.Engine!,
    config: captureInstanceConfig(db),
  };
}
