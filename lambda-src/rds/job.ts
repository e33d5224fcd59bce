import type { MemberConfig } from './cluster-config';
import type { Config } from './config-table';
import type { InstanceConfig } from './instance-config';
import type { ManagedSecretRef } from './managed-password';
import type { RestoreInput } from '../../src/input-rules';

/**
 * The one document that flows through the state machine. The input fields come
 * first; each step adds its result under its own key and never replaces the
 * whole document.
 */
export interface Job extends RestoreInput {
  /** The configuration captured before any change (`Capture ...`). */
  readonly original?: Original | OriginalCluster;
  /** The snapshot the restore uses. */
  readonly snapshot?: SnapshotRef;
  /** Where the original was renamed to. */
  readonly temp?: TempRef;
  /** The DB the restore created under the original identifier. */
  readonly restored?: RestoredRef;
  /** `export_snapshot`: the export task started, and where it writes. */
  readonly export?: ExportRef;
  /** The verification of the restored DB (`stagedVerified`: of the staged one, cutover RESTORE_THEN_SWAP). */
  readonly verified?: VerifiedRef;
  readonly stagedVerified?: VerifiedRef;
  /** Cutover `dnsAlias`: the record, and which identifier serves now (`resolve` of the dns handler). */
  readonly dns?: DnsRef;
  /** The error that sent the execution to its failure path. */
  readonly error?: StepError;
  /** The error that stopped the rollback, if it failed. */
  readonly rollbackError?: StepError;
}

export interface Original {
  /** DbiResourceId: it never changes across renames, so it tells the original apart from a restored DB. */
  readonly resourceId: string;
  /** Where the restored DB is prepared with cutover RESTORE_THEN_SWAP. */
  readonly staging?: string;
  readonly endpoint?: string;
  readonly engine: string;
  readonly config: InstanceConfig;
}

/** An Aurora cluster as captured: the cluster, its members (writer first), the writer. */
export interface OriginalCluster {
  /** DbClusterResourceId: it never changes across renames. */
  readonly resourceId: string;
  readonly endpoint?: string;
  readonly readerEndpoint?: string;
  readonly engine: string;
  readonly config: Config;
  /** The writer's identifier: it must be the writer again after the restore. */
  readonly writer?: string;
  readonly members: MemberConfig[];
  /** The members' identifiers, writer first (for the state machine's paths). */
  readonly memberIdentifiers: string[];
  /**
   * Cutover RESTORE_THEN_SWAP or a DNS alias: where the restored cluster is built
   * beside the original, and its members' identifiers there (in the order of `memberIdentifiers`).
   */
  readonly staging?: string;
  readonly stagingMembers?: string[];
}

export interface SnapshotRef {
  /** The snapshot's identifier; absent for a point-in-time restore. */
  readonly id?: string;
  /** `automated` for an automated snapshot (absent: manual). */
  readonly type?: string;
  /** A point-in-time restore: the time (ISO 8601 UTC), or `latest`. */
  readonly pointInTime?: string;
  readonly arn?: string;
  readonly createdAt?: string;
  /** True when this execution made it. */
  readonly created: boolean;
  /** A snapshot shared from another account (`snapshotIdentifier` its ARN), before it is copied into this account. */
  readonly shared?: { readonly encrypted: boolean; readonly kmsKeyId?: string };
  /** This execution's copy of a shared snapshot: the shared snapshot's ARN. */
  readonly copyOf?: string;
}

/** What the verification reports beyond success: the new managed master password secret (`restoreManagedMasterPassword`). */
export interface VerifiedRef {
  readonly masterUserSecret?: ManagedSecretRef;
}

/** An export of a snapshot to S3 (`export_snapshot`). */
export interface ExportRef {
  /** The export task identifier. */
  readonly id: string;
  /** The snapshot (cluster snapshot) exported, and its ARN. */
  readonly snapshot: string;
  readonly snapshotArn: string;
  readonly bucket: string;
  readonly prefix: string;
  /** Where the Parquet files go: `s3://<bucket>/<prefix>/<export task identifier>/`. */
  readonly s3Path: string;
}

/**
 * A DNS alias cutover's view of the database: the record, the identifier it
 * points at now (`serving`), and the other one, where the restore goes (`next`).
 */
export interface DnsRef {
  readonly recordName: string;
  readonly serving: string;
  readonly next: string;
  /** The record's value when it was read (absent: there was no record). */
  readonly value?: string;
  /** No record yet and a restore was asked for: this run creates it (adoption) and restores nothing. */
  readonly adopt: boolean;
}

export interface TempRef {
  readonly identifier: string;
  /** Cluster members' temporary identifiers. */
  readonly members?: string[];
}

export interface RestoredRef {
  /** DbiResourceId (DbClusterResourceId) of what the restore created: the only DB the rollback may delete. */
  readonly resourceId: string;
}

/** What Step Functions puts at a Catch's ResultPath. */
export interface StepError {
  readonly Error: string;
  readonly Cause?: string;
}

/** The message of a caught error, without a stack trace or JSON wrapper. */
export function errorMessage(error: StepError | undefined): string {
  if (!error) return 'unknown error';
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause);
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not the Lambda JSON envelope: the cause is the message itself
  }
  return cause.split('\n')[0] || error.Error;
}
