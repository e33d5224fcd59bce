import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { StagedCluster, STAGED_CLUSTER } from './cluster-staged';
import { Cutover, resolveDnsAlias } from './cutover';
import { DNS_PATHS, DnsCutover } from './dns-cutover';
import { ExecutionEndings, FailurePhase } from './endings';
import { invoke } from './invoke';
import { PipelineSteps, RestorePipelineProps } from './pipeline-steps';
import { RestoreHandlers } from './restore-handlers';
import { SharedSnapshotCopyStates } from './snapshot-copy';
import { WaitCheck } from './wait-until';

/**
 * The Aurora branch of the state machine, built from the same fragments as the
 * instance branch: capture → cluster snapshot (create or find) → rename the
 * members, then the cluster, out of the way → restore the cluster under its
 * identifier → create the writer, then the readers → apply the rest of the
 * configuration → verify (settings and writer) → delete the old members, then
 * the old cluster. Between the first rename and the point where the restored
 * cluster and all its members are available, failures roll back.
 */
export class ClusterRestorePipeline extends Construct {
  /** The first state of the branch. */
  public readonly startState: sfn.IChainable;

  constructor(scope: Construct, id: string, props: RestorePipelineProps) {
    super(scope, id);
    const h = props.handlers;
    const endings = props.endings;
    const steps = new PipelineSteps(this, props, 'cluster');
    const old = steps.old;
    const wait = steps.wait.bind(steps);
    const guard = steps.guard.bind(steps);
    const job = { 'job.$': '$' };

    const unchanged = endings.report(FailurePhase.UNCHANGED);
    const restoredFailure = endings.report(FailurePhase.RESTORED);
    // Cutover RESTORE_THEN_SWAP and a DNS alias build the whole restored cluster beside the original first.
    const dnsAlias = resolveDnsAlias(props);
    const dns = dnsAlias && new DnsCutover(this, { dnsFunction: h.dns!, dns: dnsAlias, endings, noun: 'cluster' });
    const swap = !dns && props.cutover === Cutover.RESTORE_THEN_SWAP;
    const staged = (dns || swap) ? new StagedCluster(this, h, wait, guard) : undefined;
    // (the swap renames the original members before the cluster: its rollback renames them back)
    const discardStaged = staged?.discard(endings, swap);
    const rollback = discardStaged ?? this.rollback(h, wait, endings);
    // where the old cluster and its members are, and the restored ones, once the restored cluster serves
    const at = dns
      ? { oldCluster: DNS_PATHS.serving, oldMembers: '$.original.memberIdentifiers', restored: DNS_PATHS.next, restoredMembers: STAGED_CLUSTER.members }
      : { oldCluster: '$.temp.identifier', oldMembers: '$.temp.members', restored: '$.identifier', restoredMembers: '$.original.memberIdentifiers' };
    // a DNS alias's snapshots are named after the input's identifier, and taken of either of its two identifiers
    const sources = dns ? { 'sources.$': `States.Array(${DNS_PATHS.serving}, ${DNS_PATHS.next})` } : {};

    // Before any change.
    const capture = guard(invoke(this, 'Capture the cluster configuration', h.capture, { 'job.$': '$' }, '$.original'), unchanged);
    const takeSnapshot = guard(invoke(this, 'Take a new cluster snapshot', h.snapshot, {
      'op': 'create', 'isCluster': true, 'identifier.$': '$.identifier', ...(dns ? { 'source.$': DNS_PATHS.serving } : {}), 'startedAt.$': '$$.Execution.StartTime', 'job.$': '$',
    }, '$.snapshot'), unchanged);
    const pruneSnapshots = guard(invoke(this, 'Delete older cluster snapshots', h.snapshot, {
      'op': 'prune', 'isCluster': true, 'identifier.$': '$.identifier', ...sources, 'keep.$': '$.snapshot.id',
    }, '$.pruned'), unchanged);
    const findSnapshot = guard(invoke(this, 'Find what to restore the cluster from', h.snapshot, {
      'op': 'find', 'isCluster': true, 'identifier.$': '$.identifier', ...sources, 'engine.$': '$.original.engine', 'job.$': '$',
    }, '$.snapshot'), unchanged);

    // Rename first: from the first rename until the restored cluster and all its members are available, failures roll back.
    // (Built only when used: an unused state would be unreachable.)
    const renameFirst = !staged;
    const renameMembers = renameFirst ? guard(invoke(this, 'Rename the cluster members out of the way', h.rename,
      { op: 'members-forward', ...job }, '$.renamedMembers'), rollback) : undefined;
    const renameCluster = renameFirst ? guard(invoke(this, 'Rename the cluster out of the way', h.rename,
      { op: 'cluster-forward', ...job }, '$.temp'), rollback) : undefined;
    const restoreCluster = renameFirst ? guard(invoke(this, 'Restore the cluster under the original identifier', h.restore,
      { op: 'cluster', ...job }, '$.restored'), rollback) : undefined;
    const createWriter = renameFirst ? guard(invoke(this, 'Create the writer', h.restore,
      { op: 'members', which: 'writer', ...job }, '$.writerCreated'), rollback) : undefined;
    const createReaders = renameFirst ? guard(invoke(this, 'Create the readers', h.restore,
      { op: 'members', which: 'readers', ...job }, '$.readersCreated'), rollback) : undefined;

    // After the restored cluster and its members are available: no rollback.
    const applyConfig = renameFirst ? guard(invoke(this, 'Apply the cluster settings the restore cannot carry', h.applyConfig,
      { op: 'cluster-apply', ...job }, '$.applied'), restoredFailure) : undefined;
    // a DNS alias verified the staged cluster before the switch
    const verify = dns ? undefined : guard(invoke(this, 'Verify the restored cluster and its writer', h.applyConfig,
      { op: 'cluster-verify', ...job }, '$.verified'), restoredFailure);
    // The members are deleted without a final snapshot (Aurora refuses one): the cluster's covers them.
    const deleteOldMembers = guard(invoke(this, 'Delete the old cluster members', h.delete,
      { op: 'old-members', ...job, oldDatabase: old.payload }, '$.deletedOldMembers'), restoredFailure);
    const deleteOldCluster = guard(invoke(this, 'Delete the old cluster', h.delete, {
      op: 'old-cluster',
      ...job,
      oldDatabase: old.payload,
      ...(old.payload.finalSnapshot ? { 'startedAt.$': '$$.Execution.StartTime' } : {}),
    }, '$.deletedOldCluster'), restoredFailure);
    // a final snapshot needs the old cluster available (a backing-up one is refused): retried
    if (old.payload.finalSnapshot) steps.retryWhileOldDatabaseBusy(deleteOldCluster);

    const restoredCluster = { resource: 'cluster', identifierPath: '$.identifier', resourceIdPath: '$.restored.resourceId' } as const;

    // What happens to the old cluster: kept for a while (then its members and the
    // restored cluster are waited for: either may be backing up or in maintenance
    // by then), deleted, and its final snapshot waited for and tagged.
    // A DNS alias: first the switch (its failure switches back, then discards the staged cluster) and the drain.
    let beforeDelete = dns
      ? dns.switchOver(dns.switchBack(endings.report(FailurePhase.ROLLBACK_FAILED), discardStaged!))
      : sfn.Chain.start(verify!);
    // The hook, on the verified cluster: its failure rolls back (staged cutovers ran it on the staged cluster).
    if (props.afterRestore && renameFirst) {
      beforeDelete = beforeDelete.next(guard(props.afterRestore._task(this, {
        kind: 'cluster', identifierPath: '$.identifier', verifiedPath: '$.verified',
      }), rollback));
    }
    if (old.keepSeconds) {
      beforeDelete = beforeDelete
        .next(new sfn.Wait(this, `Keep the old cluster for ${old.keepText}`, { time: sfn.WaitTime.duration(Duration.seconds(old.keepSeconds)) }))
        .next(wait('old members after the keep window', { resource: 'instances', identifiersPath: at.oldMembers, until: 'settled' }, restoredFailure))
        .next(wait('restored cluster after the keep window', {
          ...restoredCluster, identifierPath: at.restored, membersPath: at.restoredMembers, until: 'available',
        }, restoredFailure));
    }
    let afterDelete = sfn.Chain.start(wait('old cluster deletion', { resource: 'cluster', identifierPath: at.oldCluster, until: 'gone' }, restoredFailure));
    if (old.payload.finalSnapshot) {
      afterDelete = afterDelete
        .next(wait('final cluster snapshot', { resource: 'cluster-snapshot', identifierPath: '$.deletedOldCluster.finalSnapshot', until: 'available' }, restoredFailure))
        .next(guard(invoke(this, 'Tag the final cluster snapshot', h.delete, {
          'op': 'final-snapshot',
          'isCluster': true,
          'identifier.$': '$.identifier',
          'temp.$': at.oldCluster,
          'snapshotId.$': '$.deletedOldCluster.finalSnapshot',
          'sourceResourceId.$': '$.original.resourceId',
        }, '$.finalSnapshot'), restoredFailure));
    }
    const cutover = staged
      ? (swap ? this.swapIn(staged.build(rollback, props.afterRestore), staged.swapBack(endings, discardStaged!), wait, guard, h)
        : staged.build(rollback, props.afterRestore)).next(beforeDelete)
      : this.renameFirst([renameMembers!, renameCluster!, restoreCluster!, createWriter!, createReaders!, applyConfig!],
        rollback, restoredFailure, wait).next(beforeDelete);
    const restoreChain = cutover
      .next(deleteOldMembers)
      .next(wait('old members deletion', { resource: 'instances', identifiersPath: at.oldMembers, until: 'gone' }, restoredFailure))
      .next(deleteOldCluster)
      .next(afterDelete);
    // a shared cluster snapshot is copied into this account after the find step; the copies are deleted at the end
    const copies = new SharedSnapshotCopyStates(this, steps, h, 'cluster');
    restoreChain.next(copies.cleanup(restoredFailure, endings.succeed('Cluster restored')));

    const snapshotChain = sfn.Chain.start(takeSnapshot)
      .next(wait('new cluster snapshot', { resource: 'cluster-snapshot', identifierPath: '$.snapshot.id', until: 'available' }, unchanged))
      .next(pruneSnapshots)
      .next(new sfn.Choice(this, 'Only a cluster snapshot?')
        .when(sfn.Condition.stringEquals('$.task', 'create_snapshot_only'), endings.succeed('Cluster snapshot taken'))
        .otherwise(restoreChain));

    const which = new sfn.Choice(this, 'Which cluster task?')
      .when(sfn.Condition.stringEquals('$.task', 'db_restore'), copies.afterFind(findSnapshot, unchanged, restoreChain));
    if (props.snapshotExport) which.when(sfn.Condition.stringEquals('$.task', 'export_snapshot'), props.snapshotExport.states('cluster'));
    const start = sfn.Chain.start(capture).next(which.otherwise(snapshotChain));
    this.startState = dns ? dns.start(start, unchanged) : start;
  }

