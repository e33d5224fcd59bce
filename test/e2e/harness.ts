import type { DBInstance } from '@aws-sdk/client-rds';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { captureInstanceConfig } from '../../lambda-src/rds/instance-config';
import type { TrapheusRestoreProps } from '../../src';
import { AwsSims } from '../sim/aws-sims';
import { tablesOf, useDynalite } from '../sim/dynamo';
import { RdsSimulator, SimDurations } from '../sim/rds-sim';
import { buildStack, Definition, definitionFrom, RunResult, runPipeline } from '../sim/run-pipeline';

/** DynamoDB (the restore lock's table) is dynalite, started for each test file that uses the harness. */
const dynalite = useDynalite();

/** One synthesized definition per test file; a fresh in-memory RDS (and SES, SNS, Secrets Manager), and empty tables, per test. */
export class Harness {
  readonly definition: Definition;
  readonly pipelineId: string;
  /** The stack's DynamoDB tables, as dynalite creates them (named by logical id). */
  readonly tables: ReturnType<typeof tablesOf>;
  sim!: RdsSimulator;
  /** The in-memory SES, SNS and Secrets Manager the alert handler talks to. */
  aws!: AwsSims;

  constructor(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}) {
    const { stack } = buildStack(props);
    this.definition = definitionFrom(stack);
    this.tables = tablesOf(Template.fromStack(stack).toJSON());
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
    this.dynamo.reset(this.tables);
    return this.sim;
  }

  /** DynamoDB (dynalite), while the test file runs. */
  get dynamo() {
    return dynalite();
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
