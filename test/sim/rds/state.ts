/**
 * The state every part of the simulator shares: the clock and durations, the
 * records, and what follows from them over time (phase boundaries, cluster
 * writers, endpoint reachability). The command modules are functions of it.
 */
import { DBCluster, DBInstance, DBSubnetGroup } from '@aws-sdk/client-rds';
import { SimClock } from '../clock';
import { Env, HOSTED_ZONE_ID } from './engines';
import { applyStick, rdsFault, STATE_RULES } from './faults';
import { ClusterRecord, ClusterSnapshotRecord, GONE, identifierOf, InstanceRecord, SimRecord, SnapshotRecord } from './lifecycle';
import {
  availabilityZones, clusterAddress, instanceAddress, madeUpSubnetGroup, RdsArnType, rdsArn, resourceId,
} from './names';
import { DEFAULT_DURATIONS, EndpointEvent, RetainedAutomatedBackup, SimDurations, StatusChange } from './types';

/**
 * Statuses in which an instance's endpoint accepts connections. Status names: RDS User Guide,
 * "Viewing instance status"; which of them serve is assumed from their descriptions there.
 */
const REACHABLE = new Set(['available', 'backing-up', 'modifying', 'configuring-enhanced-monitoring',
  'configuring-log-exports', 'storage-optimization']);
/** Cluster statuses in which the cluster (writer) endpoint accepts connections, given a reachable writer (assumed; names: Aurora User Guide, "Viewing DB cluster status"). */
const CLUSTER_REACHABLE = new Set(['available', 'modifying', 'backing-up']);

export interface SimOptions { clock?: SimClock; durations?: Partial<SimDurations>; region?: string; accountId?: string }

export class SimState {
  readonly clock: SimClock;
  readonly durations: SimDurations;
  readonly region: string;
  readonly accountId: string;
  /** What setters and defaults need (region, account, now, subnet groups). */
  readonly env: Env;
  readonly endpointEvents: EndpointEvent[] = [];
  /** Every status a record entered at the end of a phase, stamped with the moment (the waits' "ready" moments). */
  readonly statusChanges: StatusChange[] = [];
  records: SimRecord[] = [];
  /** Sticks waiting for the next record to take an identifier (see faults.ts). */
  readonly pendingSticks = new Map<string, { status?: string }>();
  readonly knownSubnetGroups = new Map<string, DBSubnetGroup>();
  readonly retained: RetainedAutomatedBackup[] = [];
  private readonly reachable = new Map<string, boolean>();
  private readonly clusterReachable = new Map<string, boolean>();
  private resourceCounter = 0;

  constructor(opts: SimOptions = {}) {
    this.clock = opts.clock ?? new SimClock();
    this.durations = { ...DEFAULT_DURATIONS, ...opts.durations };
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.env = {
      region: this.region,
      accountId: this.accountId,
      now: () => this.clock.now(),
      subnetGroup: name => this.subnetGroup(name),
    };
  }

  // -------------------------------------------------------------------------
  // Finding records
  // -------------------------------------------------------------------------

  instanceRecords(): InstanceRecord[] {
    return this.records.filter((r): r is InstanceRecord => r.kind === 'instance');
  }

  snapshotRecords(): SnapshotRecord[] {
    return this.records.filter((r): r is SnapshotRecord => r.kind === 'snapshot');
  }

  clusterRecords(): ClusterRecord[] {
    return this.records.filter((r): r is ClusterRecord => r.kind === 'cluster');
  }

  clusterSnapshotRecords(): ClusterSnapshotRecord[] {
    return this.records.filter((r): r is ClusterSnapshotRecord => r.kind === 'cluster-snapshot');
  }

  findInstance(id: string): InstanceRecord | undefined {
    return this.instanceRecords().find(r => r.data.DBInstanceIdentifier === id);
  }

  findSnapshot(id: string): SnapshotRecord | undefined {
    return this.snapshotRecords().find(r => r.data.DBSnapshotIdentifier === id);
  }

