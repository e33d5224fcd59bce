/**
 * Finding a resource under a construct path, as the user writes it: with or
 * without the stack's id in front (`Restore`, `DbReset/Restore`, `Ops/Restore`).
 */

/** The CDK metadata key that holds a resource's construct path (`DbReset/Restore/StateMachine/Resource`). */
export const CDK_PATH = 'aws:cdk:path';

function clean(wanted: string): string {
  return wanted.replace(/^\/+|\/+$/g, '');
}

/** Whether the resource at `cdkPath` is under the construct `wanted` (`Restore`, or `DbReset/Restore`). */
export function underPath(cdkPath: string, wanted: string): boolean {
  const w = clean(wanted);
  const belowStack = cdkPath.split('/').slice(1).join('/');
  return [cdkPath, belowStack].some((p) => p === w || p.startsWith(`${w}/`));
}

/**
 * Whether `logicalId` looks like that of a resource under `wanted`, for
 * templates without path metadata: CDK logical ids begin with the path's
 * components below the stack, alphanumerics only (`Restore/StateMachine` →
 * `RestoreStateMachineA1B2C3D4`). `stack` is dropped from the front of `wanted`.
 */
export function logicalIdUnder(logicalId: string, wanted: string, stack?: string): boolean {
  const parts = clean(wanted).split('/');
  if (parts.length > 1 && parts[0] === stack) parts.shift();
  const prefix = parts.join('').replace(/[^A-Za-z0-9]/g, '');
  return prefix.length > 0 && logicalId.startsWith(prefix);
}
