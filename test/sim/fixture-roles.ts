import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { TrapheusRestoreProps } from '../../src';

/** The roles the fixture databases use (fixtures.ts): enhanced monitoring and the Active Directory domain. */
export const FIXTURE_ROLE_NAMES = ['rds-monitoring', 'rds-directory-access'];

/**
 * Props that let a pipeline pass the fixture databases' roles (`passableRoles`),
 * as a user with such databases configures it; unless the props give their own.
 */
export function withFixtureRoles(props: TrapheusRestoreProps | ((stack: Stack) => TrapheusRestoreProps) = {}) {
  return (stack: Stack): TrapheusRestoreProps => {
    const p = typeof props === 'function' ? props(stack) : props;
    return {
      ...p,
      passableRoles: p.passableRoles ?? FIXTURE_ROLE_NAMES.map((name) => iam.Role.fromRoleName(stack, `FixtureRole-${name}`, name)),
    };
  };
}
