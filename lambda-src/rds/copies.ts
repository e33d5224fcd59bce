import {
  CopyDBClusterSnapshotCommand, CopyDBSnapshotCommand, DescribeDBClusterSnapshotsCommand, DescribeDBSnapshotsCommand, Tag,
} from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, classify, isFault, PipelineError } from './errors';
import type { SnapshotRef } from './job';
import { snapshotNamePrefix } from './naming';
import { madeByPipeline, pipelineTags, Snap, SnapshotKind, snapshotKind } from './snapshots';
import { parseSnapshotArn } from '../../src/input-sources';

/**
 * Snapshots shared from another account (`sourceAccounts`): found by ARN, copied
 * into this account, the copy restored from, then deleted (or kept,
 * `keepSnapshotCopies`).
 *
 * RDS cannot restore a DB instance from a snapshot that is both shared and
 * encrypted: it is copied first (RDS User Guide, "Sharing a DB snapshot").
 * CopyDBSnapshot / CopyDBClusterSnapshot (API reference): the source must be the
 * shared snapshot's ARN; `KmsKeyId` is required to copy an encrypted snapshot
 * shared from another account (the copy is encrypted with it, a key of this
 * account: `copyKey`); an unencrypted DB cluster snapshot cannot be copied with
 * a `KmsKeyId`. The copy is made for every shared snapshot, encrypted or not, so
 * the restore always reads a snapshot of this account, and it is made and
 * verified before the original database is touched.
 */

/** The tag that marks a copy: the ARN of the shared snapshot it copies (cut to RDS's 256-character tag values). */
export const TAG_COPY_OF = 'trapheus:copy-of';

