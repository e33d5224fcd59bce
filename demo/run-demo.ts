/**
 * npm run demo: a complete `create_snapshot` restore of a simulated DB
 * instance, offline (then the same with cutover RESTORE_THEN_SWAP, a
 * point-in-time restore, and an Aurora cluster). The state machine is the one synthesized from the
 * TrapheusRestore construct; the handlers are the real ones in lambda-src/;
 * RDS is the in-memory simulator on a simulated clock.
 */
import '../test/setup';
import { CLUSTER_ATTRIBUTES, MEMBER_ATTRIBUTES } from '../lambda-src/rds/cluster-config';
import { INSTANCE_ATTRIBUTES } from '../lambda-src/rds/instance-config';
import { TAG_PIPELINE, TAG_SOURCE } from '../lambda-src/rds/naming';
import { Cutover } from '../src';
import { BENCH_MODES } from './bench-modes';
import { runMode } from './mode-run';
import { AwsSims } from '../test/sim/aws-sims';
import { formatDuration } from '../test/sim/clock';
import { detections, medianLatency } from '../test/sim/detection';
import { Dynalite, tablesOfStack } from '../test/sim/dynamo';
import { withFixtureRoles } from '../test/sim/fixture-roles';
import { fullyConfiguredInstance, seedCluster, seedDemoInstance } from '../test/sim/fixtures';
import { RdsSimulator } from '../test/sim/rds-sim';
import { buildStack, definitionFrom, runPipeline } from '../test/sim/run-pipeline';
import { clockTime, formatSteps } from '../test/sim/timeline';

// The AWS SDK warns that its Node 20 support ends in 2027; the demo's output is about the pipeline.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** DynamoDB (the restore lock's table): dynalite, in this process, on 127.0.0.1. */
let dynamo: Dynalite;

async function main() {
  const { stack } = buildStack(withFixtureRoles());
  const definition = definitionFrom(stack);
  const tables = tablesOfStack(stack);
  const pipelineId = [...definition.functions.values()][0].env.PIPELINE_ID;
  const sim = new RdsSimulator();
  sim.install();
  const aws = new AwsSims(); // SNS, SES, Step Functions, in memory too
  aws.install();
  dynamo.reset(tables);
  try {
    const { before } = seedDemoInstance(sim, 'orders-db', pipelineId);
    const input = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
    console.log(`trapheus-cdk demo: ${JSON.stringify(input)}`);
    console.log('State machine synthesized from TrapheusRestore; real handlers; in-memory RDS on a simulated clock.\n');
    console.log(`Before: orders-db ${before.DBInstanceClass}, Multi-AZ ${before.MultiAZ}, endpoint ${before.Endpoint?.Address}`);
    console.log(`        snapshots: ${sim.snapshots().map((s) => s.DBSnapshotIdentifier).join(', ')}\n`);

    const result = await runPipeline(definition, input, sim);
    console.log(formatSteps(result));
    console.log('');

    const after = sim.instance('orders-db')!;
    const kept = INSTANCE_ATTRIBUTES.filter((a) => JSON.stringify(a.read(after)) === JSON.stringify(a.read(before)));
    const downtime = sim.endpointDowntime('orders-db');
    console.log(`Result:      ${result.status}${result.error ? ` (${result.error}: ${result.cause})` : ''}`);
    console.log(`Total:       ${formatDuration(result.seconds)} (simulated)`);
    for (const d of downtime) {
      console.log(`Downtime:    ${after.Endpoint?.Address} unreachable from ${clockTime(d.from)} to ${clockTime(d.to)}: ${formatDuration(d.seconds)}`);
    }
    console.log(`Endpoint:    ${before.Endpoint?.Address === after.Endpoint?.Address ? 'unchanged' : 'CHANGED'} (${after.Endpoint?.Address})`);
    console.log(`Config:      ${kept.length} of ${INSTANCE_ATTRIBUTES.length} kept attributes equal to the original`
      + (kept.length < INSTANCE_ATTRIBUTES.length ? ` — differs: ${INSTANCE_ATTRIBUTES.filter((a) => !kept.includes(a)).map((a) => a.name).join(', ')}` : ''));
    console.log(`Instances:   ${sim.instances().map((i) => `${i.DBInstanceIdentifier} (${i.DBInstanceStatus})`).join(', ')}`);
    console.log(`Snapshots:   ${sim.snapshots().map((s) => `${s.DBSnapshotIdentifier} (${s.Status})`).join(', ')}`);
    console.log(`Transitions: ${result.transitions} state transitions ($${(result.transitions * 0.000025).toFixed(4)}), `
      + `${result.lambdaInvocations} Lambda invocations, ~${result.historyEvents} of 25,000 history events`);
    console.log(`RDS calls:   ${sim.calls.length} (${sim.mutatingCalls().length} mutating)`);
    const found = detections(result, sim);
    console.log(`Detection:   readiness noticed ${Math.round(medianLatency(found) ?? 0)} s after it happened (median of ${found.length} waits, `
      + 'no wait history yet: back-off from 30 s)');
    if (result.status !== 'SUCCEEDED') process.exitCode = 1;
  } finally {
    sim.uninstall();
    aws.uninstall();
  }
  await swapDemo();
  await pointInTimeDemo(definition, tables);
  await clusterDemo(definition, pipelineId, tables);
  await modesSideBySide();
}

