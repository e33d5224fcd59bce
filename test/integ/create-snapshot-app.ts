import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { TrapheusRestore } from '../../src';

/** The throwaway instance's identifier (fixed, so the input and the assertions can name it). */
export const INTEG_DB_IDENTIFIER = 'trapheus-integ-db';

/**
 * The integration test's app: a tiny PostgreSQL instance tagged
 * `trapheus:restorable=true`, a `TrapheusRestore`, and assertions that start a
 * `create_snapshot` execution (snapshot, then restore in place) and wait for it
 * to succeed. `test/integ.create-snapshot.ts` synthesizes it for integ-runner;
 * `test/integ-snapshot.test.ts` synthesizes it for the committed snapshot.
 */
export function createSnapshotIntegApp(app: App): IntegTest {
  const stack = new Stack(app, 'TrapheusIntegCreateSnapshot');

  // No NAT gateway: the database lives in isolated subnets, the handlers in the Lambda-owned network.
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const db = new rds.DatabaseInstance(stack, 'Db', {
    instanceIdentifier: INTEG_DB_IDENTIFIER,
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_6 }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
    allocatedStorage: 20,
    multiAz: false,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    deletionProtection: false,
    removalPolicy: RemovalPolicy.DESTROY,
    deleteAutomatedBackups: true,
  });
  // The default mode: only databases carrying this tag may be restored (README, Safety).
  Tags.of(db).add('trapheus:restorable', 'true');

  const restore = new TrapheusRestore(stack, 'Restore', {
    // Leave nothing behind: the renamed original's automated backups go with it.
    deleteOldAutomatedBackups: true,
  });

  const integ = new IntegTest(app, 'CreateSnapshot', {
    testCases: [stack],
    // create_snapshot replaces the instance under the same identifier; nothing to update in place.
    stackUpdateWorkflow: false,
  });

  const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
    stateMachineArn: restore.stateMachine.stateMachineArn,
    input: JSON.stringify({ identifier: INTEG_DB_IDENTIFIER, task: 'create_snapshot', isCluster: false }),
  });

  // A CloudFormation custom resource answers within one hour, and a create_snapshot of even
  // a tiny instance (snapshot, rename, restore, modify, delete the original) can come close:
  // wait in two steps. First until the original has been renamed (snapshot taken, rename done) ...
  const renamed = integ.assertions.awsApiCall('RDS', 'describeDBInstances', {
    DBInstanceIdentifier: `${INTEG_DB_IDENTIFIER}-trapheus-old`,
  }, ['DBInstances.0.DBInstanceIdentifier'])
    .assertAtPath('DBInstances.0.DBInstanceIdentifier', ExpectedResult.exact(`${INTEG_DB_IDENTIFIER}-trapheus-old`))
    .waitForAssertions({ totalTimeout: Duration.minutes(50), interval: Duration.minutes(1) });

  // (Only the paths named are returned: a custom resource's response is limited to 4 KB.)
  // ... then until the execution has succeeded (restored, verified, original deleted).
  const succeeded = integ.assertions.awsApiCall('StepFunctions', 'describeExecution', {
    executionArn: start.getAttString('executionArn'),
  }, ['status', 'error', 'cause'])
    .assertAtPath('status', ExpectedResult.exact('SUCCEEDED'))
    .waitForAssertions({ totalTimeout: Duration.minutes(55), interval: Duration.minutes(1) });

  // The pipeline's snapshot is a manual snapshot, which the stack's deletion would leave behind.
  const snapshots = integ.assertions.awsApiCall('RDS', 'describeDBSnapshots', {
    DBInstanceIdentifier: INTEG_DB_IDENTIFIER,
    SnapshotType: 'manual',
  }, ['DBSnapshots.0.DBSnapshotIdentifier']);
  const cleanUp = integ.assertions.awsApiCall('RDS', 'deleteDBSnapshot', {
    DBSnapshotIdentifier: snapshots.getAttString('DBSnapshots.0.DBSnapshotIdentifier'),
  });

  start.next(renamed).next(succeeded).next(snapshots).next(cleanUp);
  return integ;
}
