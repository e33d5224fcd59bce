import type { DBInstance } from '@aws-sdk/client-rds';
import { snapshotIdentifier, TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import {
  fullyConfiguredCluster, fullyConfiguredInstance, fullyConfiguredMember, seedPipelineSnapshot,
} from '../../test/sim/fixtures';
import { engineInfo } from '../../test/sim/rds/engines';
import type { RdsSimulator } from '../../test/sim/rds-sim';

/** The engines `simulate` can generate a database of (the simulator models more; these are configured fully). */
export const INSTANCE_ENGINES = ['postgres', 'mysql', 'mariadb'] as const;
export const CLUSTER_ENGINES = ['aurora-postgresql', 'aurora-mysql'] as const;

export interface DatabaseSpec {
  readonly identifier: string;
  readonly isCluster: boolean;
  /** @default postgres, or aurora-postgresql for a cluster */
  readonly engine?: string;
  /** @default the simulator's default version of the engine */
  readonly engineVersion?: string;
  /** @default db.r6g.large */
  readonly instanceClass?: string;
  /**
   * The role ARNs the pipeline may pass to RDS (its functions' PASSABLE_ROLES):
   * the database's monitoring role is the first, its directory role the second;
   * without them, it has no enhanced monitoring or directory.
   * @default the fixtures' roles
   */
  readonly passableRoles?: string[];
}

/** Enhanced monitoring with the first role the pipeline may pass, or none. */
function monitoring(roles: string[] | undefined): { MonitoringInterval?: number; MonitoringRoleArn?: string } {
  if (!roles) return {};
  return roles[0] ? { MonitoringRoleArn: roles[0] } : { MonitoringInterval: 0, MonitoringRoleArn: undefined };
}

/** The Active Directory domain with the second role the pipeline may pass, or none. */
function domain(roles: string[] | undefined): Partial<DBInstance> {
  if (!roles) return {};
  return { DomainMemberships: roles[1] ? [{ Domain: 'd-9067a1b2c3', Status: 'joined', IAMRoleName: roles[1].split('/').pop() }] : undefined };
}

/** CloudWatch Logs exports each engine family accepts (RDS User Guide, "Publishing database logs to Amazon CloudWatch Logs"). */
const LOG_EXPORTS: Record<string, string[]> = { postgres: ['postgresql', 'upgrade'], mysql: ['error', 'slowquery'] };
const WEEK_AGO = '2026-01-02T08:00:00Z';

/**
 * A database under `spec.identifier` configured as a production one is (every
 * setting the pipeline must carry set to a non-default value: the simulator's
 * fixtures), of the requested engine, tagged restorable, with last week's
 * pipeline snapshot (what `db_restore` restores). Returns what it made, in a line.
 */
export function seedDatabase(sim: RdsSimulator, spec: DatabaseSpec, pipelineId: string): string {
  const engine = spec.engine ?? (spec.isCluster ? CLUSTER_ENGINES[0] : INSTANCE_ENGINES[0]);
  const allowed: readonly string[] = spec.isCluster ? CLUSTER_ENGINES : INSTANCE_ENGINES;
  if (!allowed.includes(engine)) {
    throw new Error(`--engine ${engine}: a ${spec.isCluster ? 'cluster' : 'DB instance'} is generated as one of ${allowed.join(', ')}`
      + (spec.isCluster ? '' : ' (add --cluster for Aurora)'));
  }
  const info = engineInfo(engine);
  const version = spec.engineVersion ?? info.version;
  const instanceClass = spec.instanceClass ?? 'db.r6g.large';
  const logs = LOG_EXPORTS[info.family];
  if (!spec.isCluster) {
    const overrides: Partial<DBInstance> = {
      Engine: engine,
      EngineVersion: version,
      DBInstanceClass: instanceClass,
      EnabledCloudwatchLogsExports: logs,
    };
    if (engine !== 'postgres') {
      overrides.Endpoint = { Port: info.port };
      overrides.DBParameterGroups = [{ DBParameterGroupName: `${spec.identifier}-params`, ParameterApplyStatus: 'in-sync' }];
      overrides.OptionGroupMemberships = [{ OptionGroupName: `${spec.identifier}-options`, Status: 'in-sync' }];
    }
    // No Kerberos (directory) authentication for MariaDB (RDS User Guide, "Supported Regions and DB
    // engines for Kerberos authentication in Amazon RDS"), and Extended Support is for MySQL and
    // PostgreSQL only (RDS User Guide, "Amazon RDS Extended Support").
    if (engine === 'mariadb') overrides.EngineLifecycleSupport = undefined;
    Object.assign(overrides, monitoring(spec.passableRoles), engine === 'mariadb' ? { DomainMemberships: undefined } : domain(spec.passableRoles));
    sim.addInstance(fullyConfiguredInstance(spec.identifier, overrides));
    seedPipelineSnapshot(sim, spec.identifier, pipelineId, WEEK_AGO);
    return `DB instance ${spec.identifier}: ${engine} ${version}, ${instanceClass}, Multi-AZ, encrypted, tagged restorable; last week's pipeline snapshot`;
  }
  sim.addCluster(fullyConfiguredCluster(spec.identifier, {
    Engine: engine,
    EngineVersion: version,
    Port: info.port,
    EnabledCloudwatchLogsExports: info.family === 'postgres' ? ['postgresql'] : ['error', 'slowquery'],
    DBClusterParameterGroup: `${spec.identifier}-cluster-params`,
    ...monitoring(spec.passableRoles),
  }));
  const member = (n: number, extra: Partial<DBInstance>) => sim.addClusterInstance(fullyConfiguredMember(`${spec.identifier}-${n}`, spec.identifier, {
    Engine: engine,
    DBInstanceClass: instanceClass,
    DBParameterGroups: [{ DBParameterGroupName: `${spec.identifier}-member-params`, ParameterApplyStatus: 'in-sync' }],
    ...monitoring(spec.passableRoles),
    ...extra,
  }));
  member(1, {});
  member(2, { AvailabilityZone: 'us-east-1b', PromotionTier: 1 });
  sim.addClusterSnapshot({
    DBClusterSnapshotIdentifier: snapshotIdentifier(spec.identifier, WEEK_AGO),
    DBClusterIdentifier: spec.identifier,
    SnapshotCreateTime: new Date(WEEK_AGO),
    Tags: [{ Key: TAG_SOURCE, Value: spec.identifier }, { Key: TAG_PIPELINE, Value: pipelineId }],
  });
  return `Aurora cluster ${spec.identifier}: ${engine} ${version}, writer and one reader (${instanceClass}), encrypted, tagged restorable; last week's pipeline snapshot`;
}
