/**
 * An in-memory Amazon RDS for tests: DB instances and DB snapshots, Aurora
 * DB clusters (with their member instances) and DB cluster snapshots, all
 * record kinds of the same lifecycle engine.
 *
 * It sits under the REAL `RDSClient` of `@aws-sdk/client-rds` through
 * aws-sdk-client-mock: code under test builds real commands and gets SDK
 * shaped answers or real SDK exception objects. Time is the simulated clock
 * of `./clock`: every resource has a queue of (status, duration) phases and
 * every access first advances all of them to `clock.elapsed`, stamping each
 * transition with the moment it really happened.
 *
 * Faithfulness rule: where real RDS would refuse a call the simulator
 * refuses it, with the same fault name and a realistic message. Where the
 * simulator has no data to check (parameter groups, option groups, subnet
 * groups, security groups, KMS keys, IAM roles) it accepts the name as given.
 *
 * Caveat: aws-sdk-client-mock replaces `send`, so the SDK's own retry
 * middleware does not run: a 'Throttling' fault reaches the caller on the
 * first attempt, where the real SDK would have retried it up to 3 times.
 *
 * Where the rules live (test/sim/rds/):
 * - types.ts          public types, DEFAULT_DURATIONS (with the source of each value)
 * - faults.ts         fault names and messages (rdsFault), STATE_RULES, failOn, stick
 * - lifecycle.ts      the phase queue, records, identifier rules, filters, pagination
 * - state.ts          shared state: clock advance, writers, endpoints, finding records
 * - engines.ts        engines and their defaults, shared attribute shapes
 * - instance-model.ts SETTERS, MODIFY_KINDS, PENDING_SLOTS, instance defaults and view
 * - instances.ts      Describe/Modify/Restore/DeleteDBInstance
 * - members.ts        Aurora cluster members: CreateDBInstance, delete, cluster-level parameters
 * - cluster-model.ts  CLUSTER_SETTERS, ModifyDBCluster kinds, cluster defaults and view
 * - clusters.ts       Describe/Modify/Restore/DeleteDBCluster
 * - snapshots.ts      DB snapshots and DB cluster snapshots (incl. final snapshots)
 * - tags.ts           Add/Remove/ListTagsForResource
 * - exports.ts        StartExportTask, DescribeExportTasks (snapshot exports to S3)
 * - commands.ts       every implemented command, by name (the dispatch table)
 */
import { DBCluster, DBClusterSnapshot, DBInstance, DBSnapshot, RDSClient } from '@aws-sdk/client-rds';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { gateCall } from './aws-calls';
import { SimClock } from './clock';
import { accountUse, DEFAULT_QUOTAS, describeAccountAttributes, QuotaName } from './rds/account';
import { seedAutomatedSnapshot } from './rds/backups';
import { viewCluster } from './rds/cluster-model';
import { seedCluster } from './rds/clusters';
import { RdsCommands, rdsCommands } from './rds/commands';
import { foreignKeyPolicy, seedSharedSnapshot, SharedSnapshotSpec } from './rds/copies';
import { ExportTasks } from './rds/exports';
import { FaultInjector, stick, stickNext } from './rds/faults';
import { viewInstance } from './rds/instance-model';
import { seedInstance, startAutomatedBackup } from './rds/instances';
import { addForeignKey, foreignKeyAccounts } from './rds/kms';
import { commandName } from './rds/lifecycle';
import { seedClusterInstance } from './rds/members';
import { seedClusterSnapshot, seedSnapshot, viewClusterSnapshot, viewSnapshot } from './rds/snapshots';
import { SimOptions, SimState } from './rds/state';
import { Throttling } from './rds/throttling';
import {
  ClusterInstanceSpec, ClusterSnapshotSpec, ClusterSpec, EndpointEvent, FaultRule, InstanceSpec, RetainedAutomatedBackup, SimCall,
  SimDurations, SnapshotSpec, StatusChange,
} from './rds/types';

export * from './rds/types';
export { rdsFault } from './rds/faults';

export class RdsSimulator {
  readonly clock: SimClock;
  readonly durations: SimDurations;
  readonly calls: SimCall[] = [];
  readonly endpointEvents: EndpointEvent[];
  /** Every status a record entered at the end of a phase, with its moment. */
  readonly statusChanges: StatusChange[];
  /** Snapshot exports to S3 (rds/exports.ts): durations, failNext, the tasks. */
  readonly exports: ExportTasks;

  private readonly sim: SimState;
  private readonly faults = new FaultInjector();
  /** The throttling fault mode (`throttle`), when on. */
  throttling?: Throttling;
  private mock?: AwsStub<any, any, any>;

  /** Every implemented command, by name (rds/commands.ts). */
  private readonly handlers: RdsCommands;
  /** The account's quotas (DescribeAccountAttributes' Max), to lower in a test. */
  readonly quotas: Record<QuotaName, number> = { ...DEFAULT_QUOTAS };

