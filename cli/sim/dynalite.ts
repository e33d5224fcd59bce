import type { Dynalite } from '../../test/sim/dynamo';

/**
 * The one dynalite of this process (DynamoDB for the restore lock). The
 * handlers keep the DynamoDB client they make first, bound to the endpoint of
 * the dynalite running then; so every simulation of a process shares one, and
 * it stops when the process is done with it.
 */
let shared: Promise<Dynalite> | undefined;

export function processDynalite(): Promise<Dynalite> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  shared ??= (require('../../test/sim/dynamo') as typeof import('../../test/sim/dynamo')).Dynalite.start();
  return shared;
}

/** Stop this process's dynalite, if it was started. */
export async function stopSimulator(): Promise<void> {
  const running = shared;
  shared = undefined;
  if (running) await (await running).stop();
}
