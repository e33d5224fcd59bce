/**
 * Engines and the values RDS gives by default (versions, ports, licences,
 * default parameter and option groups), and the attribute shapes instances
 * and clusters share (security groups, certificates, KMS keys, log exports).
 */
import { CertificateDetails, DBSubnetGroup } from '@aws-sdk/client-rds';

export const HOSTED_ZONE_ID = 'Z2R2ITUGPM61AM';
/** The CA RDS gives new DB instances (RDS User Guide, "Using SSL/TLS to encrypt a connection to a DB instance or cluster"). */
export const DEFAULT_CA = 'rds-ca-rsa2048-g1';
/** The DNS zone part of cluster endpoints (…cluster-<this> / …cluster-ro-<this>). */
export const CLUSTER_DNS = 'c1abcdefghij';

export interface EngineInfo { family: 'postgres' | 'mysql' | 'oracle' | 'sqlserver'; version: string; port: number; license: string }

/**
 * Default version, port and licence per engine (by name prefix). Ports: the
 * default of each engine (API_CreateDBInstance, Port). Licences: the valid
 * values of LicenseModel (API_CreateDBInstance). Versions: assumed recent
 * defaults (they change over time).
 */
export const ENGINES: [prefix: string, info: EngineInfo][] = [
  ['aurora-postgresql', { family: 'postgres', version: '16.4', port: 5432, license: 'postgresql-license' }],
  ['aurora-mysql', { family: 'mysql', version: '8.0.mysql_aurora.3.08.0', port: 3306, license: 'general-public-license' }],
  ['postgres', { family: 'postgres', version: '16.3', port: 5432, license: 'postgresql-license' }],
  ['mysql', { family: 'mysql', version: '8.0.39', port: 3306, license: 'general-public-license' }],
  ['mariadb', { family: 'mysql', version: '10.11.9', port: 3306, license: 'general-public-license' }],
  ['oracle', { family: 'oracle', version: '19.0.0.0.ru-2024-07.rur-2024-07.r1', port: 1521, license: 'bring-your-own-license' }],
  ['sqlserver', { family: 'sqlserver', version: '15.00.4385.2.v1', port: 1433, license: 'license-included' }],
];

export function engineInfo(engine: string): EngineInfo {
  const found = ENGINES.find(([prefix]) => engine.startsWith(prefix));
  if (!found) {
    throw new Error(`RdsSimulator: engine '${engine}' is not simulated (postgres, mysql, mariadb, oracle-*, sqlserver-*, aurora-postgresql, aurora-mysql)`);
  }
  return found[1];
}

export const isAurora = (engine: string | undefined): boolean => engine?.startsWith('aurora') ?? false;

/** '16' for postgres 16.3, '8.0' for mysql 8.0.39 and 8.0.mysql_aurora.3.08.0, '19' for oracle, '15' for SQL Server 15.00. */
export function majorVersion(engine: string, version: string): string {
  const parts = version.split('.');
  return engineInfo(engine).family === 'mysql' ? `${parts[0]}.${parts[1]}` : String(Number(parts[0]));
}

/**
 * The engine's default DB parameter group: default.postgres16, default.mysql8.0, default.oracle-ee-19,
 * default.sqlserver-se-15.0; for Aurora also the default DB cluster parameter group: default.aurora-postgresql16.
 * Source: RDS User Guide, "Parameter groups for Amazon RDS" (default.<parameter group family>).
 */
export function defaultParameterGroup(engine: string, version: string): string {
  const major = majorVersion(engine, version);
  switch (engineInfo(engine).family) {
    case 'postgres': case 'mysql': return `default.${engine}${major}`;
    case 'oracle': return `default.${engine}-${major}`;
    case 'sqlserver': return `default.${engine}-${major}.0`;
  }
}

/** The engine's default option group: default:postgres-16, default:mysql-8-0, default:oracle-ee-19, default:sqlserver-se-15-00 (RDS User Guide, "Working with option groups"). */
export function defaultOptionGroup(engine: string, version: string): string {
  const major = majorVersion(engine, version);
  return engineInfo(engine).family === 'sqlserver' ? `default:${engine}-${major}-00` : `default:${engine}-${major.replace('.', '-')}`;
}

export const vpcSecurityGroup = (id: string) => ({ VpcSecurityGroupId: id, Status: 'active' });
export const parameterGroup = (name: string) => ({ DBParameterGroupName: name, ParameterApplyStatus: 'in-sync' });
export const optionGroup = (name: string) => ({ OptionGroupName: name, Status: 'in-sync' });

/** What the setters and defaults need from the simulator. */
export interface Env {
  region: string;
  accountId: string;
  now(): Date;
  subnetGroup(name: string): DBSubnetGroup;
}

/** The server certificate of a CA (API_CertificateDetails); its 395-day validity is assumed. */
export function certificate(ca: string, env: Env): CertificateDetails {
  return { CAIdentifier: ca, ValidTill: new Date(env.now().getTime() + 395 * 86400_000) };
}

/** The AWS managed key (aws/rds) RDS uses when no KMS key is given (RDS User Guide, "AWS KMS key management"); the key ID is made up. */
export function awsRdsKey(env: Env): string {
  return `arn:aws:kms:${env.region}:${env.accountId}:key/5f8b9a1e-3c2d-4e6f-8a7b-9c0d1e2f3a4b`;
}

/** CloudwatchLogsExportConfiguration: EnableLogTypes and DisableLogTypes (API_ModifyDBInstance, API_ModifyDBCluster). */
export function logExports(current: string[] | undefined, v: { EnableLogTypes?: string[]; DisableLogTypes?: string[] }): string[] | undefined {
  const logs = new Set(current ?? []);
  for (const t of v.EnableLogTypes ?? []) logs.add(t);
  for (const t of v.DisableLogTypes ?? []) logs.delete(t);
  return logs.size ? [...logs] : undefined;
}
