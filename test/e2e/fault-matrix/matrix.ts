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
 *     the function that made it (test/sim/iam-check.ts), and a denial fails the point;
 *  7. (a snapshot shared from another account) the shared snapshot is still available; a run
 *     makes at most one copy; after a success the copy is gone or being deleted (kept,
 *     available and tagged, with keepSnapshotCopies); a failed run may leave its copy
 *     (a later successful restore from a shared snapshot deletes it) but the cause names it;
 *  8. (restoreManagedMasterPassword) after a success the DB under the identifier has a
 *     managed master password under the original's key.
 * The matrix is generated from the call log, so a new step is covered by itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { watchDeletions, invariants } from './invariants';
import { harnessFor, ID, Scenario, SCENARIOS, seed, SHARDS } from './scenarios';
import { describeDenials } from '../../sim/iam-check';
import { RdsSimulator } from '../../sim/rds-sim';
import { runPipeline, RunOptions } from '../../sim/run-pipeline';
import type { Harness } from '../harness';

const MUTATING = /^(Create|Copy|Delete|Modify|Restore|Add|Remove|Start)/;

let h: Harness | undefined;

/** A call site; `route53`: a Route 53 call (a DNS alias cutover), faulted through the Route 53 simulator. */
interface Site { state: string; command: string; identifier?: string; route53?: boolean }
type Fault = 'terminal' | 'throttled' | 'stuck';

