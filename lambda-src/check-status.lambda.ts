import { DBInstance } from '@aws-sdk/client-rds';
import { WAIT_TIMED_OUT } from '../src/error-names';
import { nextInterval, PollPolicy, usefulExpectation } from '../src/poll-schedule';
import { CLUSTER_STATUS_ADVICE, clusterMembers, clusterStatusEnds, findCluster, findClusterByResourceId } from './rds/clusters';
import { PipelineError } from './rds/errors';
import { exportCondition, findExport } from './rds/exports';
import { findInstance, findInstanceByResourceId, stillPending } from './rds/instances';
import { logged } from './rds/log';
import { snapshotKind } from './rds/snapshots';
import { InstanceListing, recentClusters, recentInstances, recentSnapshots } from './rds/status-cache';
import { isReady, isStuck, Readiness, statusRule } from './rds/statuses';
import { historyKey, median, readHistoryItem, recordDuration } from './rds/wait-history';

/** How a wait polls: seconds, from the construct's props. */
export type { PollPolicy };

export interface WaitProgress {
  /** Seconds waited so far (including the Wait just done). */
  readonly elapsed: number;
  /** The Wait before this check, in seconds. */
  readonly interval: number;
  /** The durations this step took in its last runs for this database, read at the first check (undefined before it). */
  readonly history?: number[];
  /** The duration this wait expects, from `history` (undefined: no useful history, back-off). */
  readonly expected?: number;
  /** The last wait of this step was ended by an RDS event (read with `history`): its learned sleep may count on one. */
  readonly reported?: boolean;
  /**
   * The sleep before this check was a callback task: woken by an RDS event,
   * its output (`slept`: seconds it lasted, less than `interval`); timed out or
   * failed, the error. Absent after a Wait state.
   */
  readonly woken?: { slept?: number };
}

export interface CheckEvent {
  /** What is waited for, in words, for messages: "renamed instance". */
  readonly subject: string;
  /** `export`: a snapshot export task (`identifier`), done when COMPLETE (`until: 'available'`). */
  readonly resource: 'instance' | 'instances' | 'snapshot' | 'cluster-snapshot' | 'cluster' | 'export';
  readonly identifier?: string;
  /** `instances`: the identifiers that must all meet the condition. */
  readonly identifiers?: string[];
  /**
   * With `available`: the instance or cluster must be this one (found by resource id when there is no identifier).
   * With `gone`: the identifier also counts as free when this one holds it.
   */
  readonly resourceId?: string;
  /** `cluster` with `available`: the members it must have, all available. */
  readonly members?: string[];
  /**
   * `available`, `modifiable`, `serving` (instances): the readiness the step after
   * the wait needs (see `Readiness` in rds/statuses.ts); clusters and snapshots: `available`.
   * `settled`: in a status RDS will not leave by itself. `gone`: the identifier is free.
   * `empty` (clusters): no members left, or no cluster, or it is the one with `resourceId`.
   */
  readonly until: Readiness | 'settled' | 'gone' | 'empty';
  /**
   * Instances: ModifyDBInstance parameters applied immediately that must have
   * left PendingModifiedValues (the `changed` list of apply-config).
   */
  readonly pending?: string[];
  readonly wait: WaitProgress;
  readonly policy: PollPolicy;
  /** The database of the execution (its input `identifier`): with it, the wait learns from its history. */
  readonly database?: string;
  /** The least interval between checks (the job's `pace`: a fleet's targets poll less often, RDS's request budget). */
  readonly pace?: number;
  /** RDS events may end this wait's long sleeps (callback tasks): a learned wait sleeps to its expected end in one go. */
  readonly wakeable?: boolean;
  /** When this check began (the Task state's entered time, ISO 8601): the age of a fleet's shared instance listing. */
  readonly now?: string;
}

/** The next `wait`: the progress, the history and expectation carried to the next check, and whether the wait is over. */
export interface CheckResult extends WaitProgress {
  readonly done: boolean;
  readonly status: string;
}

interface State { done: boolean; status: string }

function instanceCondition(e: CheckEvent, db: DBInstance | undefined, name: string): State {
  const status = db ? db.DBInstanceStatus ?? 'unknown' : 'absent';
  const isExpected = !e.resourceId || db?.DbiResourceId === e.resourceId;
  switch (e.until) {
    case 'gone':
    case 'empty':
      return { done: !db || (!!e.resourceId && isExpected), status };
    case 'settled':
      return { done: !db || statusRule(db.DBInstanceStatus).ends !== 'by itself', status };
    case 'available':
    case 'modifiable':
    case 'serving': {
      if (db && isExpected && isStuck(status)) {
        throw new PipelineError('DBInstanceFailed', `The ${e.subject} ${name} entered status ${status}, which it will not leave by itself${ADVICE[status] ?? ''}.`);
      }
      if (!db || !isExpected) return { done: false, status: db ? `${status} (another DB instance)` : status };
      const pending = stillPending(db, e.pending ?? []);
      const renaming = !!db.PendingModifiedValues?.DBInstanceIdentifier;
      return {
        done: isReady(status, e.until) && !renaming && pending.length === 0,
        status: pending.length > 0 ? `${status}, ${pending.join(', ')} pending` : status,
      };
    }
  }
}

