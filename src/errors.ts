import { IConstruct } from 'constructs';

/**
 * Invalid props found at synth. The message names the construct (its class and
 * path, e.g. `TrapheusRestore DbReset/Restore`), then the prop and the fix.
 */
export class PropsError extends Error {
  /** @param construct the construct's class and path; @param reason the prop at fault and the fix */
  constructor(readonly construct: string, readonly reason: string) {
    super(`${construct}: ${reason}`);
  }
}

/**
 * Run the props checks of `scope` (plain functions that throw an `Error` naming
 * the prop and the fix): an error they throw is rethrown naming `scope` first.
 * An error that already names its construct is rethrown as it is.
 */
export function checkProps<T>(scope: IConstruct, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof PropsError || !(e instanceof Error)) throw e;
    throw new PropsError(`${scope.constructor.name} ${scope.node.path}`, e.message);
  }
}
