import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { RunResult } from '../../test/sim/template-pipeline';

/**
 * The Step Functions history of a simulated run, event by event as the service
 * records a JSONPath state machine whose tasks call Lambda through
 * `arn:aws:states:::lambda:invoke` (Developer Guide, "Viewing execution
 * history"; API reference, HistoryEvent): `<Type>StateEntered` and
 * `<Type>StateExited` around each state; TaskScheduled, TaskStarted, then
 * TaskSucceeded or TaskFailed for each attempt of a task (a retry schedules the
 * task again inside the same state); ExecutionSucceeded or ExecutionFailed last.
 */
export function historyEventsOf(result: RunResult, start: Date): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
  const add = (type: HistoryEventType, seconds: number, details: Partial<HistoryEvent> = {}) => {
    events.push({ id: events.length + 1, previousEventId: events.length, type, timestamp: at(seconds), ...details });
  };
  add('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}', roleArn: 'arn:aws:iam::123456789012:role/sim' } });
  let open: { state: string; type: string } | undefined;
  const exit = (seconds: number) => {
    if (open) add(`${open.type}StateExited` as HistoryEventType, seconds, { stateExitedEventDetails: { name: open.state } });
    open = undefined;
  };
  const timeline = result.timeline;
  for (const [i, e] of timeline.entries()) {
    if (e.type === 'Retry') continue;
    const retried = i > 0 && timeline[i - 1].type === 'Retry' && timeline[i - 1].state === e.state;
    if (!retried) {
      exit(e.at);
      add(`${e.type}StateEntered` as HistoryEventType, e.at, { stateEnteredEventDetails: { name: e.state, input: '{}' } });
      open = { state: e.state, type: e.type };
    }
    if (e.type === 'Task') {
      const task = { resourceType: 'lambda', resource: 'invoke' };
      add('TaskScheduled', e.at, { taskScheduledEventDetails: { ...task, region: 'us-east-1', parameters: '{}' } });
      add('TaskStarted', e.at, { taskStartedEventDetails: task });
      if (e.error) add('TaskFailed', e.at + 1, { taskFailedEventDetails: { ...task, error: e.error, cause: '{}' } });
      else add('TaskSucceeded', e.at + 1, { taskSucceededEventDetails: { ...task, output: '{}' } });
    }
  }
  exit(result.seconds);
  if (result.status === 'SUCCEEDED') {
    add('ExecutionSucceeded', result.seconds, { executionSucceededEventDetails: { output: JSON.stringify(result.output ?? {}) } });
  } else {
    add('ExecutionFailed', result.seconds, { executionFailedEventDetails: { error: result.error, cause: result.cause } });
  }
  return events;
}