/** What RDS says to do about a status, where the user guide says it. */
const ADVICE: Record<string, string> = {
  // RDS User Guide, "Viewing Amazon RDS DB instance status"
  'insufficient-capacity': ': RDS has no capacity for its instance class in its Availability Zone; '
    + 'delete it and try again in a few hours, or with another instance class or Availability Zone',
};

/**
 * A fleet's target (its job's `pace`, set from the fleet's size) reads its
 * instances from the fleet's shared listing (rds/status-cache.ts), fetched
 * after this wait began; a single target, and a check an RDS event woke
 * (the event is news the listing may predate), describe the instance itself.
 */
function sharing(e: CheckEvent): { now: number; notBefore: number } | undefined {
  if (!(e.pace && e.pace > 0) || typeof e.wait.woken?.slept === 'number' || !e.now) return undefined;
  const now = Math.floor(Date.parse(e.now) / 1000);
  return Number.isFinite(now) ? { now, notBefore: now - e.wait.elapsed - e.wait.interval } : undefined;
}

async function sharedListing(e: CheckEvent): Promise<InstanceListing | undefined> {
  const s = sharing(e);
  return s && recentInstances(s.now, s.notBefore);
}

async function instanceState(e: CheckEvent): Promise<State> {
  const shared = await sharedListing(e);
  const db = shared
    ? (e.identifier ? shared.byIdentifier(e.identifier) : shared.byResourceId(e.resourceId!))
    : e.identifier ? await findInstance(e.identifier) : await findInstanceByResourceId(e.resourceId!);
  return instanceCondition(e, db, db?.DBInstanceIdentifier ?? e.identifier ?? e.resourceId!);
}

/** Every instance in `identifiers` meets the condition (no resource-id check: they are many). */
async function instancesState(e: CheckEvent): Promise<State> {
  const shared = await sharedListing(e);
  const states: string[] = [];
  let done = true;
  for (const id of e.identifiers ?? []) {
    const s = instanceCondition({ ...e, resourceId: undefined }, shared ? shared.byIdentifier(id) : await findInstance(id), id);
    if (!s.done) done = false;
    states.push(`${id} ${s.status}`);
  }
  return { done, status: states.join(', ') || 'no instances' };
}

async function snapshotState(e: CheckEvent): Promise<State> {
  const kind = snapshotKind(e.resource === 'cluster-snapshot');
  // a fleet's target: a DB snapshot of this account (not an ARN) from the shared listing
  const share = e.resource === 'snapshot' && !e.identifier!.includes(':') ? sharing(e) : undefined;
  const listed = share && await recentSnapshots(share.now, share.notBefore);
  const s = listed ? listed.get(e.identifier!.toLowerCase()) : await kind.find(e.identifier!);
  const status = s?.status ?? 'absent';
  if (e.until === 'gone') return { done: !s, status };
  if (status === 'failed' || status === 'error' || (e.until === 'available' && !s)) {
    throw new PipelineError('SnapshotFailed', `The ${e.subject} ${e.identifier} is ${status}.`);
  }
  return { done: status === 'available', status };
}

