/**
 * The cutover modes `npm run bench`, `npm run demo` and the README's timeline
 * chart run: mode name → the TrapheusRestore props and the fixture it restores.
 * A new mode is one entry here.
 */
import { Cutover, TrapheusRestoreProps } from '../src';
import { seedCluster, seedDemoInstance } from '../test/sim/fixtures';
import type { RdsSimulator, SimDurations } from '../test/sim/rds-sim';

export interface BenchFixture {
  /** The execution input. */
  readonly input: { identifier: string; task: string; isCluster: boolean };
  /** The simulator durations that make the restore take `seconds`. */
  durations(seconds: number): Partial<SimDurations>;
  /** Put the database (and its snapshots) into the simulator. */
  seed(sim: RdsSimulator, pipelineId: string): void;
  /** When the clients' endpoint was unreachable during the run (simulated seconds). */
  downtime(sim: RdsSimulator): DowntimePeriod[];
}

export interface BenchMode {
  readonly props: TrapheusRestoreProps;
  readonly fixture: BenchFixture;
  /** What the mode is, in a few words (README, demo). */
  readonly description: string;
}

export interface DowntimePeriod { from: number; to: number; seconds: number }

export const INSTANCE: BenchFixture = {
  input: { identifier: 'orders-db', task: 'create_snapshot', isCluster: false },
  durations: (seconds) => ({ restore: seconds }),
  seed: (sim, pipelineId) => { seedDemoInstance(sim, 'orders-db', pipelineId); },
  downtime: (sim) => sim.endpointDowntime('orders-db'),
};

export const CLUSTER: BenchFixture = {
  input: { identifier: 'orders-aurora', task: 'create_snapshot', isCluster: true },
  durations: (seconds) => ({ clusterRestore: seconds }),
  seed: (sim) => { seedCluster(sim, 'orders-aurora'); },
  downtime: (sim) => sim.endpointDowntime('orders-aurora'),
};

/** The modes that exist today. `cluster-rename-first` is the reference for `cluster-swap`'s target. */
export const BENCH_MODES: Record<string, BenchMode> = {
  'rename-first': { props: {}, fixture: INSTANCE, description: 'instance, Cutover.RENAME_FIRST (default)' },
  'restore-then-swap': { props: { cutover: Cutover.RESTORE_THEN_SWAP }, fixture: INSTANCE, description: 'instance, Cutover.RESTORE_THEN_SWAP' },
  'cluster-rename-first': { props: {}, fixture: CLUSTER, description: 'Aurora cluster, Cutover.RENAME_FIRST' },
};
