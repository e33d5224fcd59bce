import { GetExecutionHistoryCommand, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';

/**
 * The states that bound a target's outage (src/instance-pipeline.ts,
 * src/cluster-pipeline.ts; the same bounds as the CLI's cli/downtime.ts): it
 * cannot start before the original is renamed out of the way, and it has
 * ended when the restored database (the writer, for a cluster) is seen ready.
 */
const OUTAGE_STARTS = ['Rename the instance out of the way', 'Rename the cluster members out of the way'];
const OUTAGE_ENDS = ['Is restored instance ready?', 'Is restored writer ready?'];

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
 * execution's history: from entering the rename of the original to the last
 * check that saw the restored database ready. Undefined when it never got
 * that far (nothing was renamed: no downtime) or the history cannot be read.
 */
export async function downtimeSeconds(executionArn: string): Promise<number | undefined> {
  const events = await history(executionArn);
  const entered = events
    .filter((e) => e.stateEnteredEventDetails?.name !== undefined)
    .map((e) => ({ name: e.stateEnteredEventDetails!.name!, at: new Date(e.timestamp!).getTime() }));
  const start = entered.find((e) => OUTAGE_STARTS.includes(e.name));
  if (!start) return undefined;
  const end = [...entered].reverse().find((e) => OUTAGE_ENDS.includes(e.name) && e.at >= start.at);
  return end ? Math.round((end.at - start.at) / 1000) : undefined;
}
