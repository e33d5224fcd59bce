/**
 * Fault names and messages, the status rules every operation checks, fault
 * injection (`failOn`) and stuck resources (`stick`, `stickNext`).
 */
import * as sdk from '@aws-sdk/client-rds';
import { RDSServiceException } from '@aws-sdk/client-rds';
import type { SimRecord } from './lifecycle';
import type { SimState } from './state';
import type { FaultRule } from './types';

/**
 * Messages for faults raised by `failOn` without a message of their own.
 * Sources: 'Rate exceeded' is RDS's answer to throttling (RDS User Guide,
 * "Request throttling for the Amazon RDS API"). The fault names are those the
 * API reference lists under Errors (API_RestoreDBInstanceFromDBSnapshot:
 * InsufficientDBInstanceCapacity, InstanceQuotaExceeded, StorageQuotaExceeded,
 * KMSKeyNotAccessibleFault; API_CreateDBSnapshot: SnapshotQuotaExceeded); 100
 * manual snapshots per Region is the documented limit (RDS User Guide, "Backup
 * retention period"). The wording of the other messages is assumed.
 */
const FAULT_MESSAGES: Record<string, string> = {
  Throttling: 'Rate exceeded',
  ThrottlingException: 'Rate exceeded',
  InsufficientDBInstanceCapacityFault: 'Cannot create a database instance because there is not enough capacity available '
    + 'for the requested DB instance class in the requested Availability Zone. Try again later, or choose a different '
    + 'DB instance class or Availability Zone.',
  InstanceQuotaExceededFault: 'DB Instance quota exceeded',
  StorageQuotaExceededFault: 'The request cannot be processed because it would exceed the maximum allowed storage for this account.',
  SnapshotQuotaExceededFault: 'Cannot create more than 100 manual snapshots',
  KMSKeyNotAccessibleFault: 'The specified KMS key is not accessible or is disabled.',
  InternalFailure: 'An internal error has occurred. Please try your query again at a later time.',
  ServiceUnavailable: 'Service is unavailable. Please try again later.',
};

/** Faults that are the service's, not the caller's (HTTP 5xx): RDS API Reference, "Common Errors" (InternalFailure 500, ServiceUnavailable 503; InternalError is assumed to be the same as InternalFailure). */
const SERVER_FAULTS: Record<string, number> = { InternalFailure: 500, InternalError: 500, ServiceUnavailable: 503 };

/**
 * A real SDK exception: the specific class `@aws-sdk/client-rds` exports for
 * the name when there is one (DBInstanceNotFoundFault, ...), else an
 * RDSServiceException carrying the name (Throttling, InvalidParameterValue, ...).
 */
export function rdsFault(name: string, message?: string): RDSServiceException {
  const text = message ?? FAULT_MESSAGES[name] ?? `${name} (injected by RdsSimulator)`;
  const status = SERVER_FAULTS[name];
  const $metadata = { httpStatusCode: status ?? 400 };
  const Specific = (sdk as unknown as Record<string, unknown>)[name];
  if (typeof Specific === 'function' && Specific.prototype instanceof RDSServiceException) {
    return new (Specific as new (o: object) => RDSServiceException)({ $metadata, message: text });
  }
  return new RDSServiceException({ name, $fault: status ? 'server' : 'client', $metadata, message: text });
}

/**
 * The one table of status rules: which statuses each operation accepts on
 * its resource, and what RDS answers otherwise. `inFlight: false` also
 * refuses a resource that is 'available' but has an operation under way
 * (the gap between a rename request and 'renaming').
 *
 * Sources: the fault of each row is the one its API reference page lists
 * under Errors; the statuses are named as in the RDS User Guide, "Viewing
 * instance status" (Aurora User Guide, "Viewing DB cluster status"). Where a
 * page states which statuses it accepts, the row quotes it; the other lists
 * and the wording of the messages are assumptions, said so row by row.
 */
