/**
 * Snapshots shared from another account, and copying snapshots
 * (CopyDBSnapshot, CopyDBClusterSnapshot). Each rule names its source:
 * - A shared snapshot lives in its owner's account and is shared with ours by
 *   ModifyDBSnapshotAttribute (AttributeName `restore`, account IDs in
 *   ValuesToAdd; API_ModifyDBSnapshotAttribute). This account sees it in
 *   DescribeDBSnapshots with SnapshotType `shared` (or IncludeShared); by
 *   default "Shared and public DB snapshots are not included"
 *   (API_DescribeDBSnapshots, SnapshotType, IncludeShared; the same for
 *   API_DescribeDBClusterSnapshots). Its identifier here is its ARN.
 * - CopyDBSnapshot: "If you are copying from a shared manual DB snapshot, this
 *   parameter [SourceDBSnapshotIdentifier] must be the Amazon Resource Name
 *   (ARN) of the shared DB snapshot"; the source "Must specify a valid system
 *   snapshot in the "available" state"; "If you copy an encrypted DB snapshot
 *   that is shared from another AWS account, then you must specify a value for
 *   KmsKeyId"; "If you copy an unencrypted DB snapshot and specify a value for
 *   the KmsKeyId parameter, Amazon RDS encrypts the target DB snapshot"
 *   (API_CopyDBSnapshot). Errors: DBSnapshotAlreadyExists, DBSnapshotNotFound,
 *   InvalidDBSnapshotState, KMSKeyNotAccessibleFault, SnapshotQuotaExceeded.
 * - CopyDBClusterSnapshot: the same for SourceDBClusterSnapshotIdentifier and
 *   KmsKeyId; "If you copy an unencrypted DB cluster snapshot and specify a
 *   value for the KmsKeyId parameter, an error is returned"
 *   (API_CopyDBClusterSnapshot).
 * - RDS uses the source snapshot's key and KmsKeyId for the caller (kms.ts);
 *   a key of another account must allow this account in its key policy (RDS
 *   User Guide, "Sharing a DB snapshot", allowing access to a KMS key), else
 *   KMSKeyNotAccessibleFault.
 * - The copy is a manual snapshot of this account, `creating` then `available`
 *   (as a new snapshot: durations snapshotCreate / clusterSnapshotCreate).
 * The error codes of the KmsKeyId rules, and the messages, are assumed.
 */
import { Tag } from '@aws-sdk/client-rds';
import { rdsFault } from './faults';
import { keyArn, useKeyForCaller } from './kms';
import {
  ClusterSnapshotRecord, invalidIdentifier, Lifecycle, SnapshotRecord, validIdentifier,
} from './lifecycle';
import { clusterSnapshotExists, snapshotExists, takeClusterSnapshot, takeSnapshot, viewClusterSnapshot, viewSnapshot } from './snapshots';
import type { SimState } from './state';

/** The owner and the accounts a shared snapshot is shared with (its `restore` attribute). */
const sharing = new WeakMap<SnapshotRecord | ClusterSnapshotRecord, { owner: string; sharedWith: string[] }>();

export interface SharedSnapshotSpec {
  /** The snapshot's ARN in its own account (`arn:aws:rds:<region>:<owner>:snapshot:<name>` or `…:cluster-snapshot:<name>`). */
  arn: string;
  /** The data is that of this instance (or cluster, `isCluster`) of the simulator as it is now: same engine and settings. */
  from: string;
  isCluster?: boolean;
  /** The customer managed key of the owner it is encrypted with; absent: unencrypted. */
  kmsKeyId?: string;
  /** The accounts it is shared with. */
  sharedWith: string[];
  status?: string;
}

function ownerOf(arn: string): string {
  return arn.split(':')[4];
}

