/**
 * The simulator's public types: durations (with the source of each value),
 * recorded calls, fault rules, endpoint events and seed specs.
 */
import { DBCluster, DBInstance, Tag } from '@aws-sdk/client-rds';

/** How long each asynchronous RDS operation takes, in simulated seconds. */
export interface SimDurations {
  /** CreateDBSnapshot (and a final snapshot): 'creating' -> 'available'. */
  snapshotCreate: number;
  /** Rename with ApplyImmediately: still 'available' under the OLD id, PendingModifiedValues.DBInstanceIdentifier set. */
  renamePending: number;
  /** Then 'renaming' under the NEW id (old id gone) until 'available'. */
  rename: number;
  /** RestoreDBInstanceFromDBSnapshot: 'creating'. */
  restore: number;
  /** Then 'backing-up' (only when BackupRetentionPeriod > 0), then 'available'. */
  restoreBackup: number;
  /** ModifyDBInstance with ApplyImmediately needing a status change: still 'available', the change in PendingModifiedValues. */
  modifyPending: number;
  /** Then 'modifying' -> 'available' (the pending values applied at its end). */
  modify: number;
  /** After a storage change: 'storage-optimization' (serving) -> 'available'. */
  storageOptimization: number;
  /** DeleteDBInstance: 'deleting' -> gone. */
  delete: number;
  /** DeleteDBSnapshot and DeleteDBClusterSnapshot: 'deleting' -> gone. */
  snapshotDelete: number;
  /** ModifyDBCluster(NewDBClusterIdentifier, ApplyImmediately): 'renaming' under the NEW id (at once) -> 'available'. */
  clusterRename: number;
  /** ModifyDBCluster changing anything but the instant settings: 'modifying' -> 'available'. */
  clusterModify: number;
  /** CreateDBClusterSnapshot (and a final cluster snapshot): 'creating' -> 'available'. */
  clusterSnapshotCreate: number;
  /** RestoreDBClusterFromSnapshot: 'creating' -> 'available' (a cluster with no instances). */
  clusterRestore: number;
  /** CreateDBInstance of an Aurora cluster member: 'creating' -> 'available'. */
  memberCreate: number;
  /** DeleteDBCluster: 'deleting' -> gone (once it has no members left). */
  clusterDelete: number;
  /** Rename of a cluster member: 'renaming' (after renamePending) -> 'available'. */
  memberRename: number;
}

/**
 * The one table of durations. Real durations depend on size, class and load;
 * these are typical values for a small (20-100 GiB, db.t3/m5) instance.
 */
export const DEFAULT_DURATIONS: SimDurations = {
  // Manual snapshot of a small instance: typically 5-15 min (the first one is a
  // full copy). RDS User Guide, "Creating a DB snapshot", gives no fixed time;
  // value from published measurements (AWS re:Post, blog timings).
  snapshotCreate: 600,
  // After ModifyDBInstance(NewDBInstanceIdentifier, ApplyImmediately) the
  // instance is still reported 'available' under its old name for seconds to
  // about a minute before turning 'renaming' (observed behaviour; the reason
  // the original Trapheus waits before polling). 15 s is a middle value.
  renamePending: 15,
  // RDS User Guide, "Renaming a DB instance": the old endpoint stops at once,
  // the new DNS name is effective in about 10 minutes.
  rename: 600,
  // Restore from snapshot of a small instance: typically 15-30 min until the
  // DB is reachable (RDS User Guide "Restoring to a DB instance" gives no time;
  // AWS re:Post "Why does my RDS restore take a long time" and measurements).
  restore: 1200,
  // A restored instance with backups on takes its first automated backup
  // ('backing-up') before 'available': a few minutes for a small DB.
  restoreBackup: 300,
  // Modifications needing a restart/scale (class, SGs, parameter group,
  // monitoring): 'modifying' for a few minutes on a Single-AZ small instance.
  modify: 180,
  // After ModifyDBInstance with ApplyImmediately the instance can stay
  // 'available' with the change in PendingModifiedValues before it turns
  // 'modifying' (issue 8, finding 8; like renamePending, seconds to about a
  // minute). 45 s: a first status check 30 s after the modify lands in the gap.
  modifyPending: 45,
  // RDS User Guide, "Viewing Amazon RDS DB instance status": storage
  // optimization "is usually short, but can sometimes take up to and even
  // beyond 24 hours"; AWS re:Post: "typically ... a few hours". 3 h.
  storageOptimization: 3 * 3600,
  // Deleting a Single-AZ instance: typically 5-10 min.
  delete: 600,
  // Deleting a manual snapshot: near-instant; the snapshot lingers as 'deleting'.
  snapshotDelete: 5,
  // Aurora User Guide, "Renaming an Aurora DB cluster": no outage, the
  // endpoints change. How long the cluster reports 'renaming' is assumed.
  clusterRename: 60,
  // Cluster-level changes (parameter group, SGs, port, log exports, storage
  // type, Serverless v2 capacity): assumed, a minute for the cluster record
  // (the instances do the slow part, and they are not modelled here).
  clusterModify: 60,
  // Aurora cluster snapshots are storage-level and incremental: a few minutes
  // for a small cluster volume (assumed from published timings).
  clusterSnapshotCreate: 300,
  // RestoreDBClusterFromSnapshot until the (empty) cluster is 'available':
  // assumed 15 min for a small volume; the data loads lazily afterwards.
  clusterRestore: 900,
  // CreateDBInstance in an Aurora cluster: typically 5-10 min until
  // 'available' (published measurements); 10 min.
  memberCreate: 600,
  // DeleteDBCluster of an empty cluster: about 1 min (a published measurement).
  clusterDelete: 60,
  // Renaming an Aurora instance reboots it; assumed 2 min of 'renaming'.
  memberRename: 120,
};

