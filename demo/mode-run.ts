/**
 * One mode of `bench-modes.ts`, run in the simulator: the real synthesized
 * state machine and handlers, RDS on a simulated clock, DynamoDB on dynalite.
 * Runs share the table, so the first teaches the waits' history to the next.
 */
import { BenchMode, DowntimePeriod } from './bench-modes';
import { AwsSims } from '../test/sim/aws-sims';
import { Detection, detections, medianLatency } from '../test/sim/detection';
import { Dynalite, tablesOfStack } from '../test/sim/dynamo';
import { withFixtureRoles } from '../test/sim/fixture-roles';
import { RdsSimulator } from '../test/sim/rds-sim';
import { Route53Simulator } from '../test/sim/route53';
import { buildStack, Definition, definitionFrom, RunResult, runPipeline } from '../test/sim/run-pipeline';

export interface ModeRun {
  result: RunResult;
  /** Seconds the clients' endpoint was unreachable. */
  downtime: number;
  /** When it was. */
  downtimePeriods: DowntimePeriod[];
  detections: Detection[];
  /** Median detection latency of the run's waits, seconds. */
  latency: number;
}

/** A mode's synthesized state machine and tables. */
export function synthesize(mode: BenchMode): { definition: Definition; tables: ReturnType<typeof tablesOfStack>; pipelineId: string } {
  const { stack } = buildStack(withFixtureRoles(mode.props));
  const definition = definitionFrom(stack);
  return { definition, tables: tablesOfStack(stack), pipelineId: [...definition.functions.values()][0].env.PIPELINE_ID };
}

/**
 * Run `mode` `runs` times in a row on one emptied table (each run on a fresh
 * simulator whose restore takes `restoreSeconds`, or the simulator's default).
 */
export async function runMode(dynamo: Dynalite, mode: BenchMode, runs: number, restoreSeconds?: number): Promise<ModeRun[]> {
  const { definition, tables, pipelineId } = synthesize(mode);
  dynamo.reset(tables);
  const out: ModeRun[] = [];
  for (let i = 0; i < runs; i++) {
    const sim = new RdsSimulator({ durations: restoreSeconds === undefined ? {} : mode.fixture.durations(restoreSeconds) });
    sim.install();
    const aws = new AwsSims(); // SNS, SES, Step Functions in memory; DynamoDB is dynalite
    aws.install();
    const dns = new Route53Simulator(sim.clock); // a DNS alias's record
    dns.install();
    try {
      mode.fixture.seed(sim, pipelineId, dns);
      const result = await runPipeline(definition, mode.fixture.input, sim);
      if (result.status !== 'SUCCEEDED') throw new Error(`${JSON.stringify(mode.props)} run ${i + 1}: ${result.error}: ${result.cause}`);
      const found = detections(result, sim);
      const periods = mode.fixture.downtime(sim, dns);
      const downtime = periods.reduce((sum, d) => sum + d.seconds, 0);
      out.push({ result, downtime, downtimePeriods: periods, detections: found, latency: medianLatency(found) ?? 0 });
    } finally {
      sim.uninstall();
      aws.uninstall();
      dns.uninstall();
    }
  }
  return out;
}
