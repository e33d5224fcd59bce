import type { DBInstance } from '@aws-sdk/client-rds';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { captureInstanceConfig } from '../../lambda-src/rds/instance-config';
import type { TrapheusRestoreProps } from '../../src';
import { AwsSims } from '../sim/aws-sims';
import { tablesOf, useDynalite } from '../sim/dynamo';
import { withFixtureRoles } from '../sim/fixture-roles';
import { addCounts, describeDenials, IamCheck, IamCounts, SIM_AWS_RDS_KEY, writeTally } from '../sim/iam-check';
import { RdsSimulator, SimDurations } from '../sim/rds-sim';
import { Route53Simulator } from '../sim/route53';
import { buildStack, Definition, definitionFrom, RunResult, runPipeline } from '../sim/run-pipeline';

/** DynamoDB (the restore lock's table) is dynalite, started for each test file that uses the harness. */
const dynalite = useDynalite();

/** The IAM check's counts for this test file; the jest globalTeardown prints the run's sum. */
const iamTally: IamCounts = { calls: 0, allowed: 0, denied: 0 };
afterAll(() => writeTally(iamTally));
/** This test file's IAM check counts so far. */
export function iamCounts(): IamCounts {
  return { ...iamTally };
}

/** The harness whose simulators and IAM check are installed: one at a time. */
let active: Harness | undefined;

/** One synthesized definition per test file; a fresh in-memory RDS (and SES, SNS, Secrets Manager), and empty tables, per test. */
export class Harness {
  readonly definition: Definition;
  readonly pipelineId: string;
  /** The stack's DynamoDB tables, as dynalite creates them (named by logical id). */
  readonly tables: ReturnType<typeof tablesOf>;
  /** The synthesized template. */
  readonly template: any;
  /** Every AWS call a function makes is checked against that function's synthesized IAM policy. */
  readonly iam: IamCheck;
  private removeIamGate?: () => void;
  sim!: RdsSimulator;
  /** The in-memory SES, SNS and Secrets Manager the alert handler talks to. */
  aws!: AwsSims;
  /** The in-memory Route 53 (cutover `Cutover.dnsAlias()`), on the RDS simulator's clock. */
  route53!: Route53Simulator;

  constructor(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}) {
    const { stack } = buildStack(withFixtureRoles(props));
    this.definition = definitionFrom(stack);
    this.template = Template.fromStack(stack).toJSON();
    this.tables = tablesOf(this.template);
    this.iam = new IamCheck(this.template, { rds: () => this.sim, awsManagedKeys: [SIM_AWS_RDS_KEY] });
    this.pipelineId = [...this.definition.functions.values()][0].env.PIPELINE_ID;
  }

  /** Call in beforeEach. */
  fresh(durations: Partial<SimDurations> = {}): RdsSimulator {
    // The handlers log structured JSON lines (as in Lambda); tests read results, not logs.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // A test that switches harnesses ends the other one first: its IAM check (which reads
    // its own simulator) must not judge this one's calls, and its denials still fail the test.
    if (active && active !== this) active.done();
    active = this;
    this.sim?.uninstall();
    this.sim = new RdsSimulator({ durations });
    this.sim.install();
    this.aws?.uninstall();
    this.aws = new AwsSims();
    this.aws.install();
    this.route53?.uninstall();
    this.route53 = new Route53Simulator(this.sim.clock);
    this.route53.install();
    this.dynamo.reset(this.tables);
    this.removeIamGate?.();
    this.removeIamGate = this.iam.install();
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
    this.route53?.uninstall();
    // IAM: a denied call fails the test, naming the function, the action and the resource.
    if (active === this) active = undefined;
    this.removeIamGate?.();
    this.removeIamGate = undefined;
    addCounts(iamTally, this.iam.takeCounts());
    const denied = this.iam.takeDenials();
    const errors = this.iam.takeErrors();
    if (denied.length > 0) throw new Error(`IAM denied ${denied.length} authorization(s):\n${describeDenials(denied)}`);
    if (errors.length > 0) throw new Error(`The IAM check could not evaluate ${errors.length} call(s):\n${errors.join('\n')}`);
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