export interface SimCall {
  /** clock.elapsed when the call was made */
  at: number;
  /** e.g. 'ModifyDBInstance' */
  command: string;
  input: any;
  /** fault name when it threw */
  error?: string;
}

export interface FaultRule {
  /** e.g. 'RestoreDBInstanceFromDBSnapshot' ('...Command' also accepted; '*': every command) */
  command: string;
  /** match only some calls */
  when?: (input: any) => boolean;
  /** fault name, e.g. 'InsufficientDBInstanceCapacityFault' or 'Throttling' */
  error: string;
  /** default: a realistic message (for 'Throttling': 'Rate exceeded') */
  message?: string;
  /** how many matching calls fail; default Infinity */
  times?: number;
}

/**
 * A change of reachability of an endpoint. Instance endpoints carry no
 * `kind`; a cluster's (writer) endpoint has `kind: 'cluster'`.
 */
export interface EndpointEvent { at: number; identifier: string; reachable: boolean; kind?: 'cluster' }

/**
 * Automated backups kept after their DB instance or cluster was deleted with
 * `DeleteAutomatedBackups: false` (RDS's default for both is to delete them),
 * until their retention period ends. Cluster members have none of their own.
 */
export interface RetainedAutomatedBackup {
  kind: 'instance' | 'cluster';
  /** The identifier the DB had when it was deleted. */
  identifier: string;
  /** DbiResourceId or DbClusterResourceId. */
  resourceId: string;
  /** Days. */
  retentionPeriod: number;
  /** clock.elapsed at the deletion. */
  retainedAt: number;
}

/** What `addInstance` needs; everything else gets a realistic default. */
export type InstanceSpec = Partial<DBInstance> & { DBInstanceIdentifier: string; Engine: string; Tags?: Tag[] };

export interface SnapshotSpec {
  DBSnapshotIdentifier: string;
  DBInstanceIdentifier: string;
  Tags?: Tag[];
  SnapshotCreateTime?: Date;
  /** default 'available'; 'creating' runs the snapshotCreate phase */
  Status?: string;
}

/** What `addCluster` needs; everything else gets a realistic default. */
export type ClusterSpec = Partial<DBCluster> & { DBClusterIdentifier: string; Engine: string; Tags?: Tag[] };

/** What `addClusterInstance` needs: the engine comes from the cluster. */
export type ClusterInstanceSpec = Omit<InstanceSpec, 'Engine'> & { DBClusterIdentifier: string; Engine?: string };

export interface ClusterSnapshotSpec {
  DBClusterSnapshotIdentifier: string;
  DBClusterIdentifier: string;
  Tags?: Tag[];
  SnapshotCreateTime?: Date;
  /** default 'available'; 'creating' runs the clusterSnapshotCreate phase */
  Status?: string;
}

/** A record entered `status` at `at` (simulated seconds), at the end of its previous phase. */
export interface StatusChange {
  at: number;
  kind: 'instance' | 'snapshot' | 'cluster' | 'cluster-snapshot';
  identifier: string;
  status: string;
  /** The status it left. */
  from?: string;
}
