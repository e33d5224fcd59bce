import type { Writable } from 'stream';

/** A stream as the CLI writes to it: a terminal (isTTY) or not. */
export type Out = Writable & { isTTY?: boolean; columns?: number };

/** Where a command writes: the process's streams, or a test's. */
export interface Io {
  readonly stdout: Out;
  readonly stderr: Out;
  /** Waits between polls; tests pass a faster one. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Exit codes:
 * - 0: the command did what was asked (a restore SUCCEEDED);
 * - 1: the restore (or the simulated one) ended FAILED, TIMED_OUT or ABORTED;
 * - 2: the command could not do what was asked (bad arguments, AWS refused a call, no such stack).
 */
export const EXIT = { OK: 0, FAILED: 1, ERROR: 2 } as const;

/** A problem to report as one line (exit 2), naming what to fix. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function println(out: Out, text = ''): void {
  out.write(`${text}\n`);
}

export function sleeper(io: Io): (ms: number) => Promise<void> {
  return io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
}

/** The process's own streams. */
export const PROCESS_IO: Io = { stdout: process.stdout, stderr: process.stderr };
