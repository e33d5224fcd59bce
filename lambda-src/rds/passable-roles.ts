import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { PipelineError } from './errors';

/**
 * The IAM roles a restore hands to RDS again: the enhanced-monitoring role
 * (`MonitoringRoleArn`) and the Active Directory role (`DomainIAMRoleName`).
 * RDS checks `iam:PassRole` on them against the caller (RDS User Guide,
 * "Setting up and enabling Enhanced Monitoring"; API_RestoreDBInstanceFromDBSnapshot,
 * DomainIAMRoleName). A role the pipeline may not pass would fail the restore
 * only after the original was renamed away, so the pre-flight refuses it first.
 */
export interface PassedRole {
  /** The role's ARN (monitoring) or name (directory: RDS takes a name). */
  readonly role: string;
  /** What passes it, for the message: "orders-db's enhanced monitoring". */
  readonly use: string;
}

export function rolesOfInstance(db: DBInstance, name = db.DBInstanceIdentifier): PassedRole[] {
  const roles: PassedRole[] = [];
  if ((db.MonitoringInterval ?? 0) > 0 && db.MonitoringRoleArn) roles.push({ role: db.MonitoringRoleArn, use: `${name}'s enhanced monitoring` });
  for (const d of db.DomainMemberships ?? []) {
    if (d.IAMRoleName) roles.push({ role: d.IAMRoleName, use: `${name}'s Active Directory domain ${d.Domain}` });
  }
  return roles;
}

export function rolesOfCluster(cluster: DBCluster, members: DBInstance[]): PassedRole[] {
  const name = cluster.DBClusterIdentifier;
  const roles: PassedRole[] = [];
  if ((cluster.MonitoringInterval ?? 0) > 0 && cluster.MonitoringRoleArn) roles.push({ role: cluster.MonitoringRoleArn, use: `${name}'s enhanced monitoring` });
  for (const d of cluster.DomainMemberships ?? []) {
    if (d.IAMRoleName) roles.push({ role: d.IAMRoleName, use: `${name}'s Active Directory domain ${d.Domain}` });
  }
  return [...roles, ...members.flatMap((m) => rolesOfInstance(m))];
}

/** A role ARN's name: the last segment of its path. */
const nameOf = (arnOrName: string) => arnOrName.split('/').pop();

/**
 * Refuse roles outside PASSABLE_ROLES (the ARNs of the construct's `passableRoles`):
 * an ARN must be listed; a directory role name must be the name of a listed ARN.
 * Without PASSABLE_ROLES (a handler run outside its construct) there is nothing to check.
 */
export function checkPassable(roles: PassedRole[]): void {
  if (!process.env.PASSABLE_ROLES) return;
  const passable = JSON.parse(process.env.PASSABLE_ROLES) as string[];
  const refused = roles.filter((r) => (r.role.startsWith('arn:')
    ? !passable.includes(r.role)
    : !passable.some((arn) => nameOf(arn) === r.role)));
  if (refused.length === 0) return;
  const list = refused.map((r) => `${r.role} (${r.use})`).filter((v, i, all) => all.indexOf(v) === i).join(', ');
  throw new PipelineError('RoleNotPassable',
    `The restore must pass ${list} to RDS, and this pipeline may not (passableRoles: ${passable.join(', ') || 'none'}). `
    + 'Add the role to the passableRoles prop of TrapheusRestore, then run again. Nothing was changed.');
}