  /** Rename first: members, then the cluster, out of the way; restore under the identifier; members; settings. */
  private renameFirst(tasks: sfn.TaskStateBase[], rollback: sfn.IChainable, restoredFailure: sfn.IChainable, wait: WaitFn): sfn.Chain {
    const [renameMembers, renameCluster, restoreCluster, createWriter, createReaders, applyConfig] = tasks;
    const restoredCluster = { resource: 'cluster', identifierPath: '$.identifier', resourceIdPath: '$.restored.resourceId' } as const;
    return sfn.Chain.start(renameMembers)
      .next(wait('renamed members', { resource: 'instances', identifiersPath: '$.renamedMembers.members', until: 'available' }, rollback))
      .next(renameCluster)
      .next(wait('renamed cluster', {
        resource: 'cluster', identifierPath: '$.temp.identifier', resourceIdPath: '$.original.resourceId', membersPath: '$.temp.members', until: 'available',
      }, rollback))
      .next(restoreCluster)
      .next(wait('restored cluster', { ...restoredCluster, until: 'available' }, rollback))
      .next(createWriter)
      .next(wait('restored writer', { resource: 'instances', identifiersPath: '$.writerCreated.created', until: 'available' }, rollback))
      .next(createReaders)
      .next(wait('restored members', { ...restoredCluster, membersPath: '$.original.memberIdentifiers', until: 'available' }, rollback))
      .next(applyConfig)
      .next(wait('restored cluster settings', { ...restoredCluster, membersPath: '$.original.memberIdentifiers', until: 'available' }, restoredFailure));
  }

