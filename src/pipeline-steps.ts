import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AfterRestore } from './after-restore';
import { CutoverOptions } from './cutover';
import { ExecutionEndings } from './endings';
import { OLD_DATABASE_BUSY } from './error-names';
import { checkProps } from './errors';
import { branchWaits } from './execution-timeout';
import { OldDatabaseOptions, resolveOldDatabase } from './old-database';
import { PollingOptions, PollPolicy, resolvePolling } from './polling';
import { RestoreHandlers } from './restore-handlers';
import type { SnapshotExport } from './snapshot-export';
import { WaitCheck, waitUntil } from './wait-until';

/** Props of a restore branch (`InstanceRestorePipeline`, `ClusterRestorePipeline`). */
export interface RestorePipelineProps extends OldDatabaseOptions, CutoverOptions {
  /** The handler functions the states invoke. */
  readonly handlers: RestoreHandlers;
  /** How executions end: failure reports and successes. */
  readonly endings: ExecutionEndings;
  /**
   * How the waits poll.
   * @default - see `PollingOptions`
   */
  readonly polling?: PollingOptions;
  /**
   * The `export_snapshot` task's states (`exportTo`).
   * @default - no export: the first state refuses export_snapshot
   */
  readonly snapshotExport?: SnapshotExport;
  /**
   * The hook run on the restored database once it is verified (`afterRestore`).
   * @default - no hook
   */
  readonly afterRestore?: AfterRestore;
}

/**
 * What both branches build their states with: the wait fragment with the
 * branch's polling policy, and the Catch that sends a step's failure to its phase.
 */
export class PipelineSteps {
  readonly policy: PollPolicy;
  readonly old: ReturnType<typeof resolveOldDatabase>;
  private readonly checkFunction: lambda.IFunction;
  private readonly sleepFunction?: lambda.IFunction;

  constructor(private readonly scope: Construct, props: RestorePipelineProps, kind: 'instance' | 'cluster') {
    this.old = checkProps(scope, () => resolveOldDatabase(props));
    this.policy = checkProps(scope, () => resolvePolling(props.polling ?? {}, branchWaits(props, kind)));
    this.checkFunction = props.handlers.checkStatus;
    this.sleepFunction = props.handlers.readinessEvents?.sleep;
  }

  /** A wait (Wait → check → done?) whose errors go to `onError`, put at `errorPath`. */
  wait(subject: string, check: WaitCheck, onError: sfn.IChainable, errorPath = '$.error'): sfn.Chain {
    return waitUntil(this.scope, subject, {
      check, checkFunction: this.checkFunction, sleepFunction: this.sleepFunction, policy: this.policy, onError, errorPath,
    });
  }

  /**
   * Retry a deletion with a final snapshot while the old DB is not `available`
   * (`OldDatabaseBusy`: RDS refuses the final snapshot of a backing-up DB):
   * 8 tries over about an hour.
   */
  retryWhileOldDatabaseBusy(task: sfn.TaskStateBase): void {
    task.addRetry({
      errors: [OLD_DATABASE_BUSY],
      interval: Duration.seconds(60),
      backoffRate: 2,
      maxAttempts: 8,
      maxDelay: Duration.minutes(10),
      jitterStrategy: sfn.JitterType.FULL,
    });
  }

  /** Send any failure of `task` to `onError`, with the error at `resultPath`. */
  guard<T extends sfn.TaskStateBase>(task: T, onError: sfn.IChainable, resultPath = '$.error'): T {
    task.addCatch(onError, { resultPath });
    return task;
  }
}
