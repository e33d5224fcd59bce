import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { invoke, retryLambdaFaults } from './invoke';

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
  /**
   * The function that sends the alerts (the `notify` handler). With it, every
   * failure goes through "Send the failure alert" before its Fail state.
   * @default - no alerts
   */
  readonly notifyFunction?: lambda.IFunction;
  /**
   * Also alert on success: "Send the success alert (<ending>)" before each Succeed state.
   * @default false
   */
  readonly notifyOnSuccess?: boolean;
  /**
   * The function that releases the one-restore-per-database lock at every ending.
   * @default - no lock to release
   */
  readonly lockFunction?: lambda.IFunction;
}

/**
 * How executions end. A failure: a report of what failed and what state the
 * database was left in, then a Fail state carrying the original error name
 * and that report as its cause. A success: a Succeed state. Every pipeline
 * branch ends through here, so what happens at the end (alerts) is in one place.
 *
 * With a notify function: report → "Send the failure alert" → Fail, and (with
 * `notifyOnSuccess`) "Send the success alert (<ending>)" → Succeed. An alert
 * task catches every error and goes on to the same end: an alert that cannot
 * be sent never changes the path or the outcome (its error is kept at `$.alertError`).
 */
export class ExecutionEndings extends Construct {
  /** The Fail state every failure ends in. */
  public readonly failed: sfn.Fail;
  private readonly outcomeFunction: lambda.IFunction;
  private readonly reports = new Map<FailurePhase, sfn.IChainable>();
  private readonly unreported: sfn.Fail;
  private readonly notifyFunction?: lambda.IFunction;
  private readonly notifyOnSuccess: boolean;
  /** Where reports go next: the failure alert, or the Fail state directly. */
  private readonly afterReport: sfn.IChainable;
  private readonly afterReportFailure: sfn.IChainable;
  private readonly lockFunction?: lambda.IFunction;
  private readonly failureAlert: sfn.IChainable;

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
    this.notifyFunction = props.notifyFunction;
    this.notifyOnSuccess = props.notifyOnSuccess ?? false;
    this.lockFunction = props.lockFunction;
    this.failureAlert = this.alert('Send the failure alert', 'failure', this.failed);
    this.afterReport = this.release('Release the restore lock', this.failureAlert);
    this.afterReportFailure = this.release('Release the restore lock (no report)',
      this.alert('Send the failure alert without a report', 'failure', this.unreported));
  }

  /** The alert task before `end` (or `end` itself without a notify function). */
  /**
   * Release the restore lock, then `next`. A release that fails changes
   * nothing (the lock's holder check lets the next run take it over).
   */
  private release(name: string, next: sfn.IChainable): sfn.IChainable {
    if (!this.lockFunction) return next;
    const task = invoke(this, name, this.lockFunction, { 'op': 'release', 'job.$': '$', 'execution.$': '$$.Execution.Id' }, '$.released');
    task.addCatch(next, { resultPath: '$.releaseError' });
    return task.next(next);
  }

  private alert(name: string, kind: 'failure' | 'success', end: sfn.State, ending?: string): sfn.IChainable {
    if (!this.notifyFunction) return end;
    const task = new tasks.LambdaInvoke(this, name, {
      lambdaFunction: this.notifyFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        kind,
        ...(ending ? { ending } : {}),
        'job.$': '$',
        'input.$': '$$.Execution.Input',
        'execution': {
          'id.$': '$$.Execution.Id',
          'name.$': '$$.Execution.Name',
          'startTime.$': '$$.Execution.StartTime',
        },
      }),
      resultPath: '$.alert',
    });
    // A throttled alert never ran: retry it. A lost one (timed out) may have sent: don't send twice.
    retryLambdaFaults(task, false);
    task.addCatch(end, { resultPath: '$.alertError' });
    return task.next(end);
  }

  /**
   * A successful end, named `name` ("Restored").
   */
  public succeed(name: string): sfn.IChainable {
    const end = new sfn.Succeed(this, name);
    return this.release(`Release the restore lock (${name})`,
      this.notifyOnSuccess ? this.alert(`Send the success alert (${name})`, 'success', end, name) : end);
  }

  /** The state that reports a failure of this phase and ends the execution FAILED. */
  public report(phase: FailurePhase): sfn.IChainable {
    let state = this.reports.get(phase);
    if (!state) {
      const task = invoke(this, LABELS[phase], this.outcomeFunction, { 'phase': phase, 'job.$': '$' }, '$.outcome');
      task.addCatch(this.afterReportFailure, { resultPath: '$.reportError' });
      // A refused input never took the lock: nothing to release.
      state = task.next(phase === FailurePhase.REFUSED ? this.failureAlert : this.afterReport);
      this.reports.set(phase, state);
    }
    return state;
  }
}
