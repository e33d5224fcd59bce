/**
 * A resource's status over simulated time (the phase queue), the records the
 * simulator keeps, and the helpers every command shares: identifier rules,
 * Describe* filters and pagination.
 */
import { DBCluster, DBClusterSnapshot, DBInstance, DBSnapshot, Filter, RDSServiceException } from '@aws-sdk/client-rds';
import { rdsFault } from './faults';

// ===========================================================================
// Lifecycle: a resource's status over simulated time
// ===========================================================================

/** The status a deleted record ends in; the record is then dropped. */
export const GONE = 'deleted';

export interface Phase {
  status: string;
  /** undefined: a resting status, kept until the next operation */
  seconds?: number;
  /** effect when the phase begins */
  enter?: () => void;
}

export class Lifecycle {
  status: string;
  startedAt: number;
  /** when the current phase ends (Infinity: resting, or stuck) */
  endsAt = Infinity;
  private queue: Phase[] = [];
  private freezeArmed = false;

  constructor(status: string, at: number) {
    this.status = status;
    this.startedAt = at;
  }

  /** An operation is under way (its current phase will end by itself). */
  get busy(): boolean {
    return this.endsAt !== Infinity;
  }

  /** Drop whatever was queued; begin `phases[0]` at `at`, then the rest. */
  run(phases: Phase[], at: number): void {
    this.queue = [...phases];
    this.next(at);
  }

  /** End the current phase at `at` and begin the next one. */
  next(at: number): void {
    const phase = this.queue.shift();
    if (!phase) {
      this.endsAt = Infinity;
      return;
    }
    this.status = phase.status;
    this.startedAt = at;
    this.endsAt = phase.seconds === undefined ? Infinity : at + phase.seconds;
    if (this.freezeArmed && this.busy && phase.status !== 'available') {
      this.endsAt = Infinity;
      this.freezeArmed = false;
    }
    phase.enter?.();
  }

  /** Never leave the current transitional status, or the next one entered. */
  freeze(): void {
    if (this.busy && this.status !== 'available') this.endsAt = Infinity;
    else this.freezeArmed = true;
  }

  /** Fraction of the current phase done at `at` (0 when it never ends). */
  progress(at: number): number {
    return this.busy ? Math.min(1, (at - this.startedAt) / Math.max(1e-9, this.endsAt - this.startedAt)) : 0;
  }
}

// ===========================================================================
// Records
// ===========================================================================

export interface InstanceRecord {
  kind: 'instance';
  data: DBInstance;
  life: Lifecycle;
  /** ModifyDBInstance parameters waiting to be applied */
  pending: Record<string, unknown>;
  /** a requested rename (PendingModifiedValues.DBInstanceIdentifier) */
  renameTo?: string;
  /** the rename is under way: its target identifier is taken */
  renameReserved?: boolean;
  /** a member of a DB cluster (DBClusterIdentifier) that is its writer */
  writer?: boolean;
}

export interface SnapshotRecord {
  kind: 'snapshot';
  data: DBSnapshot;
  life: Lifecycle;
  /** what the snapshot knows of its source that DBSnapshot does not show */
  source: { DBInstanceClass?: string; DBName?: string };
}

export interface ClusterRecord {
  kind: 'cluster';
  /** DBClusterMembers, Status and MultiAZ are computed when viewed */
  data: DBCluster;
  life: Lifecycle;
  /** ModifyDBCluster parameters waiting for the maintenance window */
  pending: Record<string, unknown>;
  /** a rename requested without ApplyImmediately (PendingModifiedValues.DBClusterIdentifier) */
  renameTo?: string;
  /** DeleteDBCluster accepted while members were still being deleted: 'deleting' starts when the last one is gone */
  deleteRequested?: boolean;
}

export interface ClusterSnapshotRecord {
  kind: 'cluster-snapshot';
  data: DBClusterSnapshot;
  life: Lifecycle;
  /** the cluster as it was when the snapshot was taken (DatabaseName, ...) */
  source: DBCluster;
}

export type SimRecord = InstanceRecord | SnapshotRecord | ClusterRecord | ClusterSnapshotRecord;

