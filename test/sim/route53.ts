import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { gateCall } from './aws-calls';
import type { SimClock } from './clock';
import type { EndpointEvent } from './rds-sim';

/**
 * An in-memory Route 53 (hosted zones, CNAME and other record sets, changes)
 * on the simulated clock, under the real SDK client (aws-sdk-client-mock, as
 * the RDS simulator). Every call passes the IAM gate (aws-calls.ts) first.
 * Rules, each from the page named:
 * - ChangeResourceRecordSets (API_ChangeResourceRecordSets): a batch is
 *   all-or-nothing; CREATE fails when the record set exists, DELETE unless it
 *   exists with the same values, UPSERT creates or replaces; the change is
 *   PENDING, then INSYNC. No CNAME at the zone apex, nor beside another record
 *   set of the same name (Developer Guide, "Choosing between alias and
 *   non-alias records"; RFC 1034 3.6.2). Unknown zone: NoSuchHostedZone (404).
 * - GetChange (API_GetChange): PENDING until every authoritative server has the
 *   change, then INSYNC. Route 53 says changes "generally propagate to all
 *   Route 53 name servers within 60 seconds" (API_ChangeResourceRecordSets):
 *   the simulator takes the 60 s (`insyncSeconds`; an assumption at the top of
 *   the range). Unknown change: NoSuchChange (404).
 * - ListResourceRecordSets (API_ListResourceRecordSets): record sets in order of
 *   their names with the labels reversed, then type, starting at `name`/`type`,
 *   at most `maxitems`.
 * Errors carry Route 53's codes as their names (API reference, Common Errors
 * and each action's Errors).
 */


export interface SimRecordSet { name: string; type: string; ttl?: number; values: string[] }

/** One change batch, as submitted. */
export interface SimChange {
  id: string;
  at: number;
  insyncAt: number;
  zoneId: string;
  changes: { action: string; record: SimRecordSet }[];
}

interface Zone { id: string; name: string; records: SimRecordSet[] }

class Route53Fault extends Error {
  readonly $fault = 'client';
  readonly $metadata: { httpStatusCode: number };
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Route 53's order: labels reversed (API_ListResourceRecordSets, "ordered by name ... with the labels reversed"). */
function sortKey(r: { name: string; type: string }): string {
  return `${norm(r.name).split('.').reverse().join('.')}\u0000${r.type}`;
}

export class Route53Simulator {
  /** Seconds from a change to INSYNC (see above). */
  insyncSeconds = 60;
  readonly changes: SimChange[] = [];
  /** Every call, as the API saw it. */
  readonly calls: { at: number; action: string; input: any }[] = [];
  private readonly zones = new Map<string, Zone>();
  private readonly faults: { action: string; code: string; times: number; when?: (input: any) => boolean }[] = [];
  private mock?: AwsStub<any, any, any>;

  constructor(readonly clock: SimClock) {}

  addZone(id: string, name: string): void {
    this.zones.set(id, { id, name: norm(name), records: [] });
  }

  /** A record set as it is now (seeded or changed by the pipeline). */
  record(zoneId: string, name: string, type = 'CNAME'): SimRecordSet | undefined {
    return this.zone(zoneId).records.find((r) => norm(r.name) === norm(name) && r.type === type);
  }

  /** Seed a record set (not a change: it has been in sync for ever). */
  putRecord(zoneId: string, record: SimRecordSet): void {
    const z = this.zone(zoneId);
    z.records = z.records.filter((r) => !(norm(r.name) === norm(record.name) && r.type === record.type));
    z.records.push({ ...record, name: `${norm(record.name)}.` });
    this.changes.push({ id: 'seed', at: this.clock.elapsed, insyncAt: this.clock.elapsed, zoneId, changes: [{ action: 'UPSERT', record }] });
  }

  /** The next `times` calls of `action` (matching `when`) fail with `code`. */
  failNext(action: string, code: string, times = 1, when?: (input: any) => boolean): void {
    this.faults.push({ action, code, times, when });
  }

