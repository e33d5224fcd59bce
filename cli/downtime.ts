import { outageBounds } from '../lambda-src/fleet/downtime';
import type { TimelineEntry } from '../test/sim/template-pipeline';

/**
 * An upper bound of the downtime, from an execution's timeline: from the
 * rename of the original to the last check of the restored database (a DNS
 * alias: 0 once the record switched; the bounds of every cutover are in
 * lambda-src/fleet/downtime.ts, which the fleet summary reads too). The true
 * outage is shorter by the rename's delay and at most one polling interval.
 * Undefined when the execution did not get that far.
 */
export function downtimeBound(timeline: TimelineEntry[]): { from: number; to: number; seconds: number } | undefined {
  const bounds = outageBounds(timeline.map((e) => ({ name: e.state, at: e.at })));
  return bounds && { ...bounds, seconds: bounds.to - bounds.from };
}