/** Every cutover mode of demo/bench-modes.ts, twice on one table: without wait history, then with what the first run taught. */
async function modesSideBySide() {
  console.log(`\n${'-'.repeat(100)}\nEvery mode side by side (the default 20-minute restore; run 1 without wait history, run 2 with the history run 1 left)\n`);
  const rows = [['mode', 'downtime', 'downtime (learned)', 'detection latency', 'detection latency (learned)', 'transitions', 'transitions (learned)']];
  for (const [name, mode] of Object.entries(BENCH_MODES)) {
    const [first, second] = await runMode(dynamo, mode, 2);
    rows.push([name, formatDuration(first.downtime), formatDuration(second.downtime), `${Math.round(first.latency)} s`,
      `${Math.round(second.latency)} s`, String(first.result.transitions), String(second.result.transitions)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log('\nDetection latency: median over the waits, from "ready" on the simulator\'s clock to the start of the step after the wait.');
}

/** db_restore to a point in time (issue 9): RestoreDBInstanceToPointInTime from the renamed original. */
async function pointInTimeDemo(definition: ReturnType<typeof definitionFrom>, tables: ReturnType<typeof tablesOfStack>) {
  const sim = new RdsSimulator();
  sim.install();
  const aws = new AwsSims();
  aws.install();
  dynamo.reset(tables);
  try {
    // created four days ago, with 14 days of automated backups: restorable from its creation to 5 minutes ago
    const before = sim.addInstance(fullyConfiguredInstance('orders-db', { InstanceCreateTime: new Date('2026-01-05T08:00:00Z') }));
    const input = { identifier: 'orders-db', task: 'db_restore', isCluster: false, source: 'point-in-time', restoreTime: '2026-01-09T07:30:00Z' };
    console.log(`\n${'-'.repeat(100)}\ntrapheus-cdk demo: ${JSON.stringify(input)}\n`);
    console.log(`Before: orders-db restorable to ${before.LatestRestorableTime?.toISOString()} at the latest\n`);
    const result = await runPipeline(definition, input, sim);
    console.log(formatSteps(result));
    console.log('');
    const call = sim.calls.find((c) => c.command === 'RestoreDBInstanceToPointInTime');
    const after = sim.instance('orders-db')!;
    console.log(`Result:      ${result.status}${result.error ? ` (${result.error}: ${result.cause})` : ''}`);
    console.log(`Total:       ${formatDuration(result.seconds)} (simulated)`);
    console.log(`Restored:    ${call?.command} from ${call?.input.SourceDbiResourceId} (the renamed original, by its resource id) `
      + `to ${new Date(call?.input.RestoreTime).toISOString()}`);
    console.log(`Endpoint:    ${before.Endpoint?.Address === after.Endpoint?.Address ? 'unchanged' : 'CHANGED'} (${after.Endpoint?.Address})`);
    const kept = INSTANCE_ATTRIBUTES.filter((a) => JSON.stringify(a.read(after)) === JSON.stringify(a.read(before)));
    console.log(`Config:      ${kept.length} of ${INSTANCE_ATTRIBUTES.length} kept attributes equal to the original`);
    if (result.status !== 'SUCCEEDED') process.exitCode = 1;
  } finally {
    sim.uninstall();
    aws.uninstall();
  }
}

/** The same instance restore with cutover RESTORE_THEN_SWAP: the restore runs while the original serves. */
async function swapDemo() {
  const { stack } = buildStack(withFixtureRoles({ cutover: Cutover.RESTORE_THEN_SWAP }));
  const definition = definitionFrom(stack);
  const sim = new RdsSimulator();
  sim.install();
  const aws = new AwsSims();
  aws.install();
  dynamo.reset(tablesOfStack(stack));
  try {
    const { before } = seedDemoInstance(sim, 'orders-db', [...definition.functions.values()][0].env.PIPELINE_ID);
    console.log(`\n${'-'.repeat(100)}\nThe same restore with cutover: Cutover.RESTORE_THEN_SWAP\n`);
    const result = await runPipeline(definition, { identifier: 'orders-db', task: 'create_snapshot', isCluster: false }, sim);
    console.log(formatSteps(result));
    console.log('');
    const after = sim.instance('orders-db')!;
    console.log(`Result:      ${result.status}${result.error ? ` (${result.error}: ${result.cause})` : ''}`);
    console.log(`Total:       ${formatDuration(result.seconds)} (simulated)`);
    for (const d of sim.endpointDowntime('orders-db')) {
      console.log(`Downtime:    ${after.Endpoint?.Address} unreachable from ${clockTime(d.from)} to ${clockTime(d.to)}: ${formatDuration(d.seconds)}`);
    }
    const kept = INSTANCE_ATTRIBUTES.filter((a) => JSON.stringify(a.read(after)) === JSON.stringify(a.read(before)));
    console.log(`Config:      ${kept.length} of ${INSTANCE_ATTRIBUTES.length} kept attributes equal to the original`);
    if (result.status !== 'SUCCEEDED') process.exitCode = 1;
  } finally {
    sim.uninstall();
    aws.uninstall();
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The same for an Aurora cluster: one writer and two readers (one serverless v2). */
async function clusterDemo(definition: ReturnType<typeof definitionFrom>, pipelineId: string, tables: ReturnType<typeof tablesOfStack>) {
  const sim = new RdsSimulator();
  sim.install();
  const aws = new AwsSims(); // SNS, SES, Step Functions, in memory too
  aws.install();
  dynamo.reset(tables);
  try {
    const { members } = seedCluster(sim, 'orders-aurora');
    const before = sim.cluster('orders-aurora')!;
    sim.addClusterSnapshot({
      DBClusterSnapshotIdentifier: 'orders-aurora-trapheus-20260102-080000',
      DBClusterIdentifier: 'orders-aurora',
      SnapshotCreateTime: new Date('2026-01-02T08:00:00Z'),
      Tags: [{ Key: TAG_SOURCE, Value: 'orders-aurora' }, { Key: TAG_PIPELINE, Value: pipelineId }],
    });
    const writerBefore = sim.writer('orders-aurora');
    const input = { identifier: 'orders-aurora', task: 'create_snapshot', isCluster: true };
    console.log(`\n${'-'.repeat(100)}\ntrapheus-cdk demo: ${JSON.stringify(input)}\n`);
    console.log(`Before: cluster orders-aurora (${before.Engine} ${before.EngineVersion}), writer ${writerBefore}, members `
      + members.map((m) => `${m.DBInstanceIdentifier} ${m.DBInstanceClass} tier ${m.PromotionTier}`).join(', '));
    console.log(`        endpoints ${before.Endpoint} / ${before.ReaderEndpoint}\n`);

    const result = await runPipeline(definition, input, sim);
    console.log(formatSteps(result));
    console.log('');
    const after = sim.cluster('orders-aurora')!;
    const clusterKept = CLUSTER_ATTRIBUTES.filter((a) => same(a.read(after), a.read(before))).length;
    const memberKept = members.map((m) => {
      const now = sim.instance(m.DBInstanceIdentifier!)!;
      return MEMBER_ATTRIBUTES.filter((a) => same(a.read(now), a.read(m))).length;
    });
    console.log(`Result:      ${result.status}${result.error ? ` (${result.error}: ${result.cause})` : ''}`);
    console.log(`Total:       ${formatDuration(result.seconds)} (simulated)`);
    for (const d of sim.endpointDowntime('orders-aurora')) {
      console.log(`Downtime:    ${after.Endpoint} (writer) unreachable from ${clockTime(d.from)} to ${clockTime(d.to)}: ${formatDuration(d.seconds)}`);
    }
    console.log(`Endpoints:   ${same([before.Endpoint, before.ReaderEndpoint], [after.Endpoint, after.ReaderEndpoint]) ? 'unchanged' : 'CHANGED'}`);
    console.log(`Writer:      ${writerBefore} before, ${sim.writer('orders-aurora')} after (DescribeDBClusters)`);
    console.log(`Config:      cluster ${clusterKept} of ${CLUSTER_ATTRIBUTES.length} kept settings equal; members `
      + memberKept.map((n, i) => `${members[i].DBInstanceIdentifier} ${n} of ${MEMBER_ATTRIBUTES.length}`).join(', '));
    console.log(`Clusters:    ${sim.clusters().map((c) => `${c.DBClusterIdentifier} (${c.Status})`).join(', ')}; `
      + `instances: ${sim.instances().map((i) => `${i.DBInstanceIdentifier} (${i.DBInstanceStatus})`).join(', ')}`);
    console.log(`Snapshots:   ${sim.clusterSnapshots().map((c) => `${c.DBClusterSnapshotIdentifier} (${c.Status})`).join(', ')}`);
    console.log(`Transitions: ${result.transitions} state transitions ($${(result.transitions * 0.000025).toFixed(4)}), `
      + `${result.lambdaInvocations} Lambda invocations, ~${result.historyEvents} of 25,000 history events`);
    if (result.status !== 'SUCCEEDED') process.exitCode = 1;
  } finally {
    sim.uninstall();
    aws.uninstall();
  }
}

Dynalite.start()
  .then(async (started) => {
    dynamo = started;
    try {
      await main();
    } finally {
      await dynamo.stop();
    }
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
