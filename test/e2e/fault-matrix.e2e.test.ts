/**
 * The fault-injection matrix. For every path (instance and cluster; the three
 * tasks; the restore and the rollback path) a clean run discovers the RDS call
 * sites — each (state, command) pair the real handlers call — and then, for
 * every site, one run per fault:
 *  - terminal: the call fails with a non-retryable RDS fault;
 *  - throttled: the call is throttled twice, then succeeds;
 *  - stuck: (mutating calls) the resource never leaves the state the call put it in.
 * and, for every Lambda task of the path, one run per fault of Lambda itself:
 *  - Lambda throttled: the first two invocations are refused (Lambda.TooManyRequestsException);
 *  - Lambda timed out: the first invocation does its work, then times out (Lambda.Unknown).
 * After every run the invariants must hold:
 *  1. the execution ended, SUCCEEDED or FAILED;
 *  2. the identifier is served by an available DB (original or restored), unless
 *     the cause reports a failed rollback;
 *  3. no original DB or cluster, and no snapshot, was deleted without a verified,
 *     available replacement;
 *  4. nothing is left behind that the cause does not name;
 *  5. (Lambda faults) the run ends as the clean run did: a throttled or lost
 *     invocation costs time only, never a rollback;
 *  6. IAM allowed every call: each is checked against the synthesized policy of
 *     the function that made it (test/sim/iam-check.ts), and a denial fails the point.
 * The matrix is generated from the call log, so a new step is covered by itself.
 */
import { Duration } from 'aws-cdk-lib';
import { Harness, iamCounts } from './harness';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { Cutover, OldDatabasePolicy } from '../../src';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';
import { describeDenials, summaryLine } from '../sim/iam-check';
import { FaultRule, RdsSimulator } from '../sim/rds-sim';
import { runPipeline, RunOptions, RunResult } from '../sim/run-pipeline';

// A scenario runs a few hundred executions: minutes on a loaded 2-core machine.
jest.setTimeout(15 * 60_000);

const polling = { maxWait: Duration.hours(1), maxPollInterval: Duration.minutes(10), pollBackoffRate: 2 };
/** One synthesized pipeline per old-database policy. */
const HARNESSES = {
  'delete': new Harness(polling),
  'snapshot then delete': new Harness({ ...polling, oldDatabase: OldDatabasePolicy.snapshotThenDelete() }),
  'keep for 2 h': new Harness({ ...polling, oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(2)) }),
  'cutover: restore then swap': new Harness({ ...polling, cutover: Cutover.RESTORE_THEN_SWAP }),
};
type Policy = keyof typeof HARNESSES;
let h = HARNESSES.delete;
afterEach(() => h.done());

const SERVING = new Set(['available', 'backing-up', 'modifying', 'configuring-enhanced-monitoring', 'configuring-log-exports', 'storage-optimization']);
const MUTATING = /^(Create|Delete|Modify|Restore|Add|Remove)/;

interface Scenario {
  readonly name: string;
  readonly policy: Policy;
  readonly isCluster: boolean;
  readonly task: string;
  /** Faults that shape the path itself (the rollback path needs a failed restore). */
  readonly baseline: FaultRule[];
}

const TASKS = ['create_snapshot', 'db_restore', 'create_snapshot_only'];
const SCENARIOS: Scenario[] = [false, true].flatMap((isCluster): Scenario[] => {
  const kind = isCluster ? 'cluster' : 'instance';
  return [
    ...TASKS.map((task) => ({ name: `${kind} ${task}`, policy: 'delete' as Policy, isCluster, task, baseline: [] })),
    // the other old-database policies add their own steps after the restore
    ...(['snapshot then delete', 'keep for 2 h'] as Policy[]).map((policy) => ({
      name: `${kind} create_snapshot, old database: ${policy}`, policy, isCluster, task: 'create_snapshot', baseline: [],
    })),
    // the swap cutover is for instances (clusters always rename first)
    ...(isCluster ? [] : [{ name: 'instance create_snapshot, cutover: restore then swap', policy: 'cutover: restore then swap' as Policy, isCluster, task: 'create_snapshot', baseline: [] }]),
    {
      name: `${kind} rollback`,
      policy: 'delete',
      isCluster,
      task: 'create_snapshot',
      baseline: [{
        command: isCluster ? 'CreateDBInstance' : 'RestoreDBInstanceFromDBSnapshot',
        when: (i: any) => !isCluster || i.DBInstanceIdentifier === 'orders-aurora-2',
        error: 'InsufficientDBInstanceCapacityFault',
        message: 'baseline fault that sends the run down its rollback path',
      }],
    },
  ];
});

