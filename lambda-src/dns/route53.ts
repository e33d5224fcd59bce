import {
  ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, Route53Client, RRType,
} from '@aws-sdk/client-route-53';

/**
 * The three Route 53 calls the DNS cutover makes, through the AWS SDK's
 * Route 53 client with the default configuration (credentials and endpoint
 * from the environment; Route 53 is global, its endpoint signs for us-east-1).
 */

export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly values: string[];
}

export interface ChangeInfo {
  /** `/change/C2682N5HXP0BZ4`. */
  readonly id: string;
  /** PENDING or INSYNC. */
  readonly status: string;
}

export interface Change {
  readonly action: 'CREATE' | 'UPSERT' | 'DELETE';
  readonly record: RecordSet;
}

/** A zone id as Route 53 returns it (`/hostedzone/Z123`) or bare (`Z123`) → `Z123`. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

/** A DNS name as Route 53 compares it: lowercase, no trailing dot. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export class Route53Api {
  private readonly client = new Route53Client({});

  /** ChangeResourceRecordSets (API_ChangeResourceRecordSets): the batch is all-or-nothing; the change starts PENDING. */
  async changeRecordSets(zoneId: string, changes: Change[], comment: string): Promise<ChangeInfo> {
    const out = await this.client.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: bareZoneId(zoneId),
      ChangeBatch: {
        Comment: comment,
        Changes: changes.map((c) => ({
          Action: c.action,
          ResourceRecordSet: {
            Name: c.record.name,
            Type: c.record.type as RRType,
            TTL: c.record.ttl,
            ResourceRecords: c.record.values.map((Value) => ({ Value })),
          },
        })),
      },
    }));
    return { id: out.ChangeInfo!.Id!, status: out.ChangeInfo!.Status! };
  }

  /**
   * The record set `name` of `type`, if it exists: ListResourceRecordSets
   * (API_ListResourceRecordSets) starting at that name and type, one item
   * (the list starts there, or at the next record when there is none).
   */
  async findRecordSet(zoneId: string, name: string, type: string): Promise<RecordSet | undefined> {
    const out = await this.client.send(new ListResourceRecordSetsCommand({
      HostedZoneId: bareZoneId(zoneId), StartRecordName: name, StartRecordType: type as RRType, MaxItems: 1,
    }));
    const set = (out.ResourceRecordSets ?? []).find((r) => normalizeName(r.Name ?? '') === normalizeName(name) && r.Type === type);
    return set && { name: set.Name!, type: set.Type!, ttl: set.TTL, values: (set.ResourceRecords ?? []).map((r) => r.Value!) };
  }

  /** GetChange (API_GetChange): PENDING until every authoritative server has the change, then INSYNC. */
  async getChange(id: string): Promise<ChangeInfo> {
    const out = await this.client.send(new GetChangeCommand({ Id: id.replace(/^\/?change\//, '') }));
    return { id: out.ChangeInfo!.Id!, status: out.ChangeInfo!.Status! };
  }
}

let api: Route53Api | undefined;

/** The client every DNS step uses (made on first use, as the RDS client is). */
export function route53(): Route53Api {
  api ??= new Route53Api();
  return api;
}
