import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AfterRestore } from './after-restore';
import { ExecutionEndings, FailurePhase } from './endings';
import { invoke } from './invoke';
import { RestoreHandlers } from './restore-handlers';
import { WaitCheck } from './wait-until';

type WaitFn = (subject: string, check: WaitCheck, onError: sfn.IChainable, errorPath?: string) => sfn.Chain;
type GuardFn = <T extends sfn.TaskStateBase>(task: T, onError: sfn.IChainable, resultPath?: string) => T;

/** Where the staged cluster is: its identifier and its members' (the capture step names them). */
export const STAGED_CLUSTER = {
  identifier: '$.original.staging',
  members: '$.original.stagingMembers',
} as const;

/**
 * The staged Aurora cluster (cutover RESTORE_THEN_SWAP, a DNS alias): the
 * whole restored cluster built beside the original, which keeps serving:
 * the cluster under its staging identifier, the writer then the readers under
 * their staging names, the settings, the verification (writer included), the
 * after-restore hook. Its rollback deletes only what it built.
 */
export class StagedCluster {
  constructor(
    private readonly scope: Construct,
    private readonly h: RestoreHandlers,
    private readonly wait: WaitFn,
    private readonly guard: GuardFn,
  ) {}

  /** Build and verify the staged cluster; failures go to `rollback`. */
  build(rollback: sfn.IChainable, hook?: AfterRestore): sfn.Chain {
    const { scope, h, wait, guard } = this;
    const job = { 'job.$': '$' };
    const staged = { resource: 'cluster', identifierPath: STAGED_CLUSTER.identifier, resourceIdPath: '$.restored.resourceId' } as const;
    const chain = sfn.Chain
      .start(guard(invoke(scope, 'Restore the cluster under a staging identifier', h.restore, { op: 'staged-cluster', ...job }, '$.restored'), rollback))
      .next(wait('staged cluster', { ...staged, until: 'available' }, rollback))
      .next(guard(invoke(scope, 'Create the staged writer', h.restore, { op: 'staged-members', which: 'writer', ...job }, '$.writerCreated'), rollback))
      .next(wait('staged writer', { resource: 'instances', identifiersPath: '$.writerCreated.created', until: 'available' }, rollback))
      .next(guard(invoke(scope, 'Create the staged readers', h.restore, { op: 'staged-members', which: 'readers', ...job }, '$.readersCreated'), rollback))
      .next(wait('staged members', { ...staged, membersPath: STAGED_CLUSTER.members, until: 'available' }, rollback))
      .next(guard(invoke(scope, 'Apply the cluster settings the restore cannot carry to the staged cluster', h.applyConfig,
        { op: 'staged-cluster-apply', ...job }, '$.applied'), rollback))
      .next(wait('staged cluster settings', { ...staged, membersPath: STAGED_CLUSTER.members, until: 'available' }, rollback))
      .next(guard(invoke(scope, 'Verify the staged cluster and its writer', h.applyConfig,
        { op: 'staged-cluster-verify', ...job }, '$.stagedVerified'), rollback));
    return hook
      ? chain.next(guard(hook._task(scope, { kind: 'staged cluster', identifierPath: STAGED_CLUSTER.identifier, verifiedPath: '$.stagedVerified' }), rollback))
      : chain;
  }

  /**
   * Rollback: delete the staged members, then the staged cluster (only the
   * ones this run restored), then report ROLLED_BACK. With `membersBack`
   * (RESTORE_THEN_SWAP), once the staged members are gone (they may have had
   * the original members' identifiers), the original members are renamed back
   * (a no-op for those never renamed).
   */
  discard(endings: ExecutionEndings, membersBack = false): sfn.Chain {
    const failed = endings.report(FailurePhase.ROLLBACK_FAILED);
    const step = <T extends sfn.TaskStateBase>(task: T): T => {
      task.addCatch(failed, { resultPath: '$.rollbackError' });
      return task;
    };
    const waitOrFail = (subject: string, check: WaitCheck) => this.wait(subject, check, failed, '$.rollbackError');
    const job = { 'job.$': '$' };
    const cluster = { resource: 'cluster', identifierPath: STAGED_CLUSTER.identifier } as const;
    let chain = sfn.Chain
      .start(waitOrFail('staged members to settle', { resource: 'instances', identifiersPath: STAGED_CLUSTER.members, until: 'settled' }));
    if (membersBack) {
      chain = chain.next(waitOrFail('members under the original identifiers to settle', { resource: 'instances', identifiersPath: '$.original.memberIdentifiers', until: 'settled' }));
    }
    chain = chain
      .next(step(invoke(this.scope, 'Delete the staged members', this.h.delete, { op: 'staged-partial-members', ...job }, '$.discardedMembers')))
      .next(waitOrFail('emptied staged cluster', { ...cluster, until: 'empty' }));
    if (membersBack) {
      chain = chain
        .next(step(invoke(this.scope, 'Rename the original members back', this.h.rename, { op: 'members-back', ...job }, '$.renamedMembersBack')))
        .next(waitOrFail('original members under their identifiers', {
          resource: 'cluster', identifierPath: '$.identifier', resourceIdPath: '$.original.resourceId', membersPath: '$.original.memberIdentifiers', until: 'available',
        }));
    }
    return chain
      .next(waitOrFail('staged cluster to settle', { ...cluster, until: 'settled' }))
      .next(step(invoke(this.scope, 'Delete the staged cluster', this.h.delete, { op: 'staged-partial-cluster', ...job }, '$.discardedCluster')))
      .next(waitOrFail('discarded staged cluster', { ...cluster, until: 'gone' }))
      .next(endings.report(FailurePhase.ROLLED_BACK));
  }

  /**
   * Cutover RESTORE_THEN_SWAP, rollback once the original members have been
   * renamed: the staged cluster back out of the identifier (if it moved in),
   * the original cluster back under it (if it moved), then `discard` (which
   * renames the original members back).
   */
  swapBack(endings: ExecutionEndings, discard: sfn.IChainable): sfn.Chain {
    const failed = endings.report(FailurePhase.ROLLBACK_FAILED);
    const step = <T extends sfn.TaskStateBase>(task: T): T => {
      task.addCatch(failed, { resultPath: '$.rollbackError' });
      return task;
    };
    const waitOrFail = (subject: string, check: WaitCheck) => this.wait(subject, check, failed, '$.rollbackError');
    const job = { 'job.$': '$' };
    const original = { resource: 'cluster', resourceIdPath: '$.original.resourceId' } as const;
    return sfn.Chain
      .start(waitOrFail('staged cluster to settle before moving it back', { resource: 'cluster', resourceIdPath: '$.restored.resourceId', until: 'settled' }))
      .next(step(invoke(this.scope, 'Move the staged cluster back out', this.h.rename, { op: 'staged-cluster-out', ...job }, '$.movedBack')))
      .next(waitOrFail('original cluster identifier to be free again', { ...original, identifierPath: '$.identifier', until: 'gone' }))
      .next(waitOrFail('renamed original cluster', { ...original, until: 'available' }))
      .next(step(invoke(this.scope, 'Rename the original cluster back', this.h.rename, { op: 'cluster-back', ...job }, '$.renamedBack')))
      .next(waitOrFail('original cluster under its identifier', { ...original, identifierPath: '$.identifier', until: 'available' }))
      .next(discard);
  }
}