export const STATE_RULES: Record<string, { allowed: string[]; inFlight?: false; fault: string; message: (id: string, status: string) => string }> = {
  // API_ModifyDBInstance, Errors: InvalidDBInstanceState; one operation at a time (assumed).
  // storage-optimization: "you can perform any other instance modifications" (AWS re:Post Knowledge
  // Center, "Why is my Amazon RDS DB instance stuck in the storage-optimization state"); storage
  // changes are refused then (instance-rules.ts)
  ModifyDBInstance: {
    allowed: ['available', 'storage-optimization'],
    fault: 'InvalidDBInstanceStateFault',
    message: () => 'Database instance is not in available state.',
  },
  // API_CreateDBSnapshot: "The source DB instance must be in the available or storage-optimization state."
  // The message is RDS's wording as reported in issue #8.
  CreateDBSnapshot: {
    allowed: ['available', 'storage-optimization'],
    fault: 'InvalidDBInstanceStateFault',
    message: id => `Cannot create a snapshot because the database instance ${id} is not currently in the available state.`,
  },
  // API_DeleteDBInstance, Errors: InvalidDBInstanceState. failed, incompatible-restore and incompatible-network can be
  // deleted (without a final snapshot: see FinalDBSnapshot); the other statuses of the list are assumed.
  // insufficient-capacity: "delete your DB instance, wait a few hours, and try to create again"
  // (RDS User Guide, "Viewing Amazon RDS DB instance status")
  DeleteDBInstance: {
    allowed: ['available', 'backing-up', 'failed', 'storage-full', 'incompatible-restore', 'incompatible-parameters',
      'incompatible-network', 'stopped', 'insufficient-capacity'],
    inFlight: false,
    fault: 'InvalidDBInstanceStateFault',
    message: (id, status) => status === 'deleting'
      ? `Instance ${id} is already being deleted.`
      : `Instance ${id} is currently ${status} and cannot be deleted until the operation in progress completes.`,
  },
  // API_DeleteDBInstance, SkipFinalSnapshot: "When a DB instance is in a failure state and has a status of failed,
  // incompatible-restore, or incompatible-network, RDS can delete the instance only if you enable this parameter."
  // Which other statuses allow a final snapshot is assumed.
  // A final snapshot of a backing-up DB instance (after a rename or a restore, or in its backup
  // window) is refused, "not currently in the available state" (issue 8, finding 3; the AWS provider
  // for Terraform retries DeleteDBCluster on that message, hashicorp/terraform-provider-aws)
  FinalDBSnapshot: {
    allowed: ['available', 'stopped', 'storage-full'],
    fault: 'InvalidDBInstanceStateFault',
    message: id => `Cannot create a snapshot because the database instance ${id} is not currently in the available state.`,
  },
  // API_RestoreDBInstanceFromDBSnapshot, Errors: InvalidDBSnapshotState. Only an available snapshot is assumed to restore.
  RestoreDBInstanceFromDBSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBSnapshotStateFault',
    message: (_id, status) => `DBSnapshot must have state available but actually has ${status}`,
  },
  // API_DeleteDBSnapshot: "The DB snapshot must be in the available state to be deleted." Also accepting failed and
  // incompatible-restore snapshots is an assumption beyond the page.
  DeleteDBSnapshot: {
    allowed: ['available', 'failed', 'incompatible-restore'],
    fault: 'InvalidDBSnapshotStateFault',
    message: (id, status) => `Cannot delete the snapshot ${id} because it is in the ${status} state.`,
  },
  // DB clusters (a cluster whose deletion waits for its members counts as 'deleting')
  // API_ModifyDBCluster, Errors: InvalidDBClusterStateFault. Accepting 'available' only is assumed.
  ModifyDBCluster: {
    allowed: ['available'],
    fault: 'InvalidDBClusterStateFault',
    message: id => `DB cluster ${id} is not in available state.`,
  },
  // API_CreateDBClusterSnapshot, Errors: InvalidDBClusterStateFault. Accepting 'available' only is assumed.
  CreateDBClusterSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBClusterStateFault',
    message: (id, status) => `Cannot create a snapshot because the DB cluster ${id} is ${status}, not available.`,
  },
  /** CreateDBInstance with a DBClusterIdentifier: the cluster must be available (API_CreateDBInstance, Errors: InvalidDBClusterStateFault; 'available' only is assumed). */
  CreateClusterMember: {
    allowed: ['available'],
    fault: 'InvalidDBClusterStateFault',
    message: id => `DB cluster ${id} is not in available state`,
  },
  // API_DeleteDBCluster, Errors: InvalidDBClusterStateFault. The list is assumed, like DeleteDBInstance's.
  DeleteDBCluster: {
    allowed: ['available', 'backing-up', 'failed', 'inaccessible-encryption-credentials', 'incompatible-parameters',
      'incompatible-restore', 'incompatible-network', 'storage-full'],
    inFlight: false,
    fault: 'InvalidDBClusterStateFault',
    message: (id, status) => status === 'deleting'
      ? `Cluster ${id} is already being deleted.`
      : `DB cluster ${id} is ${status} and cannot be deleted until the operation in progress completes.`,
  },
  /** EnableHttpEndpoint / DisableHttpEndpoint (API_EnableHttpEndpoint: InvalidResourceStateFault, "another operation is in progress"). */
  HttpEndpoint: {
    allowed: ['available'],
    fault: 'InvalidResourceStateFault',
    message: (id, status) => `The operation can't be performed on DB cluster ${id} because another operation is in progress (${status}).`,
  },
  // API_DeleteDBCluster (FinalDBSnapshotIdentifier). Which statuses allow a final cluster snapshot is assumed.
  // As FinalDBSnapshot: only of an available cluster (issue 8, finding 3)
  FinalDBClusterSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBClusterStateFault',
    message: id => `Cannot create a snapshot because the DB cluster ${id} is not currently in the available state.`,
  },
  // API_RestoreDBClusterFromSnapshot, Errors: InvalidDBClusterSnapshotStateFault. Only an available snapshot is assumed to restore.
  RestoreDBClusterFromSnapshot: {
    allowed: ['available'],
    fault: 'InvalidDBClusterSnapshotStateFault',
    message: (_id, status) => `DBClusterSnapshot must have state available but actually has ${status}`,
  },
  // API_DeleteDBClusterSnapshot: "The DB cluster snapshot must be in the available state to be deleted." Also accepting
  // failed is an assumption beyond the page.
  DeleteDBClusterSnapshot: {
    allowed: ['available', 'failed'],
    fault: 'InvalidDBClusterSnapshotStateFault',
    message: (id, status) => `Cannot delete the cluster snapshot ${id} because it is in the ${status} state.`,
  },
};