/** The name of this pipeline's copy for `identifier`: `<snapshotNamePrefix><identifier>-trapheus-copy-YYYYMMDD-HHMMSS`. */
export function copyIdentifier(identifier: string, startedAt: string | Date, prefix = snapshotNamePrefix()): string {
  const iso = new Date(startedAt).toISOString();
  return `${prefix}${identifier}-trapheus-copy-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** Whether `name` has the pattern of this pipeline's copies for `identifier`. */
export function isCopyName(name: string, identifier: string, prefix = snapshotNamePrefix()): boolean {
  const head = `${prefix}${identifier}-trapheus-copy-`;
  return name.startsWith(head) && /^\d{8}-\d{6}$/.test(name.slice(head.length));
}

/** The ARN of `snapshotIdentifier` when it names a snapshot of another account than this one (ACCOUNT_ID). */
export function sharedArn(snapshotIdentifier: string | undefined): string | undefined {
  const arn = snapshotIdentifier ? parseSnapshotArn(snapshotIdentifier) : undefined;
  const account = process.env.ACCOUNT_ID;
  return arn && account && arn.account !== account ? snapshotIdentifier : undefined;
}

interface Shared extends Snap {
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
}

/** The shared snapshots this account may copy (DescribeDB(Cluster)Snapshots, SnapshotType `shared`, every page), the one with `arn`. */
async function describeShared(isCluster: boolean, arn: string): Promise<Shared | undefined> {
  let marker: string | undefined;
  do {
    if (isCluster) {
      const out = await attempt(`Listing the cluster snapshots shared with this account (${arn})`,
        () => rds().send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'shared', Marker: marker })));
      const s = (out.DBClusterSnapshots ?? []).find((x) => x.DBClusterSnapshotArn === arn);
      if (s) {
        return {
          id: arn,
          arn,
          status: s.Status,
          engine: s.Engine,
          createdAt: s.SnapshotCreateTime && new Date(s.SnapshotCreateTime).toISOString(),
          type: 'shared',
          tags: [],
          encrypted: s.StorageEncrypted === true,
          kmsKeyId: s.KmsKeyId,
        };
      }
      marker = out.Marker;
    } else {
      const out = await attempt(`Listing the snapshots shared with this account (${arn})`,
        () => rds().send(new DescribeDBSnapshotsCommand({ SnapshotType: 'shared', Marker: marker })));
      const s = (out.DBSnapshots ?? []).find((x) => x.DBSnapshotArn === arn);
      if (s) {
        return {
          id: arn,
          arn,
          status: s.Status,
          engine: s.Engine,
          createdAt: s.SnapshotCreateTime && new Date(s.SnapshotCreateTime).toISOString(),
          type: 'shared',
          tags: [],
          encrypted: s.Encrypted === true,
          kmsKeyId: s.KmsKeyId,
        };
      }
      marker = out.Marker;
    }
  } while (marker);
  return undefined;
}

/**
 * `db_restore` of a shared snapshot, before any change: it must be shared with
 * this account, available, of the database's engine, and, when encrypted, the
 * pipeline needs `copyKey` (COPY_KEY_ARN) to copy it.
 */
export async function findShared(isCluster: boolean, arn: string, identifier: string, engine: string): Promise<SnapshotRef> {
  const noun = isCluster ? 'cluster snapshot' : 'snapshot';
  const s = await describeShared(isCluster, arn);
  if (!s) {
    throw new PipelineError(isCluster ? 'DBClusterSnapshotNotFoundFault' : 'DBSnapshotNotFoundFault',
      `The ${noun} ${arn} is not shared with this account: in its account, share it with this one (ModifyDB${isCluster ? 'Cluster' : ''}SnapshotAttribute, `
      + 'AttributeName "restore", ValuesToAdd [this account\'s ID]), and check "snapshotIdentifier".');
  }
  if (s.status !== 'available') {
    throw new PipelineError(isCluster ? 'InvalidDBClusterSnapshotStateFault' : 'InvalidDBSnapshotStateFault',
      `The shared ${noun} ${arn} is ${s.status}, not available; wait for it and run again.`);
  }
  if (s.engine && s.engine !== engine) {
    throw new PipelineError('SnapshotEngineMismatch', `The shared ${noun} ${arn} is of engine ${s.engine} but ${identifier} runs ${engine}.`);
  }
  if (s.encrypted && !process.env.COPY_KEY_ARN) {
    throw new PipelineError('CopyKeyMissing', `The shared ${noun} ${arn} is encrypted (KMS key ${s.kmsKeyId ?? 'unknown'}): RDS restores it only from a copy `
      + 're-encrypted with a KMS key of this account. Set the copyKey prop of TrapheusRestore to such a key, and allow this account to use the source key in its key policy.');
  }
  const shared = { encrypted: s.encrypted, ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}) };
  return { id: arn, arn, createdAt: s.createdAt, created: false, shared };
}

function copyTags(identifier: string, source: string): Tag[] {
  return [...pipelineTags(identifier), { Key: TAG_COPY_OF, Value: source.slice(0, 256) }];
}

/**
 * Copy the shared snapshot `shared` into this account under a name from the
 * execution's start (a retry finds the copy it asked for), tagged as this
 * pipeline's copy for `identifier`, re-encrypted with `copyKey` when encrypted.
 * A refused key (the source key's policy does not allow this account, or the
 * role may not use `copyKey`) fails with `SharedSnapshotKeyNotAccessible`.
 */
export async function copyShared(isCluster: boolean, identifier: string, startedAt: string, shared: SnapshotRef): Promise<SnapshotRef> {
  const kind = snapshotKind(isCluster);
  const source = shared.arn!;
  const name = copyIdentifier(identifier, startedAt);
  const KmsKeyId = shared.shared?.encrypted ? process.env.COPY_KEY_ARN : undefined;
  const ref = (s: Snap): SnapshotRef => ({ id: s.id, arn: s.arn, createdAt: s.createdAt, created: true, copyOf: source });
  try {
    const out = isCluster
      ? (await rds().send(new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: source, TargetDBClusterSnapshotIdentifier: name, KmsKeyId, Tags: copyTags(identifier, source),
      }))).DBClusterSnapshot
      : (await rds().send(new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: source, TargetDBSnapshotIdentifier: name, KmsKeyId, Tags: copyTags(identifier, source),
      }))).DBSnapshot;
    const id = isCluster
      ? (out as { DBClusterSnapshotIdentifier?: string })?.DBClusterSnapshotIdentifier
      : (out as { DBSnapshotIdentifier?: string })?.DBSnapshotIdentifier;
    const arn = isCluster ? (out as { DBClusterSnapshotArn?: string })?.DBClusterSnapshotArn : (out as { DBSnapshotArn?: string })?.DBSnapshotArn;
    return { id: id ?? name, arn, created: true, copyOf: source };
  } catch (err) {
    if (isFault(err, ...kind.alreadyExists)) {
      const existing = await kind.find(name);
      if (existing && madeByPipeline(existing, identifier)) return ref(existing);
    }
    if (isFault(err, 'KMSKeyNotAccessibleFault', 'KMSKeyNotAccessible')) {
      throw new PipelineError('SharedSnapshotKeyNotAccessible', `Copying the shared ${kind.noun} ${source} into this account was refused by KMS: `
        + `${(err as Error).message} The source account's key policy must allow this account (kms:DescribeKey, kms:CreateGrant, kms:Decrypt, kms:ReEncrypt*, `
        + 'kms:GenerateDataKey*), and copyKey must be a key this pipeline may use. The original database was not touched.');
    }
    throw classify(err, `Copying the shared ${kind.noun} ${source} to ${name}`);
  }
}

/**
 * The copies this pipeline made for `identifier` (by name pattern AND the
 * pipeline's tags, never by name alone), deleted: this run's, and any a failed
 * run left. Never a snapshot the refresh keeps or one named by the input.
 */
export async function deleteCopies(kind: SnapshotKind, identifier: string): Promise<{ deleted: string[] }> {
  const copies = (await kind.listManual()).filter((s) => isCopyName(s.id, identifier) && madeByPipeline(s, identifier)
    && s.tags.some((t) => t.Key === TAG_COPY_OF) && s.status === 'available');
  const deleted: string[] = [];
  for (const s of copies) {
    try {
      await kind.remove(s.id);
    } catch (err) {
      if (isFault(err, ...kind.notFound)) continue;
      throw classify(err, `Deleting the ${kind.noun} copy ${s.id}`);
    }
    deleted.push(s.id);
  }
  return { deleted };
}