  constructor(opts: SimOptions = {}) {
    this.sim = new SimState(opts);
    this.clock = this.sim.clock;
    this.durations = this.sim.durations;
    this.endpointEvents = this.sim.endpointEvents;
    this.statusChanges = this.sim.statusChanges;
    this.exports = new ExportTasks(this.sim);
    this.handlers = rdsCommands(this.sim, this.exports, () => describeAccountAttributes(this.quotas, accountUse(this)));
  }

  // -------------------------------------------------------------------------
  // Installing under the real client
  // -------------------------------------------------------------------------

  /** Route every RDSClient#send to this simulator. */
  install(): void {
    this.uninstall();
    this.mock = mockClient(RDSClient);
    this.mock.send.callsFake((command: unknown) => this.dispatch(command));
  }

  /** Restore the real client. */
  uninstall(): void {
    this.mock?.restore();
    this.mock = undefined;
  }

  // -------------------------------------------------------------------------
  // Fault injection and stuck resources (rds/faults.ts)
  // -------------------------------------------------------------------------

  /** Make matching calls fail (checked before the real rules). */
  failOn(rule: FaultRule): void {
    this.faults.add(rule);
  }

  /** Throttle each request with probability `rate` (rds/throttling.ts); 0 turns it off. */
  throttle(rate: number, seed = 1): Throttling | undefined {
    this.throttling = rate > 0 ? new Throttling(rate, seed) : undefined;
    return this.throttling;
  }

  /**
   * The instance (or snapshot, cluster, cluster snapshot) under `identifier`,
   * or the next one created under it, never leaves its transitional status;
   * with `status`, it enters that status at once and stays there until an
   * operation moves it. An export task of that identifier stays in its status.
   */
  stick(identifier: string, status?: string): void {
    if (status === undefined && this.exports.stick(identifier)) return;
    stick(this.sim, identifier, status);
  }

  /**
   * Like `stick`, but only for the next instance, snapshot, cluster or cluster
   * snapshot that takes `identifier` (created under it or renamed to it), not
   * the one holding it now.
   */
  stickNext(identifier: string, status?: string): void {
    stickNext(this.sim, identifier, status);
  }

  /** An automated backup of the instance starts now: `backing-up` for `seconds`, then `available` (instances.ts). */
  backUp(identifier: string, seconds = this.durations.restoreBackup): void {
    startAutomatedBackup(this.sim, identifier, seconds);
  }

  // -------------------------------------------------------------------------
  // Inspection
  // -------------------------------------------------------------------------

  /** When the next status change is due by itself (simulated seconds; Infinity: none). Runs those due first. */
  nextChangeAt(): number {
    this.sim.advance();
    return Math.min(Infinity, ...this.sim.records.map(r => r.life.endsAt));
  }

  /**
   * Periods in which `identifier` had no reachable endpoint (an open one ends
   * now). `kind` picks the instance or the cluster endpoint of that name; by
   * default the cluster's when there ever was a cluster endpoint under it.
   */
  endpointDowntime(identifier: string, kind?: 'instance' | 'cluster'): { from: number; to: number; seconds: number }[] {
    this.sim.advance();
    const id = identifier.toLowerCase();
    const cluster = (kind ?? (this.endpointEvents.some(e => e.identifier === id && e.kind === 'cluster') ? 'cluster' : 'instance')) === 'cluster';
    const out: { from: number; to: number; seconds: number }[] = [];
    let from: number | undefined;
    for (const e of this.endpointEvents.filter(x => x.identifier === id && (x.kind === 'cluster') === cluster)) {
      if (!e.reachable && from === undefined) from = e.at;
      if (e.reachable && from !== undefined) {
        out.push({ from, to: e.at, seconds: e.at - from });
        from = undefined;
      }
    }
    if (from !== undefined) out.push({ from, to: this.clock.elapsed, seconds: this.clock.elapsed - from });
    return out;
  }

  instance(identifier: string): DBInstance | undefined {
    this.sim.advance();
    const rec = this.sim.findInstance(identifier.toLowerCase());
    return rec && viewInstance(this.sim, rec);
  }

  snapshot(identifier: string): DBSnapshot | undefined {
    this.sim.advance();
    const rec = this.sim.findSnapshot(identifier.toLowerCase());
    return rec && viewSnapshot(this.sim, rec);
  }

  instances(): DBInstance[] {
    this.sim.advance();
    return this.sim.instanceRecords().map(r => viewInstance(this.sim, r));
  }

  snapshots(): DBSnapshot[] {
    this.sim.advance();
    return this.sim.snapshotRecords().map(r => viewSnapshot(this.sim, r));
  }

  cluster(identifier: string): DBCluster | undefined {
    this.sim.advance();
    const rec = this.sim.findCluster(identifier.toLowerCase());
    return rec && viewCluster(this.sim, rec);
  }

  clusters(): DBCluster[] {
    this.sim.advance();
    return this.sim.clusterRecords().map(r => viewCluster(this.sim, r));
  }

