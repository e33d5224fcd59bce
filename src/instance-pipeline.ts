import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AfterRestore } from './after-restore';
import { Cutover, resolveDnsAlias } from './cutover';
import { DNS_PATHS, DnsCutover } from './dns-cutover';
import { ExecutionEndings, FailurePhase } from './endings';
import { invoke } from './invoke';
import { PipelineSteps, RestorePipelineProps } from './pipeline-steps';
import { RestoreHandlers } from './restore-handlers';
import { SharedSnapshotCopyStates } from './snapshot-copy';
import { WaitCheck } from './wait-until';

/**
 * The DB-instance branch of the state machine: capture → snapshot (create or
 * find) → rename out of the way → restore under the original identifier →
 * apply the rest of the configuration → verify → delete the old instance.
 * Between the rename and the verified restore, failures roll back.
 */
export class InstanceRestorePipeline extends Construct {
  /** The first state of the branch. */
  public readonly startState: sfn.IChainable;

  constructor(scope: Construct, id: string, props: RestorePipelineProps) {
    super(scope, id);
    const h = props.handlers;
    const failure = props.endings;
    const steps = new PipelineSteps(this, props, 'instance');
    const old = steps.old;
    const wait = steps.wait.bind(steps);

    const unchanged = failure.report(FailurePhase.UNCHANGED);
    const restoredFailure = failure.report(FailurePhase.RESTORED);
    const dnsAlias = resolveDnsAlias(props);
    const dns = dnsAlias && new DnsCutover(this, { dnsFunction: h.dns!, dns: dnsAlias, endings: failure, noun: 'instance' });
    const swap = props.cutover === Cutover.RESTORE_THEN_SWAP || dns !== undefined;
    const guard = steps.guard.bind(steps);
    // A DNS alias: the serving instance is the one the record points at; the restore goes to the other identifier.
    // its snapshots are named after the input's identifier, and taken of either of its two identifiers
    const sources = dns ? { 'sources.$': `States.Array(${DNS_PATHS.serving}, ${DNS_PATHS.next})` } : {};
    const restoredId = dns ? DNS_PATHS.next : '$.identifier';
    const oldId = dns ? DNS_PATHS.serving : '$.temp.identifier';
    const rollback = dns ? this.dnsRollback(wait, failure, h) : this.rollback(h, wait, failure, swap);
    // after the record switch, the record goes back first, then the same rollback
    const rollbackAfterSwitch = dns ? dns.switchBack(failure.report(FailurePhase.ROLLBACK_FAILED), rollback) : rollback;

    // Before any change.
    const capture = guard(invoke(this, 'Capture the instance configuration', h.capture, { 'job.$': '$' }, '$.original'), unchanged);
    const takeSnapshot = guard(invoke(this, 'Take a new snapshot', h.snapshot, {
      'op': 'create', 'identifier.$': '$.identifier', ...(dns ? { 'source.$': DNS_PATHS.serving } : {}), 'startedAt.$': '$$.Execution.StartTime', 'job.$': '$',
    }, '$.snapshot'), unchanged);
    const pruneSnapshots = guard(invoke(this, 'Delete older snapshots', h.snapshot, {
      'op': 'prune', 'identifier.$': '$.identifier', ...sources, 'keep.$': '$.snapshot.id',
    }, '$.pruned'), unchanged);
    const findSnapshot = guard(invoke(this, 'Find what to restore from', h.snapshot, {
      'op': 'find', 'identifier.$': '$.identifier', ...sources, 'engine.$': '$.original.engine', 'job.$': '$',
    }, '$.snapshot'), unchanged);

    // From the rename until the restored instance is available: failures roll back.
    // (not built for a DNS alias, which never renames: an unused state would be unreachable)
    const renameOutState = dns ? undefined : guard(invoke(this, 'Rename the instance out of the way', h.rename, {
      'op': 'forward', 'identifier.$': '$.identifier', 'resourceId.$': '$.original.resourceId',
    }, '$.temp'), rollback);
    const restore = () => guard(invoke(this, 'Restore under the original identifier', h.restore,
      { 'op': 'instance', 'job.$': '$' }, '$.restored'), rollback);

    // After the restored instance is available: no rollback, the restored instance serves.
    const applyConfig = () => guard(invoke(this, 'Apply the settings the restore cannot carry', h.applyConfig,
      { 'op': 'apply', 'job.$': '$' }, '$.applied'), restoredFailure);
    const verifyState = dns ? undefined : guard(invoke(this, 'Verify the restored configuration', h.applyConfig,
      { 'op': 'verify', 'job.$': '$' }, '$.verified'), restoredFailure);
    const deleteOld = guard(invoke(this, 'Delete the old instance', h.delete, {
      'op': 'old',
      'job.$': '$',
      'oldDatabase': old.payload,
      ...(old.payload.finalSnapshot ? { 'startedAt.$': '$$.Execution.StartTime' } : {}),
    }, '$.deletedOld'), restoredFailure);

    // What happens to the old instance: kept for a while (then waited for, as
    // is the restored one, since either may be backing up or in maintenance
    // by then), deleted (with a final snapshot once it is available: RDS
    // refuses one of a backing-up instance), and its final snapshot waited for and tagged.
    const restoredInstance = { resource: 'instance', identifierPath: restoredId, resourceIdPath: '$.restored.resourceId' } as const;
    const oldInstance = { resource: 'instance', identifierPath: oldId, resourceIdPath: '$.original.resourceId' } as const;
    // A DNS alias: the staged instance was verified before the switch; the old one drains after it.
    let beforeDelete = dns ? dns.switchOver(rollbackAfterSwitch) : sfn.Chain.start(verifyState!);
    // The hook (with RESTORE_THEN_SWAP it ran on the staged instance): its failure rolls back.
    if (props.afterRestore && !swap) {
      beforeDelete = beforeDelete.next(guard(props.afterRestore._task(this, {
        kind: 'instance', identifierPath: '$.identifier', verifiedPath: '$.verified',
      }), rollback));
    }
    if (old.keepSeconds) {
      beforeDelete = beforeDelete
        .next(new sfn.Wait(this, `Keep the old instance for ${old.keepText}`, { time: sfn.WaitTime.duration(Duration.seconds(old.keepSeconds)) }))
        .next(wait('old instance after the keep window', { resource: 'instance', identifierPath: oldId, until: 'settled' }, restoredFailure))
        .next(wait('restored instance after the keep window', { ...restoredInstance, until: 'serving' }, restoredFailure));
    }
    if (old.payload.finalSnapshot) {
      beforeDelete = beforeDelete.next(wait('old instance before its final snapshot', { ...oldInstance, until: 'available' }, restoredFailure));
      steps.retryWhileOldDatabaseBusy(deleteOld);
    }
    let afterDelete = sfn.Chain.start(wait('old instance deletion', { resource: 'instance', identifierPath: oldId, until: 'gone' }, restoredFailure));
    if (old.payload.finalSnapshot) {
      afterDelete = afterDelete
        .next(wait('final snapshot', { resource: 'snapshot', identifierPath: '$.deletedOld.finalSnapshot', until: 'available' }, restoredFailure))
        .next(guard(invoke(this, 'Tag the final snapshot', h.delete, {
          'op': 'final-snapshot',
          'isCluster': false,
          'identifier.$': '$.identifier',
          'temp.$': oldId,
          'snapshotId.$': '$.deletedOld.finalSnapshot',
          'sourceResourceId.$': '$.original.resourceId',
        }, '$.finalSnapshot'), restoredFailure));
    }

    // The original, once its rename is done: serving is enough (the restore
    // does not touch it), so a backing-up original does not hold the restore back.
    const renamed = () => wait('renamed instance', { ...oldInstance, until: 'serving' }, rollback);
    const restoreChain = dns
      ? this.restoreThenSwap(h, wait, guard, rollback, props.afterRestore).next(beforeDelete)
      : swap
      // the staged instance moves in as soon as the identifier is free (the original's
      // rename has taken effect), not once that rename has finished: a shorter outage
        ? this.restoreThenSwap(h, wait, guard, rollback, props.afterRestore).next(renameOutState!)
          .next(wait('original identifier to be free', { resource: 'instance', identifierPath: '$.identifier', until: 'gone' }, rollback))
          .next(guard(invoke(this, 'Move the staged instance under the original identifier', h.rename, {
            'op': 'back', 'identifier.$': '$.identifier', 'resourceId.$': '$.restored.resourceId',
          }, '$.moved'), rollback))
          .next(wait('restored instance', { ...restoredInstance, until: 'serving' }, rollback))
          .next(renamed())
          .next(beforeDelete)
        : sfn.Chain.start(renameOutState!)
          .next(renamed())
          .next(restore())
        // the next step modifies it; then, once what it applied is in, serving is enough
          .next(wait('restored instance', { ...restoredInstance, until: 'modifiable' }, rollback))
          .next(applyConfig())
          .next(wait('restored settings', { ...restoredInstance, until: 'serving', pendingPath: '$.applied.changed' }, restoredFailure))
          .next(beforeDelete);
    // a shared snapshot is copied into this account after the find step; the copies are deleted at the end
    const copies = new SharedSnapshotCopyStates(this, steps, h, 'instance');
    restoreChain
      .next(deleteOld)
      .next(afterDelete)
      .next(copies.cleanup(restoredFailure, failure.succeed('Restored')));

    const snapshotChain = sfn.Chain.start(takeSnapshot)
      .next(wait('new snapshot', { resource: 'snapshot', identifierPath: '$.snapshot.id', until: 'available' }, unchanged))
      .next(pruneSnapshots)
      .next(new sfn.Choice(this, 'Only a snapshot?')
        .when(sfn.Condition.stringEquals('$.task', 'create_snapshot_only'), failure.succeed('Snapshot taken'))
        .otherwise(restoreChain));

    const which = new sfn.Choice(this, 'Which task?')
      .when(sfn.Condition.stringEquals('$.task', 'db_restore'), copies.afterFind(findSnapshot, unchanged, restoreChain));
    if (props.snapshotExport) which.when(sfn.Condition.stringEquals('$.task', 'export_snapshot'), props.snapshotExport.states('instance'));
    const start = sfn.Chain.start(capture).next(which.otherwise(snapshotChain));
    this.startState = dns ? dns.start(start, unchanged) : start;
  }