// ===========================================================================
// Fault injection
// ===========================================================================

/** The rules given to `failOn`, each with the number of calls it still fails. A test device, not an AWS behaviour. */
export class FaultInjector {
  private readonly rules: (FaultRule & { left: number })[] = [];

  /** Make matching calls fail (checked before the real rules). */
  add(rule: FaultRule): void {
    this.rules.push({ ...rule, command: rule.command.replace(/Command$/, ''), left: rule.times ?? Infinity });
  }

  /** Throw the fault of the first rule matching this call, if any. */
  inject(command: string, input: unknown): void {
    const rule = this.rules.find(r => (r.command === command || r.command === '*') && r.left > 0 && (!r.when || r.when(input)));
    if (!rule) return;
    rule.left--;
    throw rdsFault(rule.error, rule.message);
  }
}

// ===========================================================================
// Stuck resources
// ===========================================================================

/**
 * The instance (or snapshot, cluster, cluster snapshot) under `identifier`,
 * or the next one created under it, never leaves its transitional status;
 * with `status`, it enters that status at once and stays there until an
 * operation moves it.
 */
export function stick(s: SimState, identifier: string, status?: string): void {
  s.advance();
  const id = identifier.toLowerCase();
  const rec = s.findInstance(id) ?? s.findSnapshot(id) ?? s.findCluster(id) ?? s.findClusterSnapshot(id);
  if (rec) applyStick(rec, status, s.clock.elapsed);
  else s.pendingSticks.set(id, { status });
  s.syncEndpoints(s.clock.elapsed);
}

/**
 * Like `stick`, but only for the next instance, snapshot, cluster or cluster
 * snapshot that takes `identifier` (created under it or renamed to it), not
 * the one holding it now.
 */
export function stickNext(s: SimState, identifier: string, status?: string): void {
  s.pendingSticks.set(identifier.toLowerCase(), { status });
}

/** Freeze `rec` in its transitional status, or put it in `status` for good (a test device, not an AWS behaviour). */
export function applyStick(rec: SimRecord, status: string | undefined, at: number): void {
  if (status === undefined) {
    rec.life.freeze();
    return;
  }
  rec.life.run([{ status }], at);
  if (rec.kind === 'instance') {
    rec.renameTo = undefined;
    rec.renameReserved = false;
  }
}
