import * as iam from 'aws-cdk-lib/aws-iam';
import { Harness, identity } from './harness';
import { fullyConfiguredInstance } from '../sim/fixtures';

/**
 * A database whose enhanced-monitoring or directory role the pipeline may not
 * pass (iam:PassRole) would fail the restore after its rename. The real state
 * machine refuses it in the pre-flight instead, changing nothing.
 */
const h = new Harness((stack) => ({
  // the default: the console's monitoring role only; the fixture uses rds-monitoring and rds-directory-access
  passableRoles: [iam.Role.fromRoleName(stack, 'ConsoleMonitoringRole', 'rds-monitoring-role')],
}));
beforeEach(() => h.fresh());
afterEach(() => h.done());

test('a restore that would pass a role outside passableRoles fails before any change, naming the roles and the prop', async () => {
  const before = identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')));
  const result = await h.run({ identifier: 'orders-db', task: 'create_snapshot', isCluster: false });
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('RoleNotPassable');
  expect(result.cause).toContain('The restore must pass arn:aws:iam::123456789012:role/rds-monitoring (orders-db\'s enhanced monitoring), '
    + 'rds-directory-access (orders-db\'s Active Directory domain d-9067a1b2c3) to RDS, and this pipeline may not '
    + '(passableRoles: arn:aws:iam::123456789012:role/rds-monitoring-role). Add the role to the passableRoles prop of TrapheusRestore');
  expect(h.sim.mutatingCalls()).toEqual([]);
  expect(identity(h.sim.instance('orders-db'))).toEqual(before);
});