  /**
   * Undo a failed DNS alias restore (before the record switch, or after it,
   * once the record points back at the original): delete the staged
   * instance. The original was never touched.
   */
  private dnsRollback(wait: WaitFn, failure: ExecutionEndings, h: RestoreHandlers): sfn.IChainable {
    const failed = failure.report(FailurePhase.ROLLBACK_FAILED);
    const waitOrFail = (subject: string, check: WaitCheck) => wait(subject, check, failed, '$.rollbackError');
    const discard = invoke(this, 'Delete the staged instance', h.delete, { 'op': 'staged', 'job.$': '$' }, '$.discardedStaged');
    discard.addCatch(failed, { resultPath: '$.rollbackError' });
    return sfn.Chain.start(waitOrFail('staged instance to settle', { resource: 'instance', identifierPath: '$.original.staging', until: 'settled' }))
      .next(discard)
      .next(waitOrFail('discarded staged instance', { resource: 'instance', identifierPath: '$.original.staging', until: 'gone' }))
      .next(failure.report(FailurePhase.ROLLED_BACK));
  }

  /**
   * Undo a failed restore: delete only the DB the restore created, put the
   * original back under its identifier, wait until it is available.
   */
  /**
   * Cutover RESTORE_THEN_SWAP: restore the snapshot under the staging
   * identifier, apply and verify its configuration there, and run the
   * after-restore hook on it, while the original still serves. Failures roll
   * back (which deletes the staged instance).
   */
  private restoreThenSwap(h: RestoreHandlers, wait: WaitFn, guard: GuardFn, rollback: sfn.IChainable, hook?: AfterRestore): sfn.Chain {
    // it is modified next (settings, then the rename that moves it in)
    const stagedInstance = { resource: 'instance', identifierPath: '$.original.staging', resourceIdPath: '$.restored.resourceId', until: 'modifiable' } as const;
    const staged = sfn.Chain
      .start(guard(invoke(this, 'Restore under a staging identifier', h.restore,
        { 'op': 'staged-instance', 'job.$': '$' }, '$.restored'), rollback))
      .next(wait('staged instance', stagedInstance, rollback))
      .next(guard(invoke(this, 'Apply the settings the restore cannot carry to the staged instance', h.applyConfig,
        { 'op': 'staged-apply', 'job.$': '$' }, '$.applied'), rollback))
      .next(wait('staged settings', { ...stagedInstance, pendingPath: '$.applied.changed' }, rollback))
      .next(guard(invoke(this, 'Verify the staged configuration', h.applyConfig, { 'op': 'staged-verify', 'job.$': '$' }, '$.stagedVerified'), rollback));
    return hook
      ? staged.next(guard(hook._task(this, { kind: 'staged instance', identifierPath: '$.original.staging', verifiedPath: '$.stagedVerified' }), rollback))
      : staged;
  }