/** Seed a snapshot of another account shared with `sharedWith`. */
export function seedSharedSnapshot(sim: SimState, spec: SharedSnapshotSpec): void {
  sim.advance();
  const owner = ownerOf(spec.arn);
  if (owner === sim.accountId) throw new Error(`addSharedSnapshot: ${spec.arn} is of this account`);
  const encrypted = spec.kmsKeyId !== undefined;
  const status = spec.status ?? 'available';
  let rec: SnapshotRecord | ClusterSnapshotRecord;
  if (spec.isCluster) {
    const cluster = sim.findCluster(spec.from.toLowerCase());
    if (!cluster) throw new Error(`addSharedSnapshot: no cluster '${spec.from}'`);
    rec = takeClusterSnapshot(sim, cluster, spec.arn, [], { status, register: false });
    Object.assign(rec.data, {
      DBClusterSnapshotIdentifier: spec.arn, DBClusterSnapshotArn: spec.arn, SnapshotType: 'shared', StorageEncrypted: encrypted, KmsKeyId: spec.kmsKeyId,
    });
  } else {
    const inst = sim.findInstance(spec.from.toLowerCase());
    if (!inst) throw new Error(`addSharedSnapshot: no instance '${spec.from}'`);
    rec = takeSnapshot(sim, inst, spec.arn, [], { status, register: false });
    Object.assign(rec.data, { DBSnapshotIdentifier: spec.arn, DBSnapshotArn: spec.arn, SnapshotType: 'shared', Encrypted: encrypted, KmsKeyId: spec.kmsKeyId });
  }
  sharing.set(rec, { owner, sharedWith: [...spec.sharedWith] });
  sim.records.push(rec);
}

/** Whether this account may see `rec`: its own, or shared with it. */
export function visible(sim: SimState, rec: SnapshotRecord | ClusterSnapshotRecord): boolean {
  const s = sharing.get(rec);
  return !s || s.sharedWith.includes(sim.accountId);
}

/** Whether `rec` is a snapshot of another account. */
export function isShared(rec: SnapshotRecord | ClusterSnapshotRecord): boolean {
  return sharing.has(rec);
}

/** The KmsKeyId checks of both copy calls, and the keys RDS uses for the caller; returns the copy's key. */
function copyKey(
  sim: SimState, source: SnapshotRecord | ClusterSnapshotRecord, encrypted: boolean, kmsKeyId: string | undefined,
): string | undefined {
  const shared = isShared(source);
  if (encrypted && shared && kmsKeyId === undefined) {
    throw rdsFault('InvalidParameterValue', 'KmsKeyId is required to copy an encrypted snapshot shared from another AWS account.');
  }
  if (!encrypted && kmsKeyId !== undefined && source.kind === 'cluster-snapshot') {
    throw rdsFault('InvalidParameterCombination', 'Cannot encrypt an unencrypted DB cluster snapshot when copying it: remove KmsKeyId.');
  }
  if (kmsKeyId !== undefined && keyArn(sim.env, kmsKeyId).split(':')[4] !== sim.accountId) {
    throw rdsFault('KMSKeyNotAccessibleFault', `The specified KMS key [${kmsKeyId}] is not in this account: the copy is encrypted with a key of the account that makes it.`);
  }
  if (encrypted) useKeyForCaller(sim.env, source.data.KmsKeyId, 'source snapshot KMS key');
  useKeyForCaller(sim.env, kmsKeyId);
  return kmsKeyId !== undefined ? keyArn(sim.env, kmsKeyId) : source.data.KmsKeyId;
}

/** The source of a copy: by ARN when it is shared; visible to this account; available. */
function requireSource<R extends SnapshotRecord | ClusterSnapshotRecord>(
  sim: SimState, id: unknown, find: (id: unknown) => R, notFound: string,
): R {
  const rec = find(id);
  if (!visible(sim, rec) || (isShared(rec) && !String(id).startsWith('arn:'))) throw rdsFault(notFound, `Snapshot ${String(id)} not found.`);
  return rec;
}