const ID = (s: Scenario) => (s.isCluster ? 'orders-aurora' : 'orders-db');

/** Seed the database of a scenario; returns the identifiers and resource ids of the originals. */
function seed(sim: RdsSimulator, s: Scenario): { ids: string[]; resourceIds: Set<string> } {
  if (s.isCluster) {
    const { members } = seedCluster(sim);
    sim.addClusterSnapshot({
      DBClusterSnapshotIdentifier: 'orders-aurora-trapheus-20260102-080000',
      DBClusterIdentifier: 'orders-aurora',
      SnapshotCreateTime: new Date('2026-01-02T08:00:00Z'),
      Tags: [{ Key: TAG_SOURCE, Value: 'orders-aurora' }, { Key: TAG_PIPELINE, Value: h.pipelineId }],
    });
    return {
      ids: ['orders-aurora', ...members.map((m) => m.DBInstanceIdentifier!)],
      resourceIds: new Set([sim.cluster('orders-aurora')!.DbClusterResourceId!, ...members.map((m) => m.DbiResourceId!)]),
    };
  }
  const db = sim.addInstance(fullyConfiguredInstance('orders-db'));
  sim.addSnapshot({
    DBSnapshotIdentifier: 'orders-db-trapheus-20260102-080000',
    DBInstanceIdentifier: 'orders-db',
    SnapshotCreateTime: new Date('2026-01-02T08:00:00Z'),
    Tags: [{ Key: TAG_SOURCE, Value: 'orders-db' }, { Key: TAG_PIPELINE, Value: h.pipelineId }],
  });
  return { ids: ['orders-db'], resourceIds: new Set([db.DbiResourceId!]) };
}

interface Site { state: string; command: string; identifier?: string }
type Fault = 'terminal' | 'throttled' | 'stuck';

/** Run a scenario; `inject` adds faults keyed on the state being run. */
async function run(
  s: Scenario,
  inject?: (sim: RdsSimulator, current: () => string) => void,
  onEnd?: (state: string, sim: RdsSimulator) => void,
  lambdaFault?: RunOptions['lambdaFault'],
) {
  h.done();
  h = HARNESSES[s.policy];
  const sim = h.fresh();
  const originals = seed(sim, s);
  let current = '';
  const violations: string[] = [];
  watchDeletions(sim, s, originals.resourceIds, violations);
  s.baseline.forEach((f) => sim.failOn(f));
  inject?.(sim, () => current);
  const result = await runPipeline(h.definition, { identifier: ID(s), task: s.task, isCluster: s.isCluster }, sim, {
    onTask: (state, phase) => {
      current = phase === 'start' ? state : '';
      if (phase === 'end') onEnd?.(state, sim);
    },
    lambdaFault,
  });
  // Invariant 6: a call IAM denied fails the point (and is not left for done() to report again).
  const denied = h.iam.takeDenials();
  if (denied.length > 0) violations.push(`IAM denied:\n${describeDenials(denied)}`);
  const unchecked = h.iam.takeErrors();
  if (unchecked.length > 0) violations.push(`IAM check could not evaluate: ${unchecked.join('; ')}`);
  return { sim, result, originals, violations };
}