  private rollback(h: RestoreHandlers, wait: WaitFn, failure: ExecutionEndings, swap: boolean): sfn.IChainable {
    const failed = failure.report(FailurePhase.ROLLBACK_FAILED);
    const step = <T extends sfn.TaskStateBase>(task: T): T => {
      task.addCatch(failed, { resultPath: '$.rollbackError' });
      return task;
    };
    const waitOrFail = (subject: string, check: WaitCheck) => wait(subject, check, failed, '$.rollbackError');
    const discard = step(invoke(this, 'Delete the partly restored instance', h.delete,
      { 'op': 'partial', 'job.$': '$' }, '$.discarded'));
    const renameBack = step(invoke(this, 'Rename the original back', h.rename,
      { 'op': 'back', 'identifier.$': '$.identifier', 'resourceId.$': '$.original.resourceId' }, '$.renamedBack'));
    // With RESTORE_THEN_SWAP, the staged instance (if it has not moved yet) goes first.
    const stagedDiscard = swap
      ? sfn.Chain.start(waitOrFail('staged instance to settle', { resource: 'instance', identifierPath: '$.original.staging', until: 'settled' }))
        .next(step(invoke(this, 'Delete the staged instance', h.delete, { 'op': 'staged', 'job.$': '$' }, '$.discardedStaged')))
        .next(waitOrFail('discarded staged instance', { resource: 'instance', identifierPath: '$.original.staging', until: 'gone' }))
      : undefined;
    const rest = sfn.Chain
      .start(waitOrFail('partly restored instance', { resource: 'instance', identifierPath: '$.identifier', until: 'settled' }))
      .next(discard)
      .next(waitOrFail('discarded instance', { resource: 'instance', identifierPath: '$.identifier', resourceIdPath: '$.original.resourceId', until: 'gone' }))
      .next(waitOrFail('renamed original', { resource: 'instance', resourceIdPath: '$.original.resourceId', until: 'modifiable' }))
      .next(renameBack)
      .next(waitOrFail('original under its identifier', { resource: 'instance', identifierPath: '$.identifier', resourceIdPath: '$.original.resourceId', until: 'serving' }))
      .next(failure.report(FailurePhase.ROLLED_BACK));
    return stagedDiscard ? stagedDiscard.next(rest) : rest;
  }
}

type GuardFn = <T extends sfn.TaskStateBase>(task: T, onError: sfn.IChainable, resultPath?: string) => T;
type WaitFn = (subject: string, check: WaitCheck, onError: sfn.IChainable, errorPath?: string) => sfn.Chain;
