import { DescribeExecutionCommand, DescribeExecutionOutput, SFNClient } from '@aws-sdk/client-sfn';
import { downtimeBound } from './downtime';
import { allEvents, History, historyOf } from './history';

/** One restore as `status` and `history` show it. */
export interface RunSummary {
  readonly executionArn: string;
  readonly name?: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE. */
  readonly status: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  /** Seconds from start to stop (to now while running). */
  readonly seconds?: number;
  readonly input?: { identifier?: string; task?: string; isCluster?: boolean };
  readonly error?: string;
  readonly cause?: string;
  /** An upper bound of the endpoint's downtime, from the history (downtime.ts). */
  readonly downtimeAtMost?: number;
  readonly history?: History;
}

function parse(text: string | undefined): any {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The summary of a described execution, without its history. */
export function summaryOf(d: DescribeExecutionOutput, now = new Date()): RunSummary {
  const end = d.stopDate ?? (d.status === 'RUNNING' ? now : undefined);
  return {
    executionArn: d.executionArn!,
    name: d.name,
    status: d.status ?? 'UNKNOWN',
    startDate: d.startDate,
    stopDate: d.stopDate,
    seconds: d.startDate && end ? Math.round((end.getTime() - d.startDate.getTime()) / 1000) : undefined,
    input: parse(d.input),
    error: d.error,
    cause: d.cause,
  };
}

/** DescribeExecution, and with `withHistory` its history (GetExecutionHistory) for the steps and the downtime. */
export async function summarize(sfn: SFNClient, executionArn: string, withHistory: boolean): Promise<RunSummary> {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const summary = summaryOf(described);
  if (!withHistory) return summary;
  const history = historyOf(await allEvents(sfn, executionArn));
  return { ...summary, history, downtimeAtMost: downtimeBound(history.timeline)?.seconds };
}
