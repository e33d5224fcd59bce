import { GetExecutionHistoryCommand, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';

/** A state entered, and when (milliseconds or seconds: any one unit). */
export interface Entered { readonly name: string; readonly at: number }

/**
 * The states that bound a target's outage, for every cutover
 * (src/instance-pipeline.ts, src/cluster-pipeline.ts, src/dns-cutover.ts; the
 * CLI's cli/downtime.ts reads the same bounds):
 * - renaming first, and RESTORE_THEN_SWAP: the outage cannot start before the
 *   original is renamed out of the way (an instance; a cluster's members: the
 *   writer's rename reboots it) and it has ended when the restored database
 *   serves under the identifier: the restored instance, or the restored
 *   writer (renaming first) or the restored cluster (a swap: its writer is
 *   the staged one, already available) seen ready;
 * - a DNS alias (`Cutover.dnsAlias()`): nothing is renamed; the record
 *   switches from the serving original to the restored database once it is
 *   verified available, so the name never points at a database that does
 *   not serve: 0 once the switch was made.
 */
const OUTAGE_STARTS = ['Rename the instance out of the way', 'Rename the cluster members out of the way'];
const OUTAGE_ENDS = ['Is restored instance ready?', 'Is restored writer ready?', 'Is restored cluster ready?'];
const DNS_SWITCHES = ['Point the DNS record at the restored instance', 'Point the DNS record at the restored cluster'];

/**
 * The outage's bounds in an execution's states entered (oldest first): from
 * the rename of the original to the last check that saw the restored database
 * ready; a DNS alias switch: an empty outage at the switch. Undefined when it
 * never got that far (nothing was renamed or switched: no downtime).
 */
export function outageBounds(entered: Entered[]): { from: number; to: number } | undefined {
  const start = entered.find((e) => OUTAGE_STARTS.includes(e.name));
  if (!start) {
    const switched = entered.find((e) => DNS_SWITCHES.includes(e.name));
    return switched ? { from: switched.at, to: switched.at } : undefined;
  }
  const end = [...entered].reverse().find((e) => OUTAGE_ENDS.includes(e.name) && e.at >= start.at);
  return end ? { from: start.at, to: end.at } : undefined;
}

let client: SFNClient | undefined;

/** Every event of a child execution's history (GetExecutionHistory, every page). */
async function history(executionArn: string): Promise<HistoryEvent[]> {
  client ??= new SFNClient({});
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...page.events ?? []);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * An upper bound of the target's downtime in seconds, from its child
 * execution's history (`outageBounds`). Undefined when it never got that far
 * (no downtime) or the history cannot be read.
 */
export async function downtimeSeconds(executionArn: string): Promise<number | undefined> {
  const events = await history(executionArn);
  const entered = events
    .filter((e) => e.stateEnteredEventDetails?.name !== undefined)
    .map((e) => ({ name: e.stateEnteredEventDetails!.name!, at: new Date(e.timestamp!).getTime() }));
  const bounds = outageBounds(entered);
  return bounds ? Math.round((bounds.to - bounds.from) / 1000) : undefined;
}
