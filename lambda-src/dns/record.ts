import { normalizeName, route53 } from './route53';
import { RDS_THROTTLED } from '../../src/error-names';
import { findCluster } from '../rds/clusters';
import { classify, isFault, PipelineError } from '../rds/errors';
import { findInstance } from '../rds/instances';
import { stagingIdentifier } from '../rds/naming';

/**
 * The record a DNS alias cutover manages (cutover `Cutover.dnsAlias()`): the
 * construct gives it in the environment, checked and normalized at synth.
 */
export interface DnsRecord {
  readonly zoneId: string;
  /** Lowercase, no trailing dot (as IAM's condition key compares it). */
  readonly name: string;
  readonly ttl: number;
}

export function dnsRecord(): DnsRecord {
  const zoneId = process.env.DNS_ZONE_ID;
  const name = process.env.DNS_RECORD_NAME;
  if (!zoneId || !name) throw new PipelineError('DnsAliasNotConfigured', 'This function has no DNS_ZONE_ID / DNS_RECORD_NAME: the pipeline was not built with Cutover.dnsAlias().');
  return { zoneId, name, ttl: Number(process.env.DNS_TTL ?? '30') };
}

/**
 * The two identifiers a DNS alias database alternates between: the logical
 * identifier (the input's) and `<identifier>-trapheus-new`. The record says
 * which one serves; the restore goes to the other.
 */
export function alternates(identifier: string): [string, string] {
  return [identifier, stagingIdentifier(identifier)];
}

export interface Endpoint { readonly address?: string; readonly resourceId?: string; readonly status?: string }

/** The endpoint (address) clients reach a DB instance by, or a cluster's writer endpoint; undefined when it does not exist. */
export async function endpointOf(identifier: string, isCluster: boolean): Promise<Endpoint | undefined> {
  if (isCluster) {
    const c = await findCluster(identifier);
    return c && { address: c.Endpoint, resourceId: c.DbClusterResourceId, status: c.Status };
  }
  const db = await findInstance(identifier);
  return db && { address: db.Endpoint?.Address, resourceId: db.DbiResourceId, status: db.DBInstanceStatus };
}

/**
 * A Route 53 fault as the state machine sees it: throttling (Throttling,
 * PriorRequestNotComplete: "the zone is busy, back off and retry",
 * Route 53 Developer Guide, DNSLimitations) is retried like RDS throttling;
 * anything else keeps its code.
 */
export function dnsFault(err: unknown, context: string): PipelineError {
  if (isFault(err, 'Throttling', 'PriorRequestNotComplete')) {
    return new PipelineError(RDS_THROTTLED, `${context}: ${(err as Error).name}: ${(err as Error).message}`);
  }
  return classify(err, context);
}

/** UPSERT the record to `value` (API_ChangeResourceRecordSets: creates it if missing, updates it otherwise). */
export async function pointRecordAt(record: DnsRecord, value: string, comment: string): Promise<string> {
  try {
    const change = await route53().changeRecordSets(record.zoneId, [{
      action: 'UPSERT',
      record: { name: record.name, type: 'CNAME', ttl: record.ttl, values: [normalizeName(value)] },
    }], comment);
    return change.id;
  } catch (err) {
    throw dnsFault(err, `Pointing ${record.name} at ${value}`);
  }
}

/** The record's current value (its one CNAME value, normalized), or undefined when it does not exist. */
export async function recordValue(record: DnsRecord): Promise<string | undefined> {
  try {
    const set = await route53().findRecordSet(record.zoneId, record.name, 'CNAME');
    return set?.values[0] === undefined ? undefined : normalizeName(set.values[0]);
  } catch (err) {
    throw dnsFault(err, `Reading the record ${record.name}`);
  }
}