/** Invariant 3, checked at the moment of each delete call. */
function watchDeletions(sim: RdsSimulator, s: Scenario, originals: Set<string>, violations: string[]) {
  const id = ID(s);
  const replacementServes = () => {
    if (!s.isCluster) {
      const db = sim.instance(id);
      return !!db && db.DBInstanceStatus === 'available' && !originals.has(db.DbiResourceId!);
    }
    const cluster = sim.cluster(id);
    const members = (cluster?.DBClusterMembers ?? []).map((m) => sim.instance(m.DBInstanceIdentifier!));
    return !!cluster && cluster.Status === 'available' && !originals.has(cluster.DbClusterResourceId!)
      && members.length === 3 && members.every((m) => m?.DBInstanceStatus === 'available');
  };
  const probe = (command: string, check: (input: any) => string | undefined) => sim.failOn({
    command,
    error: 'never',
    when: (input) => {
      const problem = check(input);
      if (problem) violations.push(problem);
      return false;
    },
  });
  probe('DeleteDBInstance', (i) => {
    const db = sim.instance(i.DBInstanceIdentifier);
    return db && originals.has(db.DbiResourceId!) && !replacementServes() ? `deleted original ${i.DBInstanceIdentifier} without a verified replacement` : undefined;
  });
  probe('DeleteDBCluster', (i) => {
    const c = sim.cluster(i.DBClusterIdentifier);
    return c && originals.has(c.DbClusterResourceId!) && !replacementServes() ? `deleted original cluster ${i.DBClusterIdentifier} without a verified replacement` : undefined;
  });
  for (const command of ['DeleteDBSnapshot', 'DeleteDBClusterSnapshot']) {
    probe(command, (i) => {
      const deleting = i.DBSnapshotIdentifier ?? i.DBClusterSnapshotIdentifier;
      const all = s.isCluster
        ? sim.clusterSnapshots().map((x) => ({ id: x.DBClusterSnapshotIdentifier, status: x.Status }))
        : sim.snapshots().map((x) => ({ id: x.DBSnapshotIdentifier, status: x.Status }));
      return all.some((x) => x.id !== deleting && x.status === 'available') ? undefined : `deleted snapshot ${deleting} with no other available snapshot`;
    });
  }
}

/** Invariants 1, 2 and 4 after a run. */
function invariants(s: Scenario, sim: RdsSimulator, result: RunResult, originals: { ids: string[] }): string[] {
  const problems: string[] = [];
  if (result.status !== 'SUCCEEDED' && result.status !== 'FAILED') problems.push(`ended ${result.status}`);
  const cause = result.cause ?? '';
  const rollbackFailed = /ROLLBACK FAILED/.test(cause);
  const id = ID(s);
  const served = s.isCluster
    ? (() => {
      const cluster = sim.cluster(id);
      const writer = sim.writer(id);
      return !!cluster && SERVING.has(cluster.Status!) && !!writer && SERVING.has(sim.instance(writer)?.DBInstanceStatus ?? '');
    })()
    : SERVING.has(sim.instance(id)?.DBInstanceStatus ?? 'absent');
  if (!served && !rollbackFailed) problems.push(`${id} is not served and the cause does not report a failed rollback`);
  const known = new Set(originals.ids);
  const leftovers = [
    ...sim.instances().map((i) => i.DBInstanceIdentifier!),
    ...(s.isCluster ? sim.clusters().map((c) => c.DBClusterIdentifier!) : []),
  ].filter((x) => !known.has(x));
  const snapshots = s.isCluster
    ? sim.clusterSnapshots().map((x) => [x.DBClusterSnapshotIdentifier!, x.Status])
    : sim.snapshots().map((x) => [x.DBSnapshotIdentifier!, x.Status]);
  const stuckSnapshots = snapshots.filter(([, status]) => status !== 'available' && status !== 'deleting').map(([x]) => x!);
  for (const left of [...leftovers, ...stuckSnapshots]) {
    if (result.status === 'SUCCEEDED' || !cause.includes(left)) problems.push(`${left} is left behind, not named in the cause`);
  }
  if (result.status === 'FAILED' && /errorType|"trace"|\n\s+at /.test(cause)) problems.push('the cause leaks a stack trace');
  return problems;
}