  /**
   * Cutover RESTORE_THEN_SWAP, once the staged cluster is verified: the
   * original members out of their identifiers (each rename reboots that
   * member: the original's writer endpoint is down for its writer's), the
   * staged members into them (the staged cluster does not serve yet), then
   * the original cluster out of the identifier and the staged one into it
   * (the endpoint is down between the two renames). Every failure until the
   * restored cluster serves puts the original back. No rename is left for
   * after the restored cluster serves.
   */
  private swapIn(built: sfn.Chain, swapBack: sfn.IChainable, wait: WaitFn, guard: GuardFn, h: RestoreHandlers): sfn.Chain {
    const job = { 'job.$': '$' };
    return built
      .next(guard(invoke(this, 'Rename the cluster members out of the way', h.rename, { op: 'members-forward', ...job }, '$.renamedMembers'), swapBack))
      .next(wait('member identifiers to be free', { resource: 'instances', identifiersPath: '$.original.memberIdentifiers', until: 'gone' }, swapBack))
      .next(guard(invoke(this, 'Give the staged members their final identifiers', h.rename, { op: 'staged-members-in', ...job }, '$.membersMoved'), swapBack))
      .next(wait('staged members under their final identifiers', {
        resource: 'cluster', identifierPath: STAGED_CLUSTER.identifier, resourceIdPath: '$.restored.resourceId', membersPath: '$.original.memberIdentifiers', until: 'available',
      }, swapBack))
      .next(guard(invoke(this, 'Rename the cluster out of the way', h.rename, { op: 'cluster-forward', ...job }, '$.temp'), swapBack))
      .next(guard(invoke(this, 'Move the staged cluster under the original identifier', h.rename, { op: 'staged-cluster-in', ...job }, '$.moved'), swapBack))
      .next(wait('restored cluster', {
        resource: 'cluster', identifierPath: '$.identifier', resourceIdPath: '$.restored.resourceId', membersPath: '$.original.memberIdentifiers', until: 'available',
      }, swapBack));
  }

