import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { invoke } from './invoke';
import type { PipelineSteps } from './pipeline-steps';
import type { RestoreHandlers } from './restore-handlers';

/**
 * The states of a restore from a snapshot shared from another account
 * (`sourceAccounts`): after the find step (which has checked the shared
 * snapshot, and `copyKey` for an encrypted one), the snapshot is copied into
 * this account and the copy waited for, all before the original database is
 * touched, so a refused key leaves it unchanged. At the end of a restore the
 * copies are deleted, unless `keepSnapshotCopies`. Without `sourceAccounts`
 * no state is added.
 */
export class SharedSnapshotCopyStates {
  private readonly noun: string;

  constructor(
    private readonly scope: Construct,
    private readonly steps: PipelineSteps,
    private readonly handlers: RestoreHandlers,
    private readonly kind: 'instance' | 'cluster',
  ) {
    this.noun = kind === 'cluster' ? 'cluster snapshot' : 'snapshot';
  }

  /** `find`, then (for a shared snapshot) the copy and its wait, then `then`; failures go to `unchanged`. */
  afterFind(find: sfn.TaskStateBase, unchanged: sfn.IChainable, then: sfn.IChainable): sfn.IChainable {
    if (!this.handlers._sharedSnapshotCopies) return find.next(then);
    const isCluster = this.kind === 'cluster';
    const copy = this.steps.guard(invoke(this.scope, `Copy the shared ${this.noun} into this account`, this.handlers.snapshot, {
      'op': 'copy', 'isCluster': isCluster, 'identifier.$': '$.identifier', 'startedAt.$': '$$.Execution.StartTime', 'job.$': '$',
    }, '$.snapshot'), unchanged);
    const copied = sfn.Chain.start(copy)
      .next(this.steps.wait(`${this.noun} copy`, { resource: isCluster ? 'cluster-snapshot' : 'snapshot', identifierPath: '$.snapshot.id', until: 'available' }, unchanged))
      .next(then);
    return find.next(new sfn.Choice(this.scope, `Is the ${this.noun} shared from another account?`)
      .when(sfn.Condition.isPresent('$.snapshot.shared'), copied)
      .otherwise(then));
  }

  /** After a restore from a copy: delete this pipeline's copies for the database (none with `keepSnapshotCopies`), then `then`. */
  cleanup(onError: sfn.IChainable, then: sfn.IChainable): sfn.IChainable {
    const copies = this.handlers._sharedSnapshotCopies;
    if (!copies || copies.keep) return then;
    const remove = this.steps.guard(invoke(this.scope, `Delete the ${this.noun} copies`, this.handlers.snapshot, {
      'op': 'delete-copies', 'isCluster': this.kind === 'cluster', 'identifier.$': '$.identifier',
    }, '$.deletedCopies'), onError);
    return new sfn.Choice(this.scope, `Was a shared ${this.noun} copied?`)
      .when(sfn.Condition.isPresent('$.snapshot.copyOf'), remove.next(then))
      .otherwise(then);
  }
}