export function copyDBSnapshot(sim: SimState, input: {
  SourceDBSnapshotIdentifier?: string; TargetDBSnapshotIdentifier?: string; KmsKeyId?: string; Tags?: Tag[]; CopyTags?: boolean;
}): object {
  const source = requireSource(sim, input.SourceDBSnapshotIdentifier, (id) => sim.requireSnapshot(id), 'DBSnapshotNotFoundFault');
  if (!validIdentifier(input.TargetDBSnapshotIdentifier, 255)) throw invalidIdentifier('TargetDBSnapshotIdentifier');
  const id = input.TargetDBSnapshotIdentifier.toLowerCase();
  if (sim.findSnapshot(id)) throw snapshotExists(id);
  if (source.life.status !== 'available') {
    throw rdsFault('InvalidDBSnapshotStateFault', `Snapshot ${source.data.DBSnapshotIdentifier} is ${source.life.status}; it must be available to be copied.`);
  }
  const key = copyKey(sim, source, source.data.Encrypted === true, input.KmsKeyId);
  const tags = [...(input.CopyTags && !isShared(source) ? source.data.TagList ?? [] : []), ...(input.Tags ?? [])];
  const rec: SnapshotRecord = {
    kind: 'snapshot',
    life: new Lifecycle('creating', sim.clock.elapsed),
    source: { ...source.source },
    data: {
      ...structuredClone(source.data),
      SnapshotType: 'manual',
      SnapshotCreateTime: sim.clock.now(),
      Encrypted: key !== undefined,
      KmsKeyId: key,
      SourceDBSnapshotIdentifier: source.data.DBSnapshotArn,
      SourceRegion: sim.region,
      TagList: structuredClone(tags),
      PercentProgress: 0,
    },
  };
  rec.life.run([{ status: 'creating', seconds: sim.durations.snapshotCreate }, { status: 'available' }], sim.clock.elapsed);
  sim.records.push(rec);
  sim.claim(rec, id);
  return { DBSnapshot: viewSnapshot(sim, rec) };
}

export function copyDBClusterSnapshot(sim: SimState, input: {
  SourceDBClusterSnapshotIdentifier?: string; TargetDBClusterSnapshotIdentifier?: string; KmsKeyId?: string; Tags?: Tag[]; CopyTags?: boolean;
}): object {
  const source = requireSource(sim, input.SourceDBClusterSnapshotIdentifier,
    (id) => sim.requireClusterSnapshot(id, 'SourceDBClusterSnapshotIdentifier'), 'DBClusterSnapshotNotFoundFault');
  if (!validIdentifier(input.TargetDBClusterSnapshotIdentifier, 255)) throw invalidIdentifier('TargetDBClusterSnapshotIdentifier');
  const id = input.TargetDBClusterSnapshotIdentifier.toLowerCase();
  if (sim.findClusterSnapshot(id)) throw clusterSnapshotExists(id);
  if (source.life.status !== 'available') {
    throw rdsFault('InvalidDBClusterSnapshotStateFault',
      `Cluster snapshot ${source.data.DBClusterSnapshotIdentifier} is ${source.life.status}; it must be available to be copied.`);
  }
  const key = copyKey(sim, source, source.data.StorageEncrypted === true, input.KmsKeyId);
  const tags = [...(input.CopyTags && !isShared(source) ? source.data.TagList ?? [] : []), ...(input.Tags ?? [])];
  const rec: ClusterSnapshotRecord = {
    kind: 'cluster-snapshot',
    life: new Lifecycle('creating', sim.clock.elapsed),
    source: structuredClone(source.source),
    data: {
      ...structuredClone(source.data),
      SnapshotType: 'manual',
      SnapshotCreateTime: sim.clock.now(),
      StorageEncrypted: key !== undefined,
      KmsKeyId: key,
      SourceDBClusterSnapshotArn: source.data.DBClusterSnapshotArn,
      TagList: structuredClone(tags),
      PercentProgress: 0,
    },
  };
  rec.life.run([{ status: 'creating', seconds: sim.durations.clusterSnapshotCreate }, { status: 'available' }], sim.clock.elapsed);
  sim.records.push(rec);
  sim.claim(rec, id);
  return { DBClusterSnapshot: viewClusterSnapshot(sim, rec) };
}

/**
 * The key policy of a key of another account (kms.ts `addForeignKey`), for the
 * IAM check: its own account administers it; each allowed account may use it,
 * as the RDS User Guide's example for sharing encrypted snapshots allows
 * ("Sharing a DB snapshot", allowing access to a KMS key).
 */
export function foreignKeyPolicy(arn: string, allowed: string[]): unknown {
  const statements: unknown[] = [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ownerOf(arn)}:root` }, Action: 'kms:*', Resource: '*' }];
  if (allowed.length > 0) {
    statements.push({
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: { AWS: allowed.map((a) => `arn:aws:iam::${a}:root`) },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:RetireGrant'],
      Resource: '*',
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
