import { downtimeSeconds } from './fleet/downtime';
import { FleetResult, FleetSummary, fleetSummary, targetSummary } from './fleet/summary';
import { log, logged } from './rds/log';

/**
 * The fleet's summary, once every target's child execution has ended: for
 * each target its result (and error), its duration, its downtime (read from
 * the child's history) and the child execution's ARN. A history that cannot
 * be read leaves that target's downtime out; it never fails the summary.
 */
export const handler = logged('fleet-summary', async (event: { results: FleetResult[] }): Promise<FleetSummary> => {
  const targets = await Promise.all(event.results.map(async (r) => {
    const t = targetSummary(r);
    if (!t.execution) return t;
    try {
      const down = await downtimeSeconds(t.execution);
      return down === undefined ? t : { ...t, downtimeSeconds: down };
    } catch (err) {
      log('ERROR', { handler: 'fleet-summary', message: 'history not read', execution: t.execution, error: (err as Error)?.name });
      return t;
    }
  }));
  return fleetSummary(targets);
});
