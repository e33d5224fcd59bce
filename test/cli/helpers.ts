import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { App, Stack } from 'aws-cdk-lib';
import { main } from '../../cli/main';
import { TrapheusRestore, TrapheusRestoreProps } from '../../src';

/** What a CLI run wrote and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(into: string[], tty = false): Writable & { isTTY?: boolean } {
  const w = new Writable({ write(chunk, _enc, done) { into.push(String(chunk)); done(); } });
  return Object.assign(w, { isTTY: tty });
}

/** `trapheus-cdk <argv>` in this process (the source in cli/), polls without waiting. */
export function cli(...argv: string[]): Promise<CliRun> {
  return cliOn({ tty: false, pollMs: 0 }, ...argv);
}

/** The same on a terminal (stdout isTTY), each poll waiting `pollMs`. */
export async function cliOn(options: { tty: boolean; pollMs: number }, ...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const sleep = (ms: number) => new Promise<void>((r) => (options.pollMs ? setTimeout(r, Math.min(ms, options.pollMs)) : setImmediate(r)));
  const code = await main(argv, { stdout: sink(out, options.tty), stderr: sink(err), sleep });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/**
 * A consumer's app as `cdk synth` leaves it: stack `DbReset` (environment-agnostic)
 * with TrapheusRestore `Restore` (and more constructs from `extra`), synthesized with
 * path metadata into a temporary cdk.out directory. Returns the directory.
 */
export function synthConsumerApp(props: TrapheusRestoreProps = {}, extra?: (stack: Stack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'trapheus-cli-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, 'DbReset');
  new TrapheusRestore(stack, 'Restore', props);
  extra?.(stack);
  app.synth();
  return outdir;
}

export function readTemplate(dir: string, stack = 'DbReset'): any {
  return JSON.parse(fs.readFileSync(path.join(dir, `${stack}.template.json`), 'utf8'));
}

/** The timeline lines of a CLI output (the `   0:10:38  text` lines). */
export function timelineLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+\d+:\d\d:\d\d {2}/.test(l));
}