  /**
   * Undo a failed cluster restore: delete only what this run created (members,
   * then the cluster), put the original cluster and its members back under
   * their identifiers, wait until all are available.
   */
  private rollback(h: RestoreHandlers, wait: WaitFn, endings: ExecutionEndings): sfn.IChainable {
    const failed = endings.report(FailurePhase.ROLLBACK_FAILED);
    const step = <T extends sfn.TaskStateBase>(task: T): T => {
      task.addCatch(failed, { resultPath: '$.rollbackError' });
      return task;
    };
    const waitOrFail = (subject: string, check: WaitCheck) => wait(subject, check, failed, '$.rollbackError');
    const job = { 'job.$': '$' };
    const original = { resource: 'cluster', resourceIdPath: '$.original.resourceId' } as const;
    return sfn.Chain
      .start(waitOrFail('partly restored members', { resource: 'instances', identifiersPath: '$.original.memberIdentifiers', until: 'settled' }))
      .next(step(invoke(this, 'Delete the partly restored members', h.delete, { op: 'partial-members', ...job }, '$.discardedMembers')))
      .next(waitOrFail('emptied partly restored cluster', { ...original, identifierPath: '$.identifier', until: 'empty' }))
      .next(waitOrFail('partly restored cluster', { resource: 'cluster', identifierPath: '$.identifier', until: 'settled' }))
      .next(step(invoke(this, 'Delete the partly restored cluster', h.delete, { op: 'partial-cluster', ...job }, '$.discardedCluster')))
      .next(waitOrFail('discarded cluster', { ...original, identifierPath: '$.identifier', until: 'gone' }))
      .next(waitOrFail('renamed original cluster', { ...original, until: 'available' }))
      .next(step(invoke(this, 'Rename the original cluster back', h.rename, { op: 'cluster-back', ...job }, '$.renamedBack')))
      .next(waitOrFail('original cluster under its identifier', { ...original, identifierPath: '$.identifier', until: 'available' }))
      .next(step(invoke(this, 'Rename the original members back', h.rename, { op: 'members-back', ...job }, '$.renamedMembersBack')))
      .next(waitOrFail('original members under their identifiers', {
        ...original, identifierPath: '$.identifier', membersPath: '$.original.memberIdentifiers', until: 'available',
      }))
      .next(endings.report(FailurePhase.ROLLED_BACK));
  }
}

type WaitFn = (subject: string, check: WaitCheck, onError: sfn.IChainable, errorPath?: string) => sfn.Chain;
type GuardFn = <T extends sfn.TaskStateBase>(task: T, onError: sfn.IChainable, resultPath?: string) => T;
