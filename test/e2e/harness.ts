import type { DBInstance } from '@aws-sdk/client-rds';
import type { Stack } from 'aws-cdk-lib';
import { captureInstanceConfig } from '../../lambda-src/rds/instance-config';
import type { TrapheusRestoreProps } from '../../src';
import { AwsSims } from '../sim/aws-sims';
import { RdsSimulator, SimDurations } from '../sim/rds-sim';
import { buildStack, Definition, definitionFrom, RunResult, runPipeline } from '../sim/run-pipeline';

/** One synthesized definition per test file; a fresh in-memory RDS (and SES, SNS, Secrets Manager) per test. */
export class Harness {
  readonly definition: Definition;
  readonly pipelineId: string;
  sim!: RdsSimulator;
  /** The in-memory SES, SNS and Secrets Manager the alert handler talks to. */
  aws!: AwsSims;

  constructor(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}) {
    this.definition = definitionFrom(buildStack(props).stack);
    this.pipelineId = [...this.definition.functions.values()][0].env.PIPELINE_ID;
  }

  /** Call in beforeEach. */
  fresh(durations: Partial<SimDurations> = {}): RdsSimulator {
    // The handlers log structured JSON lines (as in Lambda); tests read results, not logs.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    this.sim?.uninstall();
    this.sim = new RdsSimulator({ durations });
    this.sim.install();
    this.aws?.uninstall();
    this.aws = new AwsSims();
    this.aws.install();
    return this.sim;
  }

  /** Call in afterEach. */
  done(): void {
    this.sim?.uninstall();
    this.aws?.uninstall();
  }

  run(input: unknown): Promise<RunResult> {
    return runPipeline(this.definition, input, this.sim);
  }
}

/** What must be the same after a rollback: identity, endpoint, status and every kept setting. */
export function identity(db: DBInstance | undefined) {
  if (!db) return undefined;
  return {
    identifier: db.DBInstanceIdentifier,
    resourceId: db.DbiResourceId,
    status: db.DBInstanceStatus,
    endpoint: db.Endpoint?.Address,
    config: captureInstanceConfig(db),
  };
}