  clusterSnapshot(identifier: string): DBClusterSnapshot | undefined {
    this.sim.advance();
    const rec = this.sim.findClusterSnapshot(identifier.toLowerCase());
    return rec && viewClusterSnapshot(this.sim, rec);
  }

  clusterSnapshots(): DBClusterSnapshot[] {
    this.sim.advance();
    return this.sim.clusterSnapshotRecords().map(r => viewClusterSnapshot(this.sim, r));
  }

  /** The DBInstanceIdentifier of the cluster's writer, if it has one. */
  writer(clusterIdentifier: string): string | undefined {
    this.sim.advance();
    const rec = this.sim.findCluster(clusterIdentifier.toLowerCase());
    return rec && this.sim.membersOf(rec).find(m => m.writer)?.data.DBInstanceIdentifier;
  }

  /** Automated backups retained after their DB was deleted, while their retention period lasts. */
  retainedAutomatedBackups(): RetainedAutomatedBackup[] {
    return this.sim.retained.filter(b => this.clock.elapsed < b.retainedAt + b.retentionPeriod * 86400).map(b => ({ ...b }));
  }

  /** Calls other than Describe* / List*. */
  mutatingCalls(): SimCall[] {
    return this.calls.filter(c => !/^(Describe|List)/.test(c.command));
  }

  // -------------------------------------------------------------------------
  // Seeding
  // -------------------------------------------------------------------------

  /** Seed an instance (default 'available'); spec values replace the defaults. */
  addInstance(spec: InstanceSpec): DBInstance {
    return seedInstance(this.sim, spec);
  }

  /**
   * Seed a DB cluster (default 'available', no members); spec values replace
   * the defaults. Aurora (aurora-postgresql, aurora-mysql; EngineMode
   * 'provisioned' or 'serverless' for Serverless v1) or a Multi-AZ DB cluster
   * (postgres, mysql with DBClusterInstanceClass).
   */
  addCluster(spec: ClusterSpec): DBCluster {
    return seedCluster(this.sim, spec);
  }

  /**
   * Seed a member instance of an existing cluster (default 'available'; the
   * engine is the cluster's). The first available member of a cluster with no
   * writer becomes its writer.
   */
  addClusterInstance(spec: ClusterInstanceSpec): DBInstance {
    return seedClusterInstance(this.sim, spec);
  }

  /** Seed a manual cluster snapshot (default 'available') of the named cluster as it is now. */
  addClusterSnapshot(spec: ClusterSnapshotSpec): DBClusterSnapshot {
    return seedClusterSnapshot(this.sim, spec);
  }

  /** Seed a manual snapshot (default 'available') of the named instance as it is now. */
  addSnapshot(spec: SnapshotSpec): DBSnapshot {
    return seedSnapshot(this.sim, spec);
  }

  /** Seed an automated snapshot (`rds:<id>-<time>`) of the named instance or cluster as it is now, dated `at`; returns its name. */
  addAutomatedSnapshot(spec: { identifier: string; isCluster?: boolean; at: Date; status?: string }): string {
    return seedAutomatedSnapshot(this.sim, spec);
  }

  /** Seed a snapshot of another account, shared with `sharedWith` (rds/copies.ts). */
  addSharedSnapshot(spec: SharedSnapshotSpec): void {
    seedSharedSnapshot(this.sim, spec);
  }

  /** Seed a KMS key of another account whose key policy allows `allowedAccounts` (rds/kms.ts). */
  addForeignKey(arn: string, allowedAccounts: string[]): void {
    addForeignKey(this.sim.env, arn, allowedAccounts);
  }

  /** For the IAM check: the key policy of a key of another account, if seeded. */
  keyPolicy(arn: string): unknown {
    const allowed = foreignKeyAccounts(this.sim.env, arn);
    return allowed && foreignKeyPolicy(arn, allowed);
  }

  // -------------------------------------------------------------------------
  // Dispatch
  // -------------------------------------------------------------------------

  private async dispatch(command: unknown): Promise<object> {
    const name = commandName(command);
    const input = (command as { input?: any })?.input ?? {};
    this.sim.advance();
    const call: SimCall = { at: this.clock.elapsed, command: name, input: structuredClone(input) };
    this.calls.push(call);
    try {
      const handler = this.handlers[name];
      if (!handler) throw new Error(`RdsSimulator does not implement ${name}`);
      // IAM decides before the service acts (the IAM check is a gate).
      gateCall({ service: 'rds', action: name, input });
      // Throttling: the SDK retries a throttled request (every attempt is a request) until its attempts run out.
      this.throttling?.call(() => {
        this.calls.push({ ...call, error: 'ThrottlingException' });
        gateCall({ service: 'rds', action: name, input });
      });
      this.faults.inject(name, input);
      const output = handler(input);
      this.sim.electWriters();
      this.sim.syncEndpoints(this.clock.elapsed);
      return { $metadata: { httpStatusCode: 200 }, ...output };
    } catch (err) {
      call.error = (err as Error).name;
      throw err;
    }
  }
}
