import type { SimClock } from './clock';

/**
 * Discrete-event scheduling of concurrent executions on the simulated clock.
 *
 * Each execution keeps its own time (its Waits, retries and Lambda durations
 * add to it) and, before a Lambda task runs, asks for its turn at that time
 * (`at`). The scheduler lets one task run at a time (handlers share
 * process.env and the call gate's caller), always the earliest waiting one,
 * and only once every execution is blocked (waiting for its turn, or for its
 * children): then it advances the shared clock to that task's time. So
 * concurrent executions interleave as they would in Step Functions, and the
 * clock's end is the longest path, not the sum of the executions.
 *
 * "Blocked" is counted with tokens: an execution holds one while it runs; the
 * engine's own bookkeeping between states is asynchronous, so the scheduler
 * lets a few event-loop turns pass (`SETTLE_TURNS`) before deciding everyone is blocked.
 */
const SETTLE_TURNS = 20;

interface Waiter { readonly at: number; readonly seq: number; readonly resolve: () => void }

export class SimScheduler {
  private running = 0;
  private actors = 0;
  private seq = 0;
  private readonly waiters: Waiter[] = [];
  private settling = false;

  constructor(readonly clock: SimClock) {}

  /** An execution starts (running). */
  spawn(): void {
    this.actors += 1;
    this.enter();
  }

  /** An execution ended. */
  exit(): void {
    this.actors -= 1;
    this.leave();
  }

  /** An execution runs again (its children ended). */
  enter(): void {
    this.running += 1;
  }

  /** It stops running: it ended, or it now waits for something other than its turn (its children). */
  leave(): void {
    this.running -= 1;
    if (this.running < 0) throw new Error('SimScheduler: more leaves than enters');
    this.kick();
  }

  /** Wait for the clock to reach `seconds` (elapsed) and for this execution's turn. */
  async at(seconds: number): Promise<void> {
    // Alone (no fleet, or before its Map): nothing to interleave with.
    if (this.actors === 1 && this.running === 1 && this.waiters.length === 0) {
      if (seconds > this.clock.elapsed) this.clock.advance(seconds - this.clock.elapsed);
      return;
    }
    this.running -= 1;
    const turn = new Promise<void>((resolve) => this.waiters.push({ at: seconds, seq: this.seq++, resolve }));
    this.kick();
    await turn;
  }

  private kick(): void {
    if (this.settling) return;
    this.settling = true;
    void (async () => {
      for (let i = 0; i < SETTLE_TURNS; i++) await new Promise((r) => setImmediate(r));
      this.settling = false;
      if (this.running > 0 || this.waiters.length === 0) return;
      this.waiters.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.waiters.shift()!;
      if (next.at > this.clock.elapsed) this.clock.advance(next.at - this.clock.elapsed);
      this.running += 1;
      next.resolve();
    })();
  }
}
