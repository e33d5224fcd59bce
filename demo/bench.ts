/**
 * npm run bench: what a restore costs in Step Functions and Lambda as the
 * restore gets longer, with the default polling props. Simulated time, real
 * state machine and handlers. Compares with a Lambda that waits inside an SDK
 * waiter (the original Trapheus), which is billed for the whole wait.
 *
 * Then one machine-readable `bench` line per mode (demo/bench-modes.ts) and
 * restore length, with learned waits: each mode runs twice on the same table,
 * the first run teaches the waits' history, the second is measured.
 */
import '../test/setup';
import { fleetBench } from './bench-fleet';
import { BENCH_MODES } from './bench-modes';
import { runMode } from './mode-run';
import { AwsSims } from '../test/sim/aws-sims';
import { formatDuration } from '../test/sim/clock';
import { Dynalite, tablesOfStack } from '../test/sim/dynamo';
import { withFixtureRoles } from '../test/sim/fixture-roles';
import { fullyConfiguredInstance } from '../test/sim/fixtures';
import { RdsSimulator } from '../test/sim/rds-sim';
import { buildStack, definitionFrom, runPipeline } from '../test/sim/run-pipeline';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
console.log = ((log) => (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('{"level"')) return; // handler log lines
  log(...args);
})(console.log);

const TRANSITION = 0.025 / 1000;
const GB_SECOND = 0.0000166667;
const REQUEST = 0.2 / 1e6;
const MEMORY_GB = 0.25;

async function main(dynamo: Dynalite) {
  // `BENCH_ONLY=fleet npm run bench` (or `--only fleet` to demo/bench.ts): just the fleet lines; the default prints everything.
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : process.env.BENCH_ONLY;
  if (only === 'fleet') {
    await fleetBench(dynamo, process.env.BENCH_FLEET_SIZES?.split(',').map(Number));
    return;
  }
  const { stack } = buildStack(withFixtureRoles());
  const definition = definitionFrom(stack);
  const tables = tablesOfStack(stack);
  const rows: string[][] = [['restore takes', 'pipeline time', 'downtime', 'transitions', 'Lambda calls', 'history events', 'cost', 'waiter-Lambda cost']];
  for (const minutes of [20, 60, 180, 300]) {
    const sim = new RdsSimulator({ durations: { restore: minutes * 60 } });
    sim.install();
    const aws = new AwsSims(); // SNS, SES, Step Functions, in memory too; DynamoDB is dynalite
    aws.install();
    dynamo.reset(tables);
    try {
      sim.addInstance(fullyConfiguredInstance('orders-db'));
      const result = await runPipeline(definition, { identifier: 'orders-db', task: 'create_snapshot', isCluster: false }, sim);
      if (result.status !== 'SUCCEEDED') throw new Error(`${minutes} min restore: ${result.error}: ${result.cause}`);
      const downtime = sim.endpointDowntime('orders-db').reduce((s, d) => s + d.seconds, 0);
      const lambdaSeconds = result.lambdaInvocations * 1; // about 1 s each, 256 MB
      const cost = result.transitions * TRANSITION + lambdaSeconds * MEMORY_GB * GB_SECOND + result.lambdaInvocations * REQUEST;
      // A waiting Lambda (original Trapheus: 512 MB, waits inside the function) pays for the whole pipeline time.
      const waiter = result.seconds * 0.5 * GB_SECOND;
      rows.push([
        formatDuration(minutes * 60), formatDuration(result.seconds), formatDuration(downtime), String(result.transitions),
        String(result.lambdaInvocations), String(result.historyEvents), `$${cost.toFixed(4)}`, `$${waiter.toFixed(4)}`,
      ]);
    } finally {
      sim.uninstall();
      aws.uninstall();
    }
  }
  printTable(rows);
  console.log('\nDefaults: pollInterval 30 s, back-off 1.5, maxPollInterval 5 min, maxWait 6 h per wait. History limit: 25,000 events.');
  console.log('Each restore above runs on an empty table: no wait history, every wait backs off from 30 s.');
  await modes(dynamo);
  await fleetBench(dynamo);
}

/** The `bench` lines: per mode and restore length, the second of two runs on one table (learned waits). */
async function modes(dynamo: Dynalite) {
  const rows: string[][] = [['mode', 'restore takes', 'run', 'downtime', 'pipeline time', 'transitions', 'Lambda calls', 'history events', 'detection latency']];
  const lines: string[] = [];
  for (const [name, mode] of Object.entries(BENCH_MODES)) {
    for (const minutes of [20, 180]) {
      const runs = await runMode(dynamo, mode, 2, minutes * 60);
      runs.forEach((r, i) => rows.push([name, formatDuration(minutes * 60), i === 0 ? '1 (no history)' : '2 (learned)',
        formatDuration(r.downtime), formatDuration(r.result.seconds), String(r.result.transitions), String(r.result.lambdaInvocations),
        String(r.result.historyEvents), `${Math.round(r.latency)} s`]));
      const m = runs[1];
      lines.push(`bench mode=${name} restore_min=${minutes} downtime_s=${Math.round(m.downtime)} total_s=${Math.round(m.result.seconds)} `
        + `transitions=${m.result.transitions} history_events=${m.result.historyEvents} lambda_invocations=${m.result.lambdaInvocations} `
        + `detect_latency_s=${Math.round(m.latency)}`);
    }
  }
  console.log('\nLearned waits: each mode runs twice on the same table; the first run teaches the waits\' history, the second uses it.');
  console.log('Detection latency: median over the run\'s waits, from "ready" on the simulator\'s clock to the start of the step after the wait.\n');
  printTable(rows);
  console.log('\nMachine-readable, the second (learned) run of each:');
  for (const l of lines) console.log(l);
}

function printTable(rows: string[][]) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
}

Dynalite.start()
  .then(async (dynamo) => {
    try {
      await main(dynamo);
    } finally {
      await dynamo.stop();
    }
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