const summary: { points: number; held: number; failures: string[] } = { points: 0, held: 0, failures: [] };

afterAll(() => {
  // One line for the whole matrix, as the issue asks.
  process.stdout.write(`\nfault-injection matrix: ${summary.points} injection points, ${summary.held} held the invariants\n`);
  process.stdout.write(`${summaryLine(iamCounts())}\n`);
});

describe('fault-injection matrix', () => {
  test.each(SCENARIOS.map((s) => [s.name, s]))('%s: every call site × every fault keeps the invariants', async (_, scenario) => {
    const s = scenario as Scenario;
    // Discover the call sites of this path.
    const sites: Site[] = [];
    const seen = new Set<string>();
    let before = 0;
    const baseline = await run(s, undefined, (state, sim) => {
      for (const call of sim.calls.slice(before)) {
        const key = `${state} ${call.command}`;
        if (!seen.has(key) && call.error !== 'never') {
          seen.add(key);
          sites.push({
            state,
            command: call.command,
            identifier: call.input.NewDBInstanceIdentifier ?? call.input.NewDBClusterIdentifier ?? call.input.DBInstanceIdentifier
            ?? call.input.DBClusterIdentifier ?? call.input.DBSnapshotIdentifier ?? call.input.DBClusterSnapshotIdentifier,
          });
        }
      }
      before = sim.calls.length;
    });
    expect([...baseline.violations, ...invariants(s, baseline.sim, baseline.result, baseline.originals)]).toEqual([]);
    expect(sites.length).toBeGreaterThan(3);

    const failures: string[] = [];
    for (const site of sites) {
      const faults: Fault[] = MUTATING.test(site.command) ? ['terminal', 'throttled', 'stuck'] : ['terminal', 'throttled'];
      for (const fault of faults) {
        let stuckDone = false;
        const { sim, result, originals, violations } = await run(s, (injected, current) => {
          if (fault === 'stuck') return;
          injected.failOn({
            command: site.command,
            when: () => current() === site.state,
            error: fault === 'terminal' ? 'InvalidParameterValue' : 'Throttling',
            message: fault === 'terminal' ? `injected terminal fault at ${site.state}` : 'Rate exceeded',
            times: fault === 'terminal' ? Infinity : 2,
          });
        }, (state, ended) => {
          // the resource the call acted on never leaves the state the call put it in
          if (fault === 'stuck' && !stuckDone && state === site.state && site.identifier) {
            stuckDone = true;
            ended.stick(site.identifier);
          }
        });
        const problems = [...violations, ...invariants(s, sim, result, originals)];
        summary.points += 1;
        if (problems.length === 0) summary.held += 1;
        else failures.push(`${site.state} / ${site.command} / ${fault} → ${result.status} ${result.error}: ${problems.join('; ')}`);
      }
    }

    // Lambda itself throttles or loses an invocation, at every task of the path.
    const tasks = [...new Set(baseline.result.timeline.filter((e) => e.type === 'Task').map((e) => e.state))];
    for (const task of tasks) {
      for (const fault of ['Lambda throttled', 'Lambda timed out'] as const) {
        const { sim, result, originals, violations } = await run(s, undefined, undefined, (state, invocation) => {
          if (state !== task) return undefined;
          if (fault === 'Lambda throttled') return invocation <= 2 ? 'throttled' : undefined;
          return invocation === 1 ? 'timed out' : undefined;
        });
        const problems = [...violations, ...invariants(s, sim, result, originals)];
        if (result.status !== baseline.result.status || result.error !== baseline.result.error) {
          problems.push(`ended ${result.status} ${result.error ?? ''} where the clean run ended ${baseline.result.status} ${baseline.result.error ?? ''}`);
        }
        summary.points += 1;
        if (problems.length === 0) summary.held += 1;
        else failures.push(`${task} / ${fault} → ${result.status} ${result.error}: ${problems.join('; ')}`);
      }
    }
    summary.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});