/** Run a scenario; `inject` adds faults keyed on the state being run. */
async function run(
  s: Scenario,
  inject?: (sim: RdsSimulator, current: () => string, dns: Harness['route53']) => void,
  onEnd?: (state: string, sim: RdsSimulator) => void,
  lambdaFault?: RunOptions['lambdaFault'],
) {
  h?.done();
  h = harnessFor(s.policy);
  const sim = h.fresh();
  const originals = seed(sim, s, h.pipelineId, h.route53);
  let current = '';
  const violations: string[] = [];
  watchDeletions(sim, s, originals.resourceIds, violations, h.route53);
  s.baseline.forEach((f) => sim.failOn(f));
  inject?.(sim, () => current, h.route53);
  const result = await runPipeline(h.definition, { identifier: ID(s), task: s.task, isCluster: s.isCluster, ...s.input }, sim, {
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
  return { sim, result, originals, violations, dns: h.route53 };
}

const summary = { points: 0, held: 0, seconds: 0 };

/**
 * The matrix's summary line is printed once for the whole jest run by the
 * global teardown (test/sim/iam-summary-teardown.ts), summed over the shards:
 * each leaves its counts in the run's tally directory.
 */
function writeMatrixTally(): void {
  const dir = process.env.TRAPHEUS_IAM_TALLY_DIR;
  if (!dir || summary.points === 0) return;
  fs.writeFileSync(path.join(dir, `${process.pid}-${Date.now()}.matrix`), JSON.stringify(summary));
}

/** The tests of one shard of the matrix (see SHARDS). */
export function matrixShard(shard: string): void {
  const names = SHARDS[shard];
  if (!names) throw new Error(`fault matrix: no shard "${shard}"`);
  const scenarios = names.map((n) => {
    const s = SCENARIOS.find((x) => x.name === n);
    if (!s) throw new Error(`fault matrix: shard "${shard}" names an unknown scenario "${n}"`);
    return s;
  });
  // A scenario runs a few hundred executions: minutes on a loaded 2-core machine.
  jest.setTimeout(15 * 60_000);
  let started = 0;
  beforeAll(() => { started = Date.now(); });
  afterEach(() => h?.done());
  afterAll(() => {
    summary.seconds = (Date.now() - started) / 1000;
    process.stdout.write(`\nfault-injection matrix (${shard}): ${summary.points} injection points, ${summary.held} held the invariants, ${summary.seconds.toFixed(1)} s\n`);
    writeMatrixTally();
  });
  describe(`fault-injection matrix: ${shard}`, () => {
    test.each(scenarios.map((s) => [s.name, s]))('%s: every call site × every fault keeps the invariants', async (_, scenario) => {
      const s = scenario as Scenario;
      // Discover the call sites of this path.
      const sites: Site[] = [];
      const seen = new Set<string>();
      let before = 0;
      let dnsBefore = 0;
      const baseline = await run(s, undefined, (state, sim) => {
        for (const call of h!.route53.calls.slice(dnsBefore)) {
          const key = `${state} route53:${call.action}`;
          if (!seen.has(key)) {
            seen.add(key);
            sites.push({ state, command: call.action, route53: true });
          }
        }
        dnsBefore = h!.route53.calls.length;
        for (const call of sim.calls.slice(before)) {
          const key = `${state} ${call.command}`;
          if (!seen.has(key) && call.error !== 'never') {
            seen.add(key);
            sites.push({
              state,
              command: call.command,
              identifier: call.input.NewDBInstanceIdentifier ?? call.input.NewDBClusterIdentifier ?? call.input.TargetDBInstanceIdentifier
              ?? call.input.DBInstanceIdentifier
              ?? call.input.DBClusterIdentifier ?? call.input.DBSnapshotIdentifier ?? call.input.DBClusterSnapshotIdentifier
              ?? call.input.TargetDBSnapshotIdentifier ?? call.input.TargetDBClusterSnapshotIdentifier
              ?? call.input.ExportTaskIdentifier,
            });
          }
        }
        before = sim.calls.length;
      });
      expect([...baseline.violations, ...invariants(s, baseline.sim, baseline.result, baseline.originals, baseline.dns)]).toEqual([]);
      expect(sites.length).toBeGreaterThan(3);

      const failures: string[] = [];
      for (const site of sites) {
        const faults: Fault[] = MUTATING.test(site.command) && !site.route53 ? ['terminal', 'throttled', 'stuck'] : ['terminal', 'throttled'];
        for (const fault of faults) {
          let stuckDone = false;
          const { sim, result, originals, violations, dns } = await run(s, (injected, current, route53) => {
            if (fault === 'stuck') return;
            if (site.route53) {
              // Route 53's own codes: InvalidInput is not retried, Throttling is (Route 53 API reference, Common Errors)
              route53.failNext(site.command, fault === 'terminal' ? 'InvalidInput' : 'Throttling', fault === 'terminal' ? Infinity : 2, () => current() === site.state);
              return;
            }
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
          const problems = [...violations, ...invariants(s, sim, result, originals, dns)];
          summary.points += 1;
          if (problems.length === 0) summary.held += 1;
          else failures.push(`${site.state} / ${site.command} / ${fault} → ${result.status} ${result.error}: ${problems.join('; ')}`);
        }
      }

      // Lambda itself throttles or loses an invocation, at every task of the path.
      const tasks = [...new Set(baseline.result.timeline.filter((e) => e.type === 'Task').map((e) => e.state))];
      for (const task of tasks) {
        for (const fault of ['Lambda throttled', 'Lambda timed out'] as const) {
          const { sim, result, originals, violations, dns } = await run(s, undefined, undefined, (state, invocation) => {
            if (state !== task) return undefined;
            if (fault === 'Lambda throttled') return invocation <= 2 ? 'throttled' : undefined;
            return invocation === 1 ? 'timed out' : undefined;
          });
          const problems = [...violations, ...invariants(s, sim, result, originals, dns)];
          if (result.status !== baseline.result.status || result.error !== baseline.result.error) {
            problems.push(`ended ${result.status} ${result.error ?? ''} where the clean run ended ${baseline.result.status} ${baseline.result.error ?? ''}`);
          }
          summary.points += 1;
          if (problems.length === 0) summary.held += 1;
          else failures.push(`${task} / ${fault} → ${result.status} ${result.error}: ${problems.join('; ')}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });
}
