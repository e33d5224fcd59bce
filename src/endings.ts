import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { invoke } from './invoke';

/** Where a failed execution ended, which decides what its report says. */
export enum FailurePhase {
  /** The input was refused before any RDS call. */
  REFUSED = 'refused',
  /** Failed before the rename: the database was not changed. */
  UNCHANGED = 'unchanged',
  /** Failed between the rename and the verified restore; the rollback finished. */
  ROLLED_BACK = 'rolled-back',
  /** The rollback itself failed: the database needs attention. */
  ROLLBACK_FAILED = 'rollback-failed',
  /** Failed after the restored database became available: no rollback. */
  RESTORED = 'restored',
}

const LABELS: Record<FailurePhase, string> = {
  [FailurePhase.REFUSED]: 'Report the refused input',
  [FailurePhase.UNCHANGED]: 'Report the unchanged database',
  [FailurePhase.ROLLED_BACK]: 'Report the rollback',
  [FailurePhase.ROLLBACK_FAILED]: 'Report the failed rollback',
  [FailurePhase.RESTORED]: 'Report the failure after the restore',
};

/** Props for `ExecutionEndings`. */
export interface ExecutionEndingsProps {
  /** The function that writes the report (the `outcome` handler). */
  readonly outcomeFunction: lambda.IFunction;
}

/**
 * How executions end. A failure: a report of what failed and what state the
 * database was left in, then a Fail state carrying the original error name
 * and that report as its cause. A success: a Succeed state. Every pipeline
 * branch ends through here, so what happens at the end (alerts) is in one place.
 */
export class ExecutionEndings extends Construct {
  /** The Fail state every failure ends in. */
  public readonly failed: sfn.Fail;
  private readonly outcomeFunction: lambda.IFunction;
  private readonly reports = new Map<FailurePhase, sfn.IChainable>();
  private readonly unreported: sfn.Fail;

  constructor(scope: Construct, id: string, props: ExecutionEndingsProps) {
    super(scope, id);
    this.outcomeFunction = props.outcomeFunction;
    this.failed = new sfn.Fail(this, 'Restore failed', {
      errorPath: '$.outcome.error',
      causePath: '$.outcome.cause',
    });
    this.unreported = new sfn.Fail(this, 'Restore failed without a report', {
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
  }

  /**
   * A successful end, named `name` ("Restored").
   */
  public succeed(name: string): sfn.IChainable {
    return new sfn.Succeed(this, name);
  }

  /** The state that reports a failure of this phase and ends the execution FAILED. */
  public report(phase: FailurePhase): sfn.IChainable {
    let state = this.reports.get(phase);
    if (!state) {
      const task = invoke(this, LABELS[phase], this.outcomeFunction, { 'phase': phase, 'job.$': '$' }, '$.outcome');
      task.addCatch(this.unreported, { resultPath: '$.reportError' });
      state = task.next(this.failed);
      this.reports.set(phase, state);
    }
    return state;
  }
}
