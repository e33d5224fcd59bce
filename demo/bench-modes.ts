/**
 * The cutover modes `npm run bench`, `npm run demo` and the README's timeline
 * chart run: mode name → the TrapheusRestore props and the fixture it restores.
 * A new mode is one entry here.
 */
import type { Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Cutover, TrapheusRestoreProps } from '../src';
import { seedCluster, seedDemoInstance } from '../test/sim/fixtures';
import type { RdsSimulator, SimDurations } from '../test/sim/rds-sim';
import type { Route53Simulator } from '../test/sim/route53';

export interface BenchFixture {
  /** The execution input. */
  readonly input: { identifier: string; task: string; isCluster: boolean };
  /** The simulator durations that make the restore take `seconds`. */
  durations(seconds: number): Partial<SimDurations>;
  /** Put the database (and its snapshots) into the simulator (a DNS alias: and its record into Route 53). */
  seed(sim: RdsSimulator, pipelineId: string, dns: Route53Simulator): void;
  /** When the clients' endpoint was unreachable during the run (simulated seconds); a DNS alias: the record's name. */
  downtime(sim: RdsSimulator, dns: Route53Simulator): DowntimePeriod[];
}

export interface BenchMode {
  readonly props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps);
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

const ZONE = 'Z0SIMULATED0ZONE';
/** A DNS alias: clients connect through `<identifier>.example.internal`, which already points at the database (adopted). */
function dnsFixture(base: BenchFixture): BenchFixture {
  const record = `${base.input.identifier}.example.internal`;
  return {
    ...base,
    seed: (sim, pipelineId, dns) => {
      base.seed(sim, pipelineId, dns);
      dns.addZone(ZONE, 'example.internal');
      const id = base.input.identifier;
      dns.putRecord(ZONE, { name: record, type: 'CNAME', ttl: 30, values: [base.input.isCluster ? sim.cluster(id)!.Endpoint! : sim.instance(id)!.Endpoint!.Address!] });
    },
    // the time the name may resolve to a database that does not answer (test/sim/route53.ts)
    downtime: (sim, dns) => {
      sim.endpointDowntime(base.input.identifier);
      return dns.downtime(record, sim.endpointEvents);
    },
  };
}
const dnsAlias = (identifier: string) => (stack: Stack): TrapheusRestoreProps => ({
  cutover: Cutover.dnsAlias({
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE, zoneName: 'example.internal' }),
    recordName: identifier,
  }),
});

/** The modes that exist today. `cluster-rename-first` is the reference for `cluster-swap`'s target. */
export const BENCH_MODES: Record<string, BenchMode> = {
  'rename-first': { props: {}, fixture: INSTANCE, description: 'instance, Cutover.RENAME_FIRST (default)' },
  'restore-then-swap': { props: { cutover: Cutover.RESTORE_THEN_SWAP }, fixture: INSTANCE, description: 'instance, Cutover.RESTORE_THEN_SWAP' },
  'dns-alias': { props: dnsAlias('orders-db'), fixture: dnsFixture(INSTANCE), description: 'instance, Cutover.dnsAlias() (downtime of the DNS name)' },
  'cluster-rename-first': { props: {}, fixture: CLUSTER, description: 'Aurora cluster, Cutover.RENAME_FIRST' },
  'cluster-swap': { props: { cutover: Cutover.RESTORE_THEN_SWAP }, fixture: CLUSTER, description: 'Aurora cluster, Cutover.RESTORE_THEN_SWAP' },
  'cluster-dns-alias': { props: dnsAlias('orders-aurora'), fixture: dnsFixture(CLUSTER), description: 'Aurora cluster, Cutover.dnsAlias() (downtime of the DNS name)' },
};
