/**
 * The names RDS gives what it makes: ARNs, endpoint addresses, resource IDs, Availability
 * Zones and subnet groups (the parts RDS draws at random are made up, deterministically).
 */
import { DBSubnetGroup } from '@aws-sdk/client-rds';
import { CLUSTER_DNS } from './engines';
import { hashOf, pseudoRandom } from './lifecycle';

export type RdsArnType = 'db' | 'snapshot' | 'cluster' | 'cluster-snapshot';

/** RDS User Guide, "Amazon Resource Names (ARNs) in Amazon RDS". */
export function rdsArn(region: string, accountId: string, type: RdsArnType, id: string): string {
  return `arn:aws:rds:${region}:${accountId}:${type}:${id}`;
}

/** <id>.<hash>.<region>.rds.amazonaws.com; the hash part is made up. */
export function instanceAddress(region: string, id: string): string {
  return `${id}.c1abcdefghij.${region}.rds.amazonaws.com`;
}

/** The cluster (writer) endpoint, or with `reader` the reader endpoint. */
export function clusterAddress(region: string, id: string, reader: boolean): string {
  return `${id}.cluster-${reader ? 'ro-' : ''}${CLUSTER_DNS}.${region}.rds.amazonaws.com`;
}

/** DbiResourceId / DbClusterResourceId (API_DBInstance, API_DBCluster): db-… / cluster-… and 26 characters (format assumed). */
export function resourceId(prefix: 'db' | 'cluster', counter: number): string {
  return `${prefix}-${pseudoRandom(counter, 26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
}

export function availabilityZones(region: string): string[] {
  return ['a', 'b', 'c'].map(az => `${region}${az}`);
}

/** A made-up subnet group of that name, in its own VPC (`default`: the default VPC), one subnet per zone. */
export function madeUpSubnetGroup(region: string, name: string): DBSubnetGroup {
  const vpc = name === 'default' ? 'vpc-default' : `vpc-0${hashOf(name).toString(16).padStart(8, '0')}`;
  return {
    DBSubnetGroupName: name,
    DBSubnetGroupDescription: name,
    VpcId: vpc,
    SubnetGroupStatus: 'Complete',
    Subnets: ['a', 'b', 'c'].map(az => ({
      SubnetIdentifier: `subnet-${pseudoRandom(hashOf(name + az), 8, '0123456789abcdef')}`,
      SubnetAvailabilityZone: { Name: `${region}${az}` },
      SubnetOutpost: {},
      SubnetStatus: 'Active',
    })),
    SupportedNetworkTypes: ['IPV4'],
  };
}
