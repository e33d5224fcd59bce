/**
 * Engine and storage rules RDS checks on RestoreDBInstanceFromDBSnapshot and
 * ModifyDBInstance of a DB instance, each with its source.
 */
import { DBInstance } from '@aws-sdk/client-rds';
import { isAurora } from './engines';
import { rdsFault } from './faults';
import type { SnapshotRecord } from './lifecycle';

/** The ModifyDBInstance parameters that change storage. */
export const STORAGE_PARAMETERS = ['AllocatedStorage', 'StorageType', 'Iops', 'StorageThroughput'];

const isSqlServer = (engine: string | undefined): boolean => engine?.startsWith('sqlserver') ?? false;

/**
 * RDS User Guide, "Amazon RDS DB instance storage", gp3: below 400 GiB (200 GiB
 * for Oracle) a gp3 volume runs at its baseline and RDS refuses explicit IOPS
 * or throughput ("You can't specify IOPS or storage throughput for engine
 * postgres and a storage size less than 400", as reported in
 * hashicorp/terraform-provider-aws#28589). SQL Server has no threshold.
 */
function gp3Threshold(engine: string): number | undefined {
  if (isSqlServer(engine)) return undefined;
  return engine.startsWith('oracle') ? 200 : 400;
}

/**
 * EngineLifecycleSupport "applies only to RDS for MySQL and RDS for PostgreSQL"
 * (API reference, RestoreDBInstanceFromDBSnapshot, CreateDBInstance); Aurora
 * has it at the cluster level (RestoreDBClusterFromSnapshot). Other engines
 * have none, so DescribeDBInstances shows none.
 */
export function hasLifecycleSupport(engine: string): boolean {
  return engine === 'mysql' || engine === 'postgres' || isAurora(engine);
}

/** The checks RestoreDBInstanceFromDBSnapshot makes on engine-specific parameters. */
export function validateRestore(snap: SnapshotRecord, input: Record<string, any>): void {
  const engine: string = input.Engine ?? snap.data.Engine!;
  // API reference, RestoreDBInstanceFromDBSnapshot, AllocatedStorage: "This setting isn't valid for RDS for
  // SQL Server". The fault name is RDS's usual for a parameter an engine does not take (the message is assumed).
  if (isSqlServer(engine) && input.AllocatedStorage !== undefined) {
    throw rdsFault('InvalidParameterCombination', `AllocatedStorage isn't supported for DB engine ${engine} when restoring from a DB snapshot.`);
  }
  // Fault as for another engine-specific parameter ("DBClusterInstanceClass isn't supported for DB engine
  // aurora-postgresql", hashicorp/terraform-provider-aws#30596); the exact message for this one is unconfirmed.
  if (input.EngineLifecycleSupport !== undefined && !hasLifecycleSupport(engine)) {
    throw rdsFault('InvalidParameterCombination', `EngineLifecycleSupport isn't supported for DB engine ${engine}.`);
  }
  // API reference, RestoreDBInstanceFromDBSnapshot (and ...ToPointInTime), ManageMasterUserPassword and
  // MasterUserSecretKmsKeyId: "Applies to RDS for Oracle only" (fault as above; message assumed)
  const managed = ['ManageMasterUserPassword', 'MasterUserSecretKmsKeyId'].find((k) => input[k] !== undefined);
  if (managed && !engine.startsWith('oracle')) {
    throw rdsFault('InvalidParameterCombination', `${managed} isn't supported for DB engine ${engine} when restoring from a DB snapshot.`);
  }
  const storageType = input.StorageType ?? snap.data.StorageType;
  const size = input.AllocatedStorage ?? snap.data.AllocatedStorage ?? 0;
  const threshold = gp3Threshold(engine);
  if (storageType === 'gp3' && threshold !== undefined && size < threshold && (input.Iops !== undefined || input.StorageThroughput !== undefined)) {
    throw rdsFault('InvalidParameterCombination',
      `You can't specify IOPS or storage throughput for engine ${engine} and a storage size less than ${threshold}.`);
  }
}

/** Whether the instance has provisioned IOPS one can set: io1, io2, or gp3 past its threshold. */
function hasSettableIops(i: DBInstance): boolean {
  if (i.StorageType === 'io1' || i.StorageType === 'io2') return true;
  const threshold = gp3Threshold(i.Engine ?? '');
  return i.StorageType === 'gp3' && (threshold === undefined || (i.AllocatedStorage ?? 0) >= threshold);
}

/**
 * The storage checks of ModifyDBInstance, on the storage parameters that would
 * change something (`changing`):
 * - during storage-optimization no storage change (RDS User Guide, "Viewing
 *   Amazon RDS DB instance status": "you can't request any changes to the
 *   storage"; message as reported in hashicorp/terraform-provider-aws#12493).
 *   The six hours after a storage change ("Increasing DB instance storage
 *   capacity") are not modelled: the pipeline makes one storage change;
 * - a new size on an instance with IOPS needs the IOPS too ("You must specify
 *   both the storage size and iops when modifying the storage size or iops on
 *   a DB instance that has iops", hashicorp/terraform-provider-aws#33512;
 *   API reference, ModifyDBInstance, AllocatedStorage constraints).
 */
export function validateStorageModify(i: DBInstance, status: string, input: Record<string, any>, changing: string[]): void {
  if (changing.length === 0) return;
  if (status === 'storage-optimization') {
    throw rdsFault('InvalidParameterCombination',
      'You can\'t currently modify the storage of this DB instance because the previous storage change is being optimized.');
  }
  if (changing.includes('AllocatedStorage') && input.Iops === undefined && hasSettableIops(i)) {
    throw rdsFault('InvalidParameterCombination',
      'You must specify both the storage size and iops when modifying the storage size or iops on a DB instance that has iops.');
  }
}