export function identifierOf(r: SimRecord): string {
  switch (r.kind) {
    case 'instance': return r.data.DBInstanceIdentifier!;
    case 'snapshot': return r.data.DBSnapshotIdentifier!;
    case 'cluster': return r.data.DBClusterIdentifier!;
    case 'cluster-snapshot': return r.data.DBClusterSnapshotIdentifier!;
  }
}

// ===========================================================================
// Identifiers
// ===========================================================================

/**
 * RDS identifier rules (DB instance: 1-63, snapshot: 1-255 chars): a letter
 * first, then ASCII letters, digits and hyphens, no '--', no trailing '-'.
 * Source: the Constraints of DBInstanceIdentifier (API_CreateDBInstance) and
 * DBSnapshotIdentifier (API_CreateDBSnapshot); DB cluster and cluster snapshot
 * identifiers follow the same rules (API_CreateDBCluster,
 * API_CreateDBClusterSnapshot). Identifiers are not case-sensitive and RDS
 * stores them in lower case (API_CreateDBInstance), as the commands do.
 */
export function validIdentifier(id: unknown, max: number): id is string {
  return typeof id === 'string' && id.length >= 1 && id.length <= max
    && /^[a-zA-Z][a-zA-Z0-9-]*$/.test(id) && !id.includes('--') && !id.endsWith('-');
}

/** InvalidParameterValue (Common Errors) for an identifier outside those rules; the wording is assumed. */
export function invalidIdentifier(parameter: string): RDSServiceException {
  return rdsFault('InvalidParameterValue', `The parameter ${parameter} is not a valid identifier. Identifiers must begin `
    + 'with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain '
    + 'two consecutive hyphens.');
}

const MINSTD_MODULUS = 2147483647;

/** Deterministic "random" characters (Park-Miller MINSTD generator), so runs are reproducible. */
export function pseudoRandom(seed: number, length: number, alphabet: string): string {
  let x = (seed * 7919) % MINSTD_MODULUS || 1;
  let out = '';
  for (let k = 0; k < length; k++) {
    x = (x * 48271) % MINSTD_MODULUS;
    out += alphabet[Math.floor((x / MINSTD_MODULUS) * alphabet.length)];
  }
  return out;
}

export function hashOf(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % MINSTD_MODULUS;
  return h;
}

// ===========================================================================
// Describe*: filters and pages
// ===========================================================================

/**
 * The values each filter name of a Describe* call matches: the "Supported
 * filters" of each page's Filters parameter (API_DescribeDBInstances,
 * API_DescribeDBSnapshots, API_DescribeDBClusters, API_DescribeDBClusterSnapshots;
 * a table lists the ones the simulator implements). An unknown name is refused
 * with InvalidParameterValue (wording assumed); matching ignores case (assumed).
 */
export type FilterTable<T> = Record<string, (x: T) => (string | undefined)[]>;

export function applyFilters<T>(items: T[], filters: Filter[] | undefined, table: FilterTable<T>): T[] {
  let out = items;
  for (const f of filters ?? []) {
    const values = table[f.Name ?? ''];
    if (!values) throw rdsFault('InvalidParameterValue', `Unrecognized filter name: ${f.Name}`);
    const wanted = new Set((f.Values ?? []).map(v => v.toLowerCase()));
    out = out.filter(x => values(x).some(v => v !== undefined && wanted.has(v.toLowerCase())));
  }
  return out;
}

/**
 * MaxRecords / Marker paging as RDS does it (API_DescribeDBInstances, MaxRecords:
 * "Default: 100. Constraints: Minimum 20, maximum 100."). The Marker is opaque;
 * its encoding here is the simulator's own.
 */
export function paginate<T>(items: T[], input: { MaxRecords?: number; Marker?: string }): { page: T[]; Marker?: string } {
  const max = input.MaxRecords ?? 100;
  if (max < 20 || max > 100) {
    throw rdsFault('InvalidParameterValue', `Invalid value ${max} for MaxRecords. Must be between 20 and 100`);
  }
  const start = input.Marker ? Number(Buffer.from(input.Marker, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw rdsFault('InvalidParameterValue', 'Invalid marker');
  const end = start + max;
  return { page: items.slice(start, end), ...(end < items.length ? { Marker: Buffer.from(String(end)).toString('base64') } : {}) };
}

export function commandName(command: unknown): string {
  return ((command as { constructor?: { name?: string } })?.constructor?.name ?? 'UnknownCommand').replace(/Command$/, '');
}
