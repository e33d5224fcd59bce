import { Duration, Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';

/** Props of `Cutover.dnsAlias()`: the Route 53 record clients connect through. */
export interface DnsAliasCutoverProps {
  /** The hosted zone (public or private) that holds the record. */
  readonly hostedZone: route53.IHostedZone;
  /**
   * The record clients connect to, e.g. `orders-db.example.internal`: a
   * CNAME the pipeline manages. A name without the zone's name at its end
   * gets it appended (when the zone's name is known). Not the zone apex (a
   * CNAME cannot be there). Letters, digits, hyphens, underscores and dots.
   */
  readonly recordName: string;
  /**
   * The record's TTL: how long clients may keep using the previous value after
   * a switch. At most 60 seconds.
   * @default Duration.seconds(30)
   */
  readonly ttl?: Duration;
  /**
   * How long the previous database keeps serving after the record has switched
   * (and Route 53 reports the change INSYNC), for clients that still hold the
   * old value or an open connection; then it goes by `oldDatabase`. At least `ttl`.
   * @default Duration.minutes(5)
   */
  readonly drain?: Duration;
}

/**
 * How a restore hands the database over to clients. An enum-like class:
 *
 * ```ts
 * import { Cutover, TrapheusRestore } from 'trapheus-cdk';
 *
 * new TrapheusRestore(stack, 'Restore', { cutover: Cutover.RESTORE_THEN_SWAP });
 * ```
 */
export class Cutover {
  /**
   * Rename the original out of the way, then restore the snapshot under its
   * identifier (the order the RDS documentation describes). The endpoint is
   * down for the whole restore.
   */
  public static readonly RENAME_FIRST = new Cutover('rename-first');

  /**
   * Restore the snapshot under a staging identifier (`<id>-trapheus-new`),
   * apply and verify its configuration (an Aurora cluster: with all its
   * members), and only then rename the original out of the way and the staged
   * database into its identifier. The endpoint is down only for the renames;
   * both databases exist during the restore.
   */
  public static readonly RESTORE_THEN_SWAP = new Cutover('restore-then-swap');

  /**
   * Clients connect through a Route 53 CNAME that the pipeline manages. The
   * snapshot is restored beside the serving database under the other of two
   * identifiers (`<identifier>` and `<identifier>-trapheus-new`, in turn),
   * configured and verified (and run through `afterRestore`); then the record
   * is switched to it, and the previous database serves for `drain` before it
   * goes by `oldDatabase`. The first run for a database whose record does not
   * exist creates it (pointing at `<identifier>`) and restores nothing.
   */
  public static dnsAlias(props: DnsAliasCutoverProps): Cutover {
    return new Cutover('dns-alias', props);
  }

  /** The mode, as the execution output and the CLI name it: `rename-first`, `restore-then-swap`, `dns-alias`. */
  public readonly value: string;

  /**
   * The record settings (`dnsAlias` only).
   * @default - not a DNS alias cutover
   */
  public readonly dnsRecord?: DnsAliasCutoverProps;

  private constructor(value: string, dnsRecord?: DnsAliasCutoverProps) {
    this.value = value;
    this.dnsRecord = dnsRecord;
  }

  /** The mode's name. */
  public toString(): string {
    return this.value;
  }
}

/** The cutover prop. */
export interface CutoverOptions {
  /**
   * How a restore hands the database over to clients (DB instances and Aurora clusters).
   * @default Cutover.RENAME_FIRST
   */
  readonly cutover?: Cutover;
}

/** A DNS alias cutover as the pipeline builds it: checked and normalized at synth. */
export interface ResolvedDnsAlias {
  readonly hostedZone: route53.IHostedZone;
  /** As IAM's `route53:ChangeResourceRecordSetsNormalizedRecordNames` compares it: lowercase, no trailing dot. */
  readonly recordName: string;
  readonly ttlSeconds: number;
  readonly drainSeconds: number;
}

export const MAX_DNS_TTL_SECONDS = 60;

function seconds(d: Duration, prop: string): number {
  if (d.isUnresolved()) throw new Error(`cutover: Cutover.dnsAlias() ${prop} must be a concrete duration, not a token`);
  const s = d.toSeconds({ integral: false });
  if (!Number.isInteger(s)) throw new Error(`cutover: Cutover.dnsAlias() ${prop} must be whole seconds (got ${d.toHumanString()})`);
  return s;
}

/** The DNS alias settings, checked (at synth), or undefined for the other cutovers. */
export function resolveDnsAlias(options: CutoverOptions): ResolvedDnsAlias | undefined {
  const cutover = options.cutover;
  if (cutover !== undefined && !(cutover instanceof Cutover)) {
    throw new Error(`cutover must be a Cutover (Cutover.RENAME_FIRST, Cutover.RESTORE_THEN_SWAP, Cutover.dnsAlias({...})), not ${JSON.stringify(cutover)}`);
  }
  const props = cutover?.dnsRecord;
  if (!props) return undefined;
  const ttlSeconds = seconds(props.ttl ?? Duration.seconds(30), 'ttl');
  if (ttlSeconds < 1 || ttlSeconds > MAX_DNS_TTL_SECONDS) {
    throw new Error(`cutover: Cutover.dnsAlias() ttl must be 1 to ${MAX_DNS_TTL_SECONDS} seconds (got ${ttlSeconds} s): `
      + 'clients keep the old value for up to the TTL after a switch');
  }
  const drainSeconds = seconds(props.drain ?? Duration.minutes(5), 'drain');
  if (drainSeconds < ttlSeconds || drainSeconds > 24 * 3600) {
    throw new Error(`cutover: Cutover.dnsAlias() drain must be at least the ttl (${ttlSeconds} s) and at most 24 hours (got ${drainSeconds} s)`);
  }
  if (Token.isUnresolved(props.recordName)) throw new Error('cutover: Cutover.dnsAlias() recordName must be a literal name, not a token (IAM names it)');
  let name = props.recordName.trim().toLowerCase().replace(/\.$/, '');
  let zoneName: string | undefined;
  try {
    zoneName = Token.isUnresolved(props.hostedZone.zoneName) ? undefined : props.hostedZone.zoneName.toLowerCase().replace(/\.$/, '');
  } catch {
    zoneName = undefined; // HostedZone.fromHostedZoneId: the zone's name is not known
  }
  if (zoneName && name !== zoneName && !name.endsWith(`.${zoneName}`)) name = `${name}.${zoneName}`;
  if (zoneName && name === zoneName) {
    throw new Error(`cutover: Cutover.dnsAlias() recordName "${props.recordName}" is the zone apex, where a CNAME cannot be: use a name under ${zoneName}`);
  }
  // Other characters would need Route 53's \NNN escapes in the IAM condition (Route 53 Developer Guide, specifying-rrset-conditions).
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(name) || name.length > 253) {
    throw new Error(`cutover: Cutover.dnsAlias() recordName "${props.recordName}" must be a fully qualified name of letters, digits, hyphens and underscores, with dots between labels`);
  }
  return { hostedZone: props.hostedZone, recordName: name, ttlSeconds, drainSeconds };
}
