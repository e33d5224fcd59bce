/**
 * Every RDS command the simulator implements, by name: the dispatch table of `RdsSimulator`
 * (rds-sim.ts), each entry the function of the module that implements it.
 */
import {
  describeDBInstanceAutomatedBackups, restoreDBClusterToPointInTime, restoreDBInstanceToPointInTime,
} from './backups';
import {
  deleteDBCluster, describeDBClusters, modifyDBCluster, restoreDBClusterFromSnapshot, setHttpEndpoint,
} from './clusters';
import { copyDBClusterSnapshot, copyDBSnapshot } from './copies';
import type { ExportTasks } from './exports';
import { deleteDBInstance, describeDBInstances, modifyDBInstance, restoreDBInstanceFromDBSnapshot } from './instances';
import { createDBInstance } from './members';
import {
  createDBClusterSnapshot, createDBSnapshot, deleteDBClusterSnapshot, deleteDBSnapshot, describeDBClusterSnapshots, describeDBSnapshots,
} from './snapshots';
import type { SimState } from './state';
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './tags';

/** A command's implementation: the request's input in, the response's fields out (or a thrown RDS fault). */
export type RdsCommands = Record<string, (input: any) => object>;

/** The commands on `sim`; DescribeAccountAttributes answers with `accountAttributes` (it reads the simulator's quotas). */
export function rdsCommands(sim: SimState, exports: ExportTasks, accountAttributes: () => object): RdsCommands {
  return {
    DescribeDBInstances: input => describeDBInstances(sim, input),
    ModifyDBInstance: input => modifyDBInstance(sim, input),
    RestoreDBInstanceFromDBSnapshot: input => restoreDBInstanceFromDBSnapshot(sim, input),
    DeleteDBInstance: input => deleteDBInstance(sim, input),
    CreateDBSnapshot: input => createDBSnapshot(sim, input),
    DescribeDBSnapshots: input => describeDBSnapshots(sim, input),
    DeleteDBSnapshot: input => deleteDBSnapshot(sim, input),
    DescribeDBClusters: input => describeDBClusters(sim, input),
    ModifyDBCluster: input => modifyDBCluster(sim, input),
    RestoreDBClusterFromSnapshot: input => restoreDBClusterFromSnapshot(sim, input),
    DeleteDBCluster: input => deleteDBCluster(sim, input),
    EnableHttpEndpoint: input => setHttpEndpoint(sim, input, true),
    DisableHttpEndpoint: input => setHttpEndpoint(sim, input, false),
    CreateDBInstance: input => createDBInstance(sim, input),
    CreateDBClusterSnapshot: input => createDBClusterSnapshot(sim, input),
    DescribeDBClusterSnapshots: input => describeDBClusterSnapshots(sim, input),
    DeleteDBClusterSnapshot: input => deleteDBClusterSnapshot(sim, input),
    AddTagsToResource: input => addTagsToResource(sim, input),
    RemoveTagsFromResource: input => removeTagsFromResource(sim, input),
    ListTagsForResource: input => listTagsForResource(sim, input),
    StartExportTask: input => exports.start(input),
    DescribeExportTasks: input => exports.describe(input),
    RestoreDBInstanceToPointInTime: input => restoreDBInstanceToPointInTime(sim, input),
    RestoreDBClusterToPointInTime: input => restoreDBClusterToPointInTime(sim, input),
    DescribeDBInstanceAutomatedBackups: input => describeDBInstanceAutomatedBackups(sim, input),
    CopyDBSnapshot: input => copyDBSnapshot(sim, input),
    CopyDBClusterSnapshot: input => copyDBClusterSnapshot(sim, input),
    DescribeAccountAttributes: () => accountAttributes(),
  };
}
