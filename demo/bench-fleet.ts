/**
 * The fleet lines of `npm run bench` (called from demo/bench.ts): a fleet of
 * 1, 10 and 50 DB instances restored at once (concurrency = fleet size), on
 * the simulator's clock, with the RDS requests counted on the call gate every
 * simulated AWS call passes (test/sim/aws-calls.ts):
 *
 *   bench fleet targets=<n> concurrency=<c> rds_req_per_s_peak=<x> rds_req_per_s_mean=<x> wall_s=<n> single_wall_s=<n> transitions_total=<n>
 *
 * Peak and mean are over the 60-second windows of simulated time from the
 * fleet's start to its end; every RDS request counts (a throttled retry
 * too). As for the modes' lines, each fleet runs twice on one table, the
 * first run teaching the waits' history (a fleet is a recurring refresh), and
 * the `bench` line is the second run; the first is printed above it.
 * `single_wall_s` is one target restored alone, measured the same way;
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
    const i = Math.floor((t - start) / 60);
    if (i >= 0 && i < windows) counts[i] += 1;
  }
  return counts.map((c) => c / 60);
}

interface Run { result: RunResult; peak: number; mean: number }

function transitions(r: RunResult): number {
  return r.transitions + (r.children ?? []).reduce((s, c) => s + transitions(c), 0);
}

/** Run `input` twice on one simulator and table (the first run teaches the waits), measuring each. */
async function twice(
  definition: Definition, tables: ReturnType<typeof tablesOfStack>, dynamo: Dynalite, ids: string[], input: unknown,
): Promise<Run[]> {
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
    sim.quotas.DBInstances = 4 * ids.length + 40;
    sim.quotas.ManualSnapshots = 4 * ids.length + 100;
    for (const id of ids) sim.addInstance(fullyConfiguredInstance(id));
    const runs: Run[] = [];
    for (const name of ['first', 'second']) {
      times.length = 0;
      const start = sim.clock.elapsed;
      const result = await runPipeline(definition, input, sim, { name });
      if (result.status !== 'SUCCEEDED') throw new Error(`${ids.length} target(s), ${name} run: ${result.error}: ${result.cause}`);
      const rates = windowRates(times, start, start + result.seconds);
      runs.push({ result, peak: Math.max(...rates), mean: rates.reduce((a, b) => a + b, 0) / rates.length });
      sim.clock.advance(3600);
    }
    return runs;
  } finally {
    removeGate();
    sim.uninstall();
    aws.uninstall();
  }
}

/** Print one `bench fleet` line per fleet size (after a line on its first run). */
export async function fleetBench(dynamo: Dynalite, sizes = [1, 10, 50]): Promise<string[]> {
  const { stack } = buildStack(withFixtureRoles());
  const definition = definitionFrom(stack);
  const tables = tablesOfStack(stack);
  const [singleFirst, single] = await twice(definition, tables, dynamo, ['fleet-db-1'], { identifier: 'fleet-db-1', task: 'create_snapshot', isCluster: false });
  console.log('\nFleets of DB instances (create_snapshot), all targets at once; RDS requests per second over 60-second windows.');
  console.log(`One target alone: ${Math.round(singleFirst.result.seconds)} s on its first run, ${Math.round(single.result.seconds)} s with its waits' history.`);
  const lines: string[] = [];
  for (const n of sizes) {
    const ids = Array.from({ length: n }, (_, i) => `fleet-db-${i + 1}`);
    const input = { targets: ids.map((identifier) => ({ identifier, task: 'create_snapshot', isCluster: false })), maxConcurrency: n };
    const [first, second] = await twice(definition, tables, dynamo, ids, input);
    console.log(`fleet of ${n}, first run (no wait history): peak ${first.peak.toFixed(2)} req/s, mean ${first.mean.toFixed(2)} req/s, `
      + `${Math.round(first.result.seconds)} s (${(first.result.seconds / singleFirst.result.seconds).toFixed(2)} x one alone)`);
    const line = `bench fleet targets=${n} concurrency=${n} rds_req_per_s_peak=${second.peak.toFixed(2)} rds_req_per_s_mean=${second.mean.toFixed(2)} `
      + `wall_s=${Math.round(second.result.seconds)} single_wall_s=${Math.round(single.result.seconds)} transitions_total=${transitions(second.result)}`;
    console.log(line);
    lines.push(line);
  }
  return lines;
}