  findCluster(id: string): ClusterRecord | undefined {
    return this.clusterRecords().find(r => r.data.DBClusterIdentifier === id);
  }

  findClusterSnapshot(id: string): ClusterSnapshotRecord | undefined {
    return this.clusterSnapshotRecords().find(r => r.data.DBClusterSnapshotIdentifier === id);
  }

  /** An identifier is taken by an instance using it or by a rename under way to it. */
  instanceIdTaken(id: string): boolean {
    return this.instanceRecords().some(r => r.data.DBInstanceIdentifier === id || (r.renameReserved && r.renameTo === id));
  }

  /** The instances whose DBClusterIdentifier is the cluster's current identifier, by identifier. */
  membersOf(rec: ClusterRecord): InstanceRecord[] {
    return this.instanceRecords()
      .filter(r => r.data.DBClusterIdentifier === rec.data.DBClusterIdentifier)
      .sort((a, b) => identifierOf(a).localeCompare(identifierOf(b)));
  }

  /** The cluster an instance belongs to, if it is a member of an existing one. */
  clusterOf(rec: InstanceRecord): ClusterRecord | undefined {
    return rec.data.DBClusterIdentifier === undefined ? undefined : this.findCluster(rec.data.DBClusterIdentifier);
  }

  /**
   * The record a request names, by identifier or ARN (API_DescribeDBInstances, DBInstanceIdentifier: "The
   * user-supplied instance identifier or the Amazon Resource Name (ARN)"). Not found: the fault each page lists under
   * Errors (DBInstanceNotFound, DBSnapshotNotFound, DBClusterNotFoundFault, DBClusterSnapshotNotFoundFault); a
   * missing parameter: MissingParameter (Common Errors). The messages' wording is assumed.
   */
  requireInstance(identifier: unknown): InstanceRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', 'The request must contain the parameter DBInstanceIdentifier');
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.instanceRecords().find(r => r.data.DBInstanceArn === identifier)
      : this.findInstance(id);
    if (!rec) throw rdsFault('DBInstanceNotFoundFault', `DBInstance ${identifier} not found.`);
    return rec;
  }

  requireSnapshot(identifier: unknown): SnapshotRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', 'The request must contain the parameter DBSnapshotIdentifier');
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.snapshotRecords().find(r => r.data.DBSnapshotArn === identifier)
      : this.findSnapshot(id);
    if (!rec) throw rdsFault('DBSnapshotNotFoundFault', `DBSnapshot not found: ${identifier}`);
    return rec;
  }

  requireCluster(identifier: unknown): ClusterRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', 'The request must contain the parameter DBClusterIdentifier');
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.clusterRecords().find(r => r.data.DBClusterArn === identifier)
      : this.findCluster(id);
    if (!rec) throw rdsFault('DBClusterNotFoundFault', `DBCluster ${identifier} not found.`);
    return rec;
  }

  requireClusterSnapshot(identifier: unknown, parameter = 'DBClusterSnapshotIdentifier'): ClusterSnapshotRecord {
    if (identifier === undefined) throw rdsFault('MissingParameter', `The request must contain the parameter ${parameter}`);
    const id = String(identifier).toLowerCase();
    const rec = id.startsWith('arn:')
      ? this.clusterSnapshotRecords().find(r => r.data.DBClusterSnapshotArn === identifier)
      : this.findClusterSnapshot(id);
    if (!rec) throw rdsFault('DBClusterSnapshotNotFoundFault', `DBClusterSnapshot ${identifier} not found.`);
    return rec;
  }

  /** Apply the STATE_RULES row `rule` to a record, throwing its fault. */
  checkState(rule: string, rec: SimRecord): void {
    const r = STATE_RULES[rule];
    const status = rec.kind === 'cluster' && rec.deleteRequested ? 'deleting' : rec.life.status;
    // 'available' with an operation under way: the gap before a rename starts
    const inFlight = r.inFlight === false && status === 'available' && rec.life.busy;
    if (!r.allowed.includes(status) || inFlight) {
      throw rdsFault(r.fault, r.message(identifierOf(rec), inFlight ? `${status} with an operation in progress` : status));
    }
  }

  /** Give `rec` the identifier `id` (ARN and endpoint follow); a stick waiting for `id` applies. */
  claim(rec: SimRecord, id: string): void {
    if (rec.kind === 'instance') {
      rec.data.DBInstanceIdentifier = id;
      rec.data.DBInstanceArn = this.arn('db', id);
      rec.data.Endpoint = { ...rec.data.Endpoint, Address: this.address(id), HostedZoneId: HOSTED_ZONE_ID };
    } else if (rec.kind === 'snapshot') {
      rec.data.DBSnapshotIdentifier = id;
      rec.data.DBSnapshotArn = this.arn('snapshot', id);
    } else if (rec.kind === 'cluster') {
      // the members follow the cluster's identifier
      const old = rec.data.DBClusterIdentifier;
      if (old !== undefined && old !== id) {
        for (const m of this.instanceRecords()) if (m.data.DBClusterIdentifier === old) m.data.DBClusterIdentifier = id;
      }
      rec.data.DBClusterIdentifier = id;
      rec.data.DBClusterArn = this.arn('cluster', id);
      rec.data.Endpoint = this.clusterAddress(id);
      rec.data.ReaderEndpoint = this.clusterAddress(id, true);
    } else {
      rec.data.DBClusterSnapshotIdentifier = id;
      rec.data.DBClusterSnapshotArn = this.arn('cluster-snapshot', id);
    }
    const stick = this.pendingSticks.get(id);
    if (stick) {
      this.pendingSticks.delete(id);
      applyStick(rec, stick.status, this.clock.elapsed);
    }
  }

  // -------------------------------------------------------------------------
  // Time
  // -------------------------------------------------------------------------

  /** Run every phase boundary up to clock.elapsed, in time order. */
  advance(): void {
    const now = this.clock.elapsed;
    for (;;) {
      const t = Math.min(...this.records.map(r => r.life.endsAt));
      if (!(t <= now)) return;
      for (let due = this.dueAt(t); due; due = this.dueAt(t)) {
        const from = due.life.status;
        due.life.next(t);
        this.statusChanges.push({ at: t, kind: due.kind, identifier: identifierOf(due), status: due.life.status, from });
        // in time order, so the first member to become available is the writer
        this.electWriters();
      }
      this.records = this.records.filter(r => r.life.status !== GONE);
      this.startClusterDeletes(t);
      this.electWriters();
      this.syncEndpoints(t);
    }
  }

  dueAt(t: number): SimRecord | undefined {
    return this.records.find(r => r.life.endsAt <= t);
  }

  /** Record a change of reachability of any identifier's endpoint, stamped `at`. */
  syncEndpoints(at: number): void {
    const instances = this.instanceRecords();
    const ids = new Set([...this.reachable.keys(), ...instances.map(identifierOf)]);
    for (const id of [...ids].sort()) {
      const up = instances.some(r => identifierOf(r) === id && REACHABLE.has(r.life.status));
      if (up !== (this.reachable.get(id) ?? false)) {
        this.reachable.set(id, up);
        this.endpointEvents.push({ at, identifier: id, reachable: up });
      }
    }
    const clusters = this.clusterRecords();
    const clusterIds = new Set([...this.clusterReachable.keys(), ...clusters.map(identifierOf)]);
    for (const id of [...clusterIds].sort()) {
      const up = clusters.some(r => identifierOf(r) === id && this.clusterEndpointUp(r));
      if (up !== (this.clusterReachable.get(id) ?? false)) {
        this.clusterReachable.set(id, up);
        this.endpointEvents.push({ at, identifier: id, reachable: up, kind: 'cluster' });
      }
    }
  }

  /** The cluster (writer) endpoint answers: cluster available/modifying/backing-up with a reachable writer. */
  clusterEndpointUp(rec: ClusterRecord): boolean {
    return CLUSTER_REACHABLE.has(rec.life.status) && this.membersOf(rec).some(m => m.writer && REACHABLE.has(m.life.status));
  }

  /**
   * A cluster with no writer gets one: its first member to be available, or
   * on a failover the available reader with the lowest PromotionTier (ties:
   * the lowest identifier). Failover is instant here.
   * Source: Aurora User Guide, "Fault tolerance for an Aurora DB cluster" (the
   * lowest tier first; within a tier the largest replica, then an arbitrary
   * one: the lowest identifier stands for "arbitrary"). The first instance
   * created in a cluster is its writer (Aurora User Guide, "Creating an Amazon
   * Aurora DB cluster"). The instant failover is an assumption.
   */
  electWriters(): void {
    for (const c of this.clusterRecords()) {
      const members = this.membersOf(c);
      if (members.some(m => m.writer)) continue;
      const ready = members
        .filter(m => m.life.status === 'available')
        .sort((a, b) => (a.data.PromotionTier ?? 1) - (b.data.PromotionTier ?? 1) || identifierOf(a).localeCompare(identifierOf(b)));
      if (ready.length) ready[0].writer = true;
    }
  }

  /** A cluster whose DeleteDBCluster waited for its deleting members starts 'deleting' when the last one is gone. */
  startClusterDeletes(at: number): void {
    for (const c of this.clusterRecords()) {
      if (c.deleteRequested && this.membersOf(c).length === 0) {
        c.deleteRequested = false;
        c.life.run([{ status: 'deleting', seconds: this.durations.clusterDelete }, { status: GONE }], at);
      }
    }
  }

  /**
   * Keep the automated backups of a DB being deleted when asked to (and it has any): DeleteAutomatedBackups of
   * API_DeleteDBInstance and API_DeleteDBCluster (the default removes them); kept until their retention period ends
   * (RDS User Guide, "Retaining automated backups").
   */
  retainBackups(kind: 'instance' | 'cluster', data: DBInstance | DBCluster, deleteAutomatedBackups: boolean | undefined): void {
    const days = data.BackupRetentionPeriod ?? 0;
    if (deleteAutomatedBackups !== false || days <= 0) return;
    this.retained.push({
      kind,
      identifier: kind === 'instance' ? (data as DBInstance).DBInstanceIdentifier! : (data as DBCluster).DBClusterIdentifier!,
      resourceId: kind === 'instance' ? (data as DBInstance).DbiResourceId! : (data as DBCluster).DbClusterResourceId!,
      retentionPeriod: days,
      retainedAt: this.clock.elapsed,
    });
  }

  // -------------------------------------------------------------------------
  // Names
  // -------------------------------------------------------------------------

  /** RDS User Guide, "Amazon Resource Names (ARNs) in Amazon RDS" (names.ts). */
  arn(type: RdsArnType, id: string): string {
    return rdsArn(this.region, this.accountId, type, id);
  }

  address(id: string): string {
    return instanceAddress(this.region, id);
  }

  /** The cluster (writer) endpoint, or with `reader` the reader endpoint. */
  clusterAddress(id: string, reader = false): string {
    return clusterAddress(this.region, id, reader);
  }

  newResourceId(): string {
    return resourceId('db', ++this.resourceCounter);
  }

  newClusterResourceId(): string {
    return resourceId('cluster', ++this.resourceCounter);
  }

  availabilityZones(): string[] {
    return availabilityZones(this.region);
  }

  /** A subnet group by name: one seen on a seeded instance, else a made-up one in its own VPC. */
  subnetGroup(name: string): DBSubnetGroup {
    const known = this.knownSubnetGroups.get(name);
    return known ? structuredClone(known) : madeUpSubnetGroup(this.region, name);
  }
}
