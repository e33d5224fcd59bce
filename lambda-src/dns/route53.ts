import { createHash, createHmac } from 'crypto';

/**
 * The three Route 53 calls the DNS cutover makes, over Route 53's REST/XML API
 * (API version 2013-04-01), signed with Signature Version 4 (service
 * `route53`, Region us-east-1: Route 53 is global). The package carries no
 * Route 53 SDK client, so this is a small one: the request and response
 * shapes are those of the API reference pages named on each call. Credentials
 * are the function's role's, from the environment Lambda sets
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the endpoint
 * is AWS_ENDPOINT_URL_ROUTE_53 if set, as the SDK reads it.
 */

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

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

/** A Route 53 error response: its Code as the name (InvalidChangeBatch, Throttling, PriorRequestNotComplete, NoSuchHostedZone...). */
export class Route53Error extends Error {
  constructor(name: string, message: string, readonly status: number) {
    super(message);
    this.name = name;
  }
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
/** RFC 3986 encoding, as Signature Version 4 wants it. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Signature Version 4 headers for a request (IAM User Guide, "Create a signed AWS API request"):
 * canonical request, string to sign, the derived signing key, the Authorization header.
 */
export function signV4(method: string, url: URL, body: string, headers: Record<string, string>, now = new Date(), service = 'route53', region = 'us-east-1'): Record<string, string> {
  const accessKey = process.env.AWS_ACCESS_KEY_ID;
  const secret = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKey || !secret) throw new Route53Error('CredentialsProviderError', 'No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)', 0);
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const signed: Record<string, string> = { ...headers, 'host': url.host, 'x-amz-date': amzDate };
  if (process.env.AWS_SESSION_TOKEN) signed['x-amz-security-token'] = process.env.AWS_SESSION_TOKEN;
  const names = Object.keys(signed).map((k) => k.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
  const query = [...url.searchParams].map(([k, v]) => [encode(k), encode(v)]).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  const canonical = [
    method,
    url.pathname.split('/').map(encode).join('/'),
    query.map(([k, v]) => `${k}=${v}`).join('&'),
    names.map((n) => `${n}:${lower[n].trim()}\n`).join(''),
    names.join(';'),
    sha256(body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return { ...signed, authorization: `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** The text of each `<tag>` element in `xml`, in order. */
function all(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);
}

function one(xml: string, tag: string): string | undefined {
  const v = all(xml, tag)[0];
  return v === undefined ? undefined : unescapeXml(v.trim());
}

/** A zone id as Route 53 returns it (`/hostedzone/Z123`) or bare (`Z123`) → `Z123`. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

/** A DNS name as Route 53 compares it: lowercase, no trailing dot. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function changeChangeInfo(xml: string): ChangeInfo {
  return { id: one(xml, 'Id')!, status: one(xml, 'Status')! };
}

export class Route53Api {
  private readonly endpoint: string;

  constructor() {
    this.endpoint = (process.env.AWS_ENDPOINT_URL_ROUTE_53 ?? process.env.AWS_ENDPOINT_URL ?? 'https://route53.amazonaws.com').replace(/\/$/, '');
  }

  /**
   * ChangeResourceRecordSets (API_ChangeResourceRecordSets): POST
   * /2013-04-01/hostedzone/{Id}/rrset/ with a ChangeResourceRecordSetsRequest.
   * The batch is all-or-nothing; the change starts PENDING.
   */
  async changeRecordSets(zoneId: string, changes: Change[], comment: string): Promise<ChangeInfo> {
    const body = `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="${NS}"><ChangeBatch>`
      + `<Comment>${escapeXml(comment)}</Comment><Changes>${changes.map((c) => `<Change><Action>${c.action}</Action><ResourceRecordSet>`
        + `<Name>${escapeXml(c.record.name)}</Name><Type>${c.record.type}</Type>${c.record.ttl === undefined ? '' : `<TTL>${c.record.ttl}</TTL>`}`
        + `<ResourceRecords>${c.record.values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords>`
        + '</ResourceRecordSet></Change>').join('')}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;
    return changeChangeInfo(await this.send('POST', `/2013-04-01/hostedzone/${bareZoneId(zoneId)}/rrset/`, {}, body));
  }

  /**
   * The record set `name` of `type`, if it exists: ListResourceRecordSets
   * (API_ListResourceRecordSets) starting at that name and type, one item
   * (the list starts there, or at the next record when there is none).
   */
  async findRecordSet(zoneId: string, name: string, type: string): Promise<RecordSet | undefined> {
    const xml = await this.send('GET', `/2013-04-01/hostedzone/${bareZoneId(zoneId)}/rrset`, { name, type, maxitems: '1' });
    for (const set of all(xml, 'ResourceRecordSet')) {
      const found: RecordSet = {
        name: one(set, 'Name')!,
        type: one(set, 'Type')!,
        ttl: one(set, 'TTL') === undefined ? undefined : Number(one(set, 'TTL')),
        values: all(set, 'Value').map((v) => unescapeXml(v.trim())),
      };
      if (normalizeName(found.name) === normalizeName(name) && found.type === type) return found;
    }
    return undefined;
  }

  /** GetChange (API_GetChange): GET /2013-04-01/change/{Id}; PENDING until every authoritative server has it, then INSYNC. */
  async getChange(id: string): Promise<ChangeInfo> {
    return changeChangeInfo(await this.send('GET', `/2013-04-01/change/${id.replace(/^\/?change\//, '')}`, {}));
  }

  private async send(method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: string): Promise<string> {
    const url = new URL(this.endpoint + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers = signV4(method, url, body ?? '', body !== undefined ? { 'content-type': 'application/xml' } : {});
    // fetch sets Host itself (a forbidden header name for it); the signature covers the same value
    delete headers.host;
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    if (!response.ok) {
      // Route 53's error shape: <ErrorResponse><Error><Code>…</Code><Message>…</Message></Error>; InvalidChangeBatch lists <Messages>
      const code = one(text, 'Code') ?? (text.includes('<InvalidChangeBatch') ? 'InvalidChangeBatch' : `HTTP${response.status}`);
      const message = one(text, 'Message') ?? (all(text, 'Message').join('; ') || text.slice(0, 300));
      throw new Route53Error(code, message, response.status);
    }
    return text;
  }
}

let api: Route53Api | undefined;

/** The client every DNS step uses (made on first use, as the RDS client is). */
export function route53(): Route53Api {
  api ??= new Route53Api();
  return api;
}