  install(): void {
    this.uninstall();
    this.mock = mockClient(Route53Client);
    this.mock.on(ChangeResourceRecordSetsCommand).callsFake(async (input: any) => this.changeRecordSets(input));
    this.mock.on(ListResourceRecordSetsCommand).callsFake(async (input: any) => this.listRecordSets(input));
    this.mock.on(GetChangeCommand).callsFake(async (input: any) => this.getChange(input.Id));
  }

  uninstall(): void {
    this.mock?.restore();
    this.mock = undefined;
  }

  /**
   * Every value `name` had, and when clients may have resolved it: from the
   * change that set it until the change that replaced it was INSYNC plus the
   * value's TTL (resolvers keep an answer for its TTL).
   */
  valueWindows(name: string): { value: string; from: number; to: number }[] {
    const sets = this.changes.flatMap((c) => c.changes.filter((x) => norm(x.record.name) === norm(name) && x.record.type === 'CNAME')
      .map((x) => ({ c, x })));
    return sets.map(({ c, x }, i) => {
      const next = sets[i + 1];
      const to = next ? next.c.insyncAt + (x.record.ttl ?? 0) : this.clock.elapsed;
      return { value: norm(x.record.values[0]), from: c.at, to: x.action === 'DELETE' ? c.at : to };
    }).filter((w) => w.to > w.from);
  }

