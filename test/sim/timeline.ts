import { formatDuration } from './clock';
import type { RunResult, TimelineEntry } from './run-pipeline';

export interface Step {
  at: number;
  text: string;
}

function clockTime(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The steps of a run as a reader wants them: each task once, and each wait
 * fragment (Wait → Check → Is ... ready?) folded into one line with its
 * length and number of checks.
 */
export function steps(timeline: TimelineEntry[]): Step[] {
  const out: Step[] = [];
  let waiting: { subject: string; at: number; checks: number; end: number } | undefined;
  const flush = () => {
    if (waiting) {
      out.push({ at: waiting.at, text: `… waited ${formatDuration(waiting.end - waiting.at)} for ${waiting.subject} (${waiting.checks} checks)` });
      waiting = undefined;
    }
  };
  for (const e of timeline) {
    if (e.type === 'Pass' && e.state.startsWith('Start waiting for ')) {
      flush();
      waiting = { subject: e.state.slice('Start waiting for '.length), at: e.at, checks: 0, end: e.at };
      continue;
    }
    if (waiting && (e.state === `Wait for ${waiting.subject}` || e.state === `Wait for ${waiting.subject} or an RDS event`
      || e.state === `Check ${waiting.subject}` || e.state === `Is ${waiting.subject} ready?`)) {
      if (e.state.startsWith('Check ')) waiting.checks += 1;
      waiting.end = e.at + (e.type === 'Task' ? 1 : 0);
      if (e.error) {
        flush();
        out.push({ at: e.at, text: `✗ ${e.state} failed: ${e.error}` });
      }
      continue;
    }
    flush();
    if (e.type === 'Choice') continue;
    if (e.type === 'Retry') {
      out.push({ at: e.at, text: `↻ retry ${e.state} in ${e.seconds}s` });
      continue;
    }
    out.push({ at: e.at, text: e.error ? `✗ ${e.state} (${e.error})` : e.state });
  }
  flush();
  return out;
}

/** One step as a timeline line: `   0:10:38  Delete older snapshots`. */
export function formatStep(s: Step): string {
  return `  ${clockTime(s.at).padStart(8)}  ${s.text}`;
}

export function formatSteps(result: RunResult): string {
  return steps(result.timeline).map(formatStep).join('\n');
}

export { clockTime };
