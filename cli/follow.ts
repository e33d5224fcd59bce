import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { eventsAfter, History, historyOf } from './history';
import { Io, sleeper } from './io';
import { Progress } from './progress';
import { StepPrinter } from './report';

export interface FollowOptions {
  /** Seconds between two reads of the history. */
  readonly pollSeconds: number;
  readonly json: boolean;
  /** Show the progress bar (on a terminal). */
  readonly progress: boolean;
  /** The execution's input, for the ETA. */
  readonly input: { task: string; isCluster: boolean };
}

/**
 * Follow an execution until it ends: read its new history events every
 * `pollSeconds` (GetExecutionHistory), print each finished step as a timeline
 * line (or a JSON line), and keep a progress bar with an ETA under them.
 */
export async function follow(sfn: SFNClient, executionArn: string, io: Io, options: FollowOptions): Promise<History> {
  const progress = new Progress(io.stdout, options.progress && !options.json, options.input);
  const printer = new StepPrinter((text) => progress.line(text), options.json);
  const sleep = sleeper(io);
  const events: HistoryEvent[] = [];
  try {
    for (;;) {
      const last = events.length ? events[events.length - 1].id ?? 0 : 0;
      events.push(...await eventsAfter(sfn, executionArn, last));
      const history = historyOf(events);
      printer.update(history.timeline, history.ending !== undefined);
      if (history.ending) return history;
      const started = history.startedAt?.getTime() ?? Date.now();
      progress.update(history.timeline, Math.max(0, (Date.now() - started) / 1000));
      await sleep(options.pollSeconds * 1000);
    }
  } finally {
    progress.stop();
  }
}
