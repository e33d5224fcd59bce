/**
 * Step Functions' task tokens in the simulation: each callback task
 * (`.waitForTaskToken`) the pipeline runner starts opens one; `SendTaskSuccess`
 * (aws-sims.ts) answers it; the runner closes it when the task resumes or
 * times out. Rules from the Step Functions API Reference, SendTaskSuccess
 * (errors InvalidToken, TaskDoesNotExist, TaskTimedOut, InvalidOutput;
 * `output` is JSON of at most 256 KiB) and the Developer Guide ("Wait for a
 * Callback with Task Token": tokens of at most 1024 characters). The
 * messages' wording is assumed.
 */

interface OpenTask {
  readonly execution: string;
  readonly state: string;
  /** The answer, once SendTaskSuccess came. */
  output?: string;
  /** Set when the task resumed or timed out: the token answers nothing any more. */
  closed?: 'resumed' | 'timed out';
}

const tasks = new Map<string, OpenTask>();
let counter = 0;

function fault(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** A new token for the callback task `state` of `execution` (opaque, under 1024 characters). */
export function openTask(execution: string, state: string): string {
  counter += 1;
  const token = `AQB${Buffer.from(`${execution}#${state}#${counter}`).toString('base64')}`.slice(0, 1024);
  tasks.set(token, { execution, state });
  return token;
}

/** The answer SendTaskSuccess gave the token (undefined: none yet). */
export function taskOutput(token: string): string | undefined {
  return tasks.get(token)?.output;
}

/** The task resumed (with its answer) or timed out. */
export function closeTask(token: string, how: 'resumed' | 'timed out'): void {
  const t = tasks.get(token);
  if (t) t.closed = how;
}

/** SendTaskSuccess as Step Functions answers it. */
export function sendTaskSuccess(input: { taskToken?: string; output?: string }): object {
  const token = input.taskToken ?? '';
  if (token.length < 1 || token.length > 1024) throw fault('InvalidToken', 'Invalid token');
  const t = tasks.get(token);
  if (!t) throw fault('InvalidToken', 'Invalid token');
  if (t.closed === 'timed out') throw fault('TaskTimedOut', 'Task Timed Out');
  if (t.closed || t.output !== undefined) throw fault('TaskDoesNotExist', 'Task does not exist anymore');
  const output = input.output ?? '';
  if (Buffer.byteLength(output, 'utf8') > 262_144) throw fault('InvalidOutput', 'The output is larger than 256 KiB');
  try {
    JSON.parse(output);
  } catch {
    throw fault('InvalidOutput', 'Invalid JSON in output');
  }
  t.output = output;
  return {};
}

/** Forget every token (a new simulation). */
export function clearTasks(): void {
  tasks.clear();
}