  /**
   * Periods in which a client resolving `name` may have been sent to an
   * endpoint that did not answer: for each value the name had (while clients
   * may hold it, `valueWindows`), the times its RDS endpoint was down
   * (the RDS simulator's endpoint events; the address's first label is the
   * identifier, `.cluster-` marks a cluster endpoint). Merged, in order.
   */
  downtime(name: string, endpointEvents: readonly EndpointEvent[]): { from: number; to: number; seconds: number }[] {
    const spans: [number, number][] = [];
    for (const w of this.valueWindows(name)) {
      const id = w.value.split('.')[0];
      const cluster = w.value.includes('.cluster-');
      let up = false;
      let since = w.from;
      for (const e of endpointEvents.filter((x) => x.identifier === id && (x.kind === 'cluster') === cluster)) {
        if (e.at <= w.from) {
          up = e.reachable;
          continue;
        }
        if (e.at >= w.to) break;
        if (!up && e.reachable) spans.push([since, e.at]);
        if (up && !e.reachable) since = e.at;
        up = e.reachable;
      }
      if (!up) spans.push([Math.max(since, w.from), w.to]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    const merged: { from: number; to: number; seconds: number }[] = [];
    for (const [a, b] of spans.filter(([x, y]) => y > x)) {
      const last = merged[merged.length - 1];
      if (last && a <= last.to) {
        last.to = Math.max(last.to, b);
        last.seconds = last.to - last.from;
      } else {
        merged.push({ from: a, to: b, seconds: b - a });
      }
    }
    return merged;
  }

  private zone(id: string): Zone {
    const z = this.zones.get(id.replace(/^\/?hostedzone\//, ''));
    if (!z) throw new Route53Fault('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404);
    return z;
  }

  private call(action: string, input: any): void {
    this.calls.push({ at: this.clock.elapsed, action, input });
    gateCall({ service: 'route53', action, input });
    const f = this.faults.find((x) => x.action === action && x.times > 0 && (!x.when || x.when(input)));
    if (f) {
      f.times -= 1;
      throw new Route53Fault(f.code, `simulated ${f.code}`);
    }
  }

  private changeRecordSets(input: any): object {
    const zoneId = String(input.HostedZoneId);
    const changes = (input.ChangeBatch?.Changes ?? []).map((c: any) => ({
      action: String(c.Action),
      record: {
        name: String(c.ResourceRecordSet?.Name),
        type: String(c.ResourceRecordSet?.Type),
        ttl: c.ResourceRecordSet?.TTL,
        values: (c.ResourceRecordSet?.ResourceRecords ?? []).map((r: any) => String(r.Value)),
      },
    })) as { action: string; record: SimRecordSet }[];
    this.call('ChangeResourceRecordSets', structuredClone(input));
    const zone = this.zone(zoneId);
    // all-or-nothing: every change is checked against the records as they become, then applied at once
    let records = [...zone.records];
    for (const { action, record } of changes) {
      const name = norm(record.name);
      const same = (r: SimRecordSet) => norm(r.name) === name && r.type === record.type;
      const existing = records.find(same);
      const label = `[name='${name}.', type='${record.type}']`;
      if (name !== zone.name && !name.endsWith(`.${zone.name}`)) throw new Route53Fault('InvalidChangeBatch', `RRSet with DNS name ${name}. is not permitted in zone ${zone.name}.`);
      if (record.type === 'CNAME' && name === zone.name) throw new Route53Fault('InvalidChangeBatch', `RRSet of type CNAME with DNS name ${name}. is not permitted at apex in zone ${zone.name}.`);
      if (action === 'CREATE' && existing) throw new Route53Fault('InvalidChangeBatch', `Tried to create resource record set ${label} but it already exists`);
      if (action === 'DELETE' && (!existing || JSON.stringify(existing.values) !== JSON.stringify(record.values) || existing.ttl !== record.ttl)) {
        throw new Route53Fault('InvalidChangeBatch', `Tried to delete resource record set ${label} but ${existing ? 'the values provided do not match the current values' : 'it was not found'}`);
      }
      if (action !== 'DELETE') {
        const conflict = records.find((r) => norm(r.name) === name && r.type !== record.type && (r.type === 'CNAME' || record.type === 'CNAME'));
        if (conflict) throw new Route53Fault('InvalidChangeBatch', `RRSet of type ${record.type} with DNS name ${name}. is not permitted because a conflicting RRSet of type ${conflict.type} with the same DNS name already exists in zone ${zone.name}.`);
      }
      records = records.filter((r) => !same(r));
      if (action !== 'DELETE') records.push({ ...record, name: `${name}.` });
    }
    zone.records = records;
    const id = `C${String(this.changes.length + 1).padStart(12, '0')}SIM`;
    const at = this.clock.elapsed;
    this.changes.push({ id, at, insyncAt: at + this.insyncSeconds, zoneId: zone.id, changes });
    return { ChangeInfo: this.changeInfo(id) };
  }

  private changeInfo(id: string) {
    const c = this.changes.find((x) => x.id === id)!;
    return { Id: `/change/${id}`, Status: this.clock.elapsed >= c.insyncAt ? 'INSYNC' : 'PENDING', SubmittedAt: new Date(this.clock.start.getTime() + c.at * 1000) };
  }

  /** GetChange takes the id with or without its `/change/` prefix (the SDK strips it). */
  private getChange(given: string): object {
    const id = String(given).replace(/^\/?change\//, '');
    this.call('GetChange', { Id: id });
    if (!this.changes.some((c) => c.id === id)) throw new Route53Fault('NoSuchChange', `A change with the specified change ID does not exist: ${id}`, 404);
    return { ChangeInfo: this.changeInfo(id) };
  }

  private listRecordSets(input: any): object {
    this.call('ListResourceRecordSets', structuredClone(input));
    const zone = this.zone(String(input.HostedZoneId));
    const start = input.StartRecordName ? sortKey({ name: input.StartRecordName, type: input.StartRecordType ?? '' }) : '';
    const max = Number(input.MaxItems ?? 300);
    const sorted = [...zone.records].sort((a, b) => sortKey(a).localeCompare(sortKey(b))).filter((r) => sortKey(r) >= start);
    return {
      ResourceRecordSets: sorted.slice(0, max).map((r) => ({
        Name: r.name, Type: r.type, ...(r.ttl === undefined ? {} : { TTL: r.ttl }), ResourceRecords: r.values.map((Value) => ({ Value })),
      })),
      IsTruncated: sorted.length > max,
      MaxItems: max,
    };
  }
}
