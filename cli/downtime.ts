import type { TimelineEntry } from '../test/sim/template-pipeline';

/**
 * The states that bound the endpoint's outage (src/instance-pipeline.ts,
 * src/cluster-pipeline.ts): it cannot start before the original is renamed out
 * of the way, and it has ended when the restored database (the writer, for a
 * cluster) is seen ready.
 */
const OUTAGE_STARTS = ['Rename the instance out of the way', 'Rename the cluster members out of the way'];
const OUTAGE_ENDS = ['Is restored instance ready?', 'Is restored writer ready?'];

/**
 * An upper bound of the downtime, from an execution's timeline: from the
 * rename of the original to the last check of the restored database. The true
 * outage is shorter by the rename's delay and at most one polling interval.
 * Undefined when the execution did not get that far.
 */
export function downtimeBound(timeline: TimelineEntry[]): { from: number; to: number; seconds: number } | undefined {
  const start = timeline.find((e) => OUTAGE_STARTS.includes(e.state));
  if (!start) return undefined;
  const end = [...timeline].reverse().find((e) => OUTAGE_ENDS.includes(e.state) && e.at >= start.at);
  if (!end) return undefined;
  return { from: start.at, to: end.at, seconds: end.at - start.at };
}