async function clusterState(e: CheckEvent): Promise<State> {
  const share = sharing(e);
  const listed = share && await recentClusters(share.now, share.notBefore);
  const cluster = listed
    ? (e.identifier ? listed.byIdentifier(e.identifier) : listed.byResourceId(e.resourceId!))
    : e.identifier ? await findCluster(e.identifier) : await findClusterByResourceId(e.resourceId!);
  const status = cluster ? cluster.Status ?? 'unknown' : 'absent';
  const isExpected = !e.resourceId || cluster?.DbClusterResourceId === e.resourceId;
  const name = cluster?.DBClusterIdentifier ?? e.identifier ?? e.resourceId;
  switch (e.until) {
    case 'gone':
      return { done: !cluster || (!!e.resourceId && isExpected), status };
    case 'empty': {
      const left = cluster?.DBClusterMembers?.length ?? 0;
      return { done: !cluster || (!!e.resourceId && isExpected) || left === 0, status: `${status}, ${left} members` };
    }
    case 'settled':
      return { done: !cluster || clusterStatusEnds(status) !== 'by itself', status };
    // Clusters: every readiness is exactly `available` (see CLUSTER_STATUSES).
    case 'available':
    case 'modifiable':
    case 'serving': {
      if (cluster && isExpected && clusterStatusEnds(status) === 'never') {
        throw new PipelineError('DBClusterFailed',
          `The ${e.subject} ${name} entered status ${status}, which it will not leave by itself${CLUSTER_STATUS_ADVICE[status] ?? ''}.`);
      }
      if (!cluster || !isExpected || status !== 'available') {
        return { done: false, status: cluster && !isExpected ? `${status} (another DB cluster)` : status };
      }
      // a fleet's target: the members from the shared instance listing (those it lists under the cluster's members)
      const instances = listed && await sharedListing(e);
      const members = instances
        ? (cluster.DBClusterMembers ?? []).map((m) => instances.byIdentifier(m.DBInstanceIdentifier!)).filter((m): m is DBInstance => !!m)
        : await clusterMembers(cluster);
      const byId = new Map(members.map((m) => [m.DBInstanceIdentifier!, m]));
      const wanted = e.members ?? [...byId.keys()];
      const pending = wanted
        .map((id) => ({ id, state: instanceCondition({ ...e, resourceId: undefined }, byId.get(id), id) }))
        .filter((m) => !m.state.done)
        .map((m) => `${m.id} ${m.state.status}`);
      return { done: pending.length === 0, status: pending.length ? `available; members: ${pending.join(', ')}` : 'available' };
    }
  }
}

/** A snapshot export: COMPLETE ends the wait; FAILED or canceled fails it at once, with RDS's FailureCause. */
async function exportState(e: CheckEvent): Promise<State> {
  return exportCondition(e.subject, e.identifier!, await findExport(e.identifier!));
}

/** How a wait's condition reads in a message. */
const UNTIL_WORDS: Partial<Record<CheckEvent['until'], string>> = { modifiable: 'available for changes' };

function minutes(seconds: number): string {
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${Math.round(seconds / 60)} min`;
}

const STATES: Record<CheckEvent['resource'], (e: CheckEvent) => Promise<State>> = {
  'instance': instanceState,
  'instances': instancesState,
  'snapshot': snapshotState,
  'cluster-snapshot': snapshotState,
  'cluster': clusterState,
  'export': exportState,
};

/**
 * The one status check every wait uses. It says whether the wait is over, and
 * the next poll interval (back-off); past the maximum wait it raises
 * `WaitTimedOut`, which sends the execution to its failure path.
 */
export const handler = logged('check-status', async (e: CheckEvent): Promise<CheckResult> => {
  const { done, status } = await STATES[e.resource](e);
  // A sleep an RDS event ended early lasted `slept`, not the whole interval.
  const slept = typeof e.wait.woken?.slept === 'number' ? Math.min(e.wait.interval, Math.max(0, e.wait.woken.slept)) : e.wait.interval;
  const elapsed = e.wait.elapsed + slept;
  if (!done && elapsed >= e.policy.maxWait) {
    const what = e.identifier ?? e.identifiers?.join(', ') ?? e.resourceId;
    throw new PipelineError(WAIT_TIMED_OUT, `Waited ${minutes(elapsed)} for the ${e.subject} ${what} to be ${e.resource === 'export' ? 'complete' : UNTIL_WORDS[e.until] ?? e.until}; it is still ${status}.`);
  }
  const key = e.database ? historyKey(e.database, e.subject) : undefined;
  // The history is read once, at the first check; the result carries it to the next checks.
  const item = e.wait.history === undefined && key ? await readHistoryItem(key) : undefined;
  const history = e.wait.history ?? item?.durations;
  const reported = e.wait.reported ?? item?.reported ?? false;
  const typical = median(history ?? []);
  const expected = e.wait.expected ?? (usefulExpectation(e.policy, typical) ? typical : undefined);
  // How long the wait took (to the check that saw it done): what the next run of this step expects.
  // Ended right after an RDS event woke it: the next run of this step may sleep until that event.
  if (done && key) await recordDuration(key, history ?? [], elapsed, typeof e.wait.woken?.slept === 'number');
  const interval = Math.max(e.pace ?? 0, nextInterval(e.policy, { elapsed, interval: e.wait.interval, expected, wakeable: e.wakeable && reported }));
  return {
    done,
    status,
    elapsed,
    interval,
    ...(history ? { history } : {}),
    ...(expected !== undefined ? { expected } : {}),
    ...(reported ? { reported } : {}),
  };
});
