/**
 * The fleet lines of `npm run bench` (called from demo/bench.ts): a fleet of
 * 1, 10 and 50 DB instances restored at once (concurrency = fleet size), on
 * the simulator's clock, with the RDS requests counted on the call gate every
 * simulated AWS call passes (test/sim/aws-calls.ts):
 *
 *   bench fleet targets=<n> concurrency=<c> rds_req_per_s_peak=<x> rds_req_per_s_mean=<x> wall_s=<n> single_wall_s=<n> transitions_total=<n>
 *
 * Peak and mean are over 60-second windows of simulated time, from the
 * fleet's start to its end; every RDS request counts (throttled retries
 * included). `single_wall_s` is one target restored alone;
 * `transitions_total` adds the fleet's and every child's state transitions.
 */
import { addCallGate } from '../test/sim/aws-calls';
import { AwsSims } from '../test/sim/aws-sims';
import { Dynalite, tablesOfStack } from '../test/sim/dynamo';
import { withFixtureRoles } from '../test/sim/fixture-roles';
import { fullyConfiguredInstance } from '../test/sim/fixtures';
import { RdsSimulator } from '../test/sim/rds-sim';
import { buildStack, Definition, definitionFrom, RunResult, runPipeline } from '../test/sim/run-pipeline';

/** RDS requests per second in each 60-second window of [start, end). */
export function windowRates(times: number[], start: number, end: number): number[] {
  const windows = Math.max(1, Math.ceil((end - start) / 60));
  const counts = new Array<number>(windows).fill(0);
  for (const t of times) {
    const i = Math.min(windows - 1, Math.floor((t - start) / 60));
    if (i >= 0) counts[i] += 1;
  }
  return counts.map((c) => c / 60);
}

interface Measured { result: RunResult; wall: number; rates: number[] }

async function measure(definition: Definition, tables: ReturnType<typeof tablesOfStack>, dynamo: Dynalite, size: number): Promise<Measured> {
  const sim = new RdsSimulator();
  sim.install();
  const aws = new AwsSims();
  aws.install();
  dynamo.reset(tables);
  const times: number[] = [];
  const removeGate = addCallGate((call) => {
    if (call.service === 'rds' && !call.via) times.push(sim.clock.elapsed);
  });
  try {
    // An account sized for the fleet (the default 40 DB instances would refuse a fleet of 50 beside its originals).
    sim.quotas.DBInstances = 4 * size + 40;
    sim.quotas.ManualSnapshots = 4 * size + 100;
    const ids = Array.from({ length: size }, (_, i) => `fleet-db-${i + 1}`);
    for (const id of ids) sim.addInstance(fullyConfiguredInstance(id));
    const start = sim.clock.elapsed;
    const input = { targets: ids.map((identifier) => ({ identifier, task: 'create_snapshot', isCluster: false })), maxConcurrency: size };
    const result = await runPipeline(definition, input, sim);
    if (result.status !== 'SUCCEEDED') throw new Error(`fleet of ${size}: ${result.error}: ${result.cause}`);
    return { result, wall: result.seconds, rates: windowRates(times, start, start + result.seconds) };
  } finally {
    removeGate();
    sim.uninstall();
    aws.uninstall();
  }
}

function transitions(r: RunResult): number {
  return r.transitions + (r.children ?? []).reduce((s, c) => s + transitions(c), 0);
}

/** Print one `bench fleet` line per fleet size. */
export async function fleetBench(dynamo: Dynalite, sizes = [1, 10, 50]): Promise<string[]> {
  const { stack } = buildStack(withFixtureRoles());
  const definition = definitionFrom(stack);
  const tables = tablesOfStack(stack);
  // One target restored alone: the wall time a fleet is compared with.
  const single = await (async () => {
    const sim = new RdsSimulator();
    sim.install();
    const aws = new AwsSims();
    aws.install();
    dynamo.reset(tables);
    try {
      sim.addInstance(fullyConfiguredInstance('fleet-db-1'));
      const r = await runPipeline(definition, { identifier: 'fleet-db-1', task: 'create_snapshot', isCluster: false }, sim);
      if (r.status !== 'SUCCEEDED') throw new Error(`one target alone: ${r.error}: ${r.cause}`);
      return r;
    } finally {
      sim.uninstall();
      aws.uninstall();
    }
  })();
  const lines: string[] = [];
  for (const n of sizes) {
    const m = await measure(definition, tables, dynamo, n);
    const peak = Math.max(...m.rates);
    const mean = m.rates.reduce((a, b) => a + b, 0) / m.rates.length;
    const line = `bench fleet targets=${n} concurrency=${n} rds_req_per_s_peak=${peak.toFixed(2)} rds_req_per_s_mean=${mean.toFixed(2)} `
      + `wall_s=${Math.round(m.wall)} single_wall_s=${Math.round(single.seconds)} transitions_total=${transitions(m.result)}`;
    console.log(line);
    lines.push(line);
  }
  return lines;
}
