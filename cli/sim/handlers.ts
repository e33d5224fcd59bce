/* eslint-disable @typescript-eslint/no-require-imports */
import type { HandlerModule } from '../../test/sim/template-pipeline';

/**
 * Every pipeline handler, by the name its function describes itself with
 * (`lambda-src/<name>.lambda.ts`): the same source the package's handler
 * assets are bundled from, bundled into the CLI so that `simulate` runs it
 * under the in-memory AWS (the assets carry their own AWS SDK, which the
 * simulator cannot stand under). Each is loaded when first run, as Lambda
 * loads it: its AWS clients are made under the simulator.
 */
export const HANDLERS: Record<string, () => HandlerModule> = {
  'apply-config': () => require('../../lambda-src/apply-config.lambda'),
  'capture': () => require('../../lambda-src/capture.lambda'),
  'check-status': () => require('../../lambda-src/check-status.lambda'),
  'delete': () => require('../../lambda-src/delete.lambda'),
  'dns': () => require('../../lambda-src/dns.lambda'),
  'export': () => require('../../lambda-src/export.lambda'),
  'fleet-preflight': () => require('../../lambda-src/fleet-preflight.lambda'),
  'fleet-summary': () => require('../../lambda-src/fleet-summary.lambda'),
  'lock': () => require('../../lambda-src/lock.lambda'),
  'notify': () => require('../../lambda-src/notify.lambda'),
  'outcome': () => require('../../lambda-src/outcome.lambda'),
  'rename': () => require('../../lambda-src/rename.lambda'),
  'restore': () => require('../../lambda-src/restore.lambda'),
  'sleep': () => require('../../lambda-src/sleep.lambda'),
  'snapshot': () => require('../../lambda-src/snapshot.lambda'),
  'validate-input': () => require('../../lambda-src/validate-input.lambda'),
  'wake': () => require('../../lambda-src/wake.lambda'),
};
