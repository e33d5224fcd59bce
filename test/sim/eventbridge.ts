import { currentCaller, setCaller } from './aws-calls';
import { RdsEventBridgeEvent, rdsEvents } from './rds/events';
import type { RdsSimulator } from './rds-sim';
import { ACCOUNT, Definition, LambdaResource, REGION } from './template-definition';
import type { HandlerModule } from './template-pipeline';

/**
 * EventBridge for the RDS events of the simulator: the events RDS emits at its
 * status changes (rds/events.ts) reach the rules of the synthesized template
 * (AWS::Events::Rule with an EventPattern) after a delivery delay, and each
 * matching rule runs its Lambda targets' REAL handlers (with the function's
 * environment and, for the IAM check, its logical id as the caller).
 *
 * Delivery: "near-real time" and best effort (RDS User Guide, "Overview of
 * events for Amazon RDS": events "might be out of sequence or missing"). The
 * delay is an assumption, `delaySeconds` (10 s by default); `drop` makes
 * events go missing (a fault).
 */
export class RdsEventBus {
  /** Seconds from the status change to the target's invocation (assumed). */
  delaySeconds = 10;
  /** Every event RDS emitted, with when it happened and what became of it. */
  readonly log: { at: number; event: RdsEventBridgeEvent; fate: 'pending' | 'delivered' | 'unmatched' | 'dropped'; deliveredAt?: number }[] = [];
  private seen = 0;
  private seq = 0;

  constructor(private readonly sim: RdsSimulator) {}

  /** Events for which this returns true are lost (never delivered). */
  drop: (e: RdsEventBridgeEvent) => boolean = () => false;

  /** Take the status changes up to now as events. */
  collect(): void {
    this.sim.nextChangeAt();
    const changes = this.sim.statusChanges;
    for (; this.seen < changes.length; this.seen++) {
      const c = changes[this.seen];
      const date = new Date(this.sim.clock.start.getTime() + c.at * 1000);
      for (const event of rdsEvents(c, date, REGION, ACCOUNT, () => ++this.seq)) {
        this.log.push({ at: c.at, event, fate: this.drop(event) ? 'dropped' : 'pending' });
      }
    }
  }

  /** When the next event is delivered, or a status change happens that may emit one (Infinity: nothing pending). */
  nextAt(): number {
    this.collect();
    const pending = this.log.filter((e) => e.fate === 'pending').map((e) => e.at + this.delaySeconds);
    return Math.min(this.sim.nextChangeAt(), ...pending);
  }

  /** Deliver every event due by the clock to the rules of `definition`, in the order RDS emitted them. */
  async deliverDue(definition: Definition, loadHandler?: (name: string) => HandlerModule): Promise<void> {
    this.collect();
    const now = this.sim.clock.elapsed;
    for (const entry of this.log) {
      if (entry.fate !== 'pending' || entry.at + this.delaySeconds > now) continue;
      const targets = (definition.rules ?? []).filter((r) => matches(r.pattern, entry.event)).flatMap((r) => r.targets);
      entry.fate = targets.length > 0 ? 'delivered' : 'unmatched';
      entry.deliveredAt = now;
      for (const arn of targets) {
        const fn = definition.functions.get(arn);
        if (!fn) throw new Error(`eventbridge: a rule targets ${arn}, which is not a pipeline function`);
        await runFunction(fn, entry.event, loadHandler);
      }
    }
  }
}

const buses = new WeakMap<RdsSimulator, RdsEventBus>();

/** The event bus of a simulator (one per simulator, made on first use). */
export function eventBus(sim: RdsSimulator): RdsEventBus {
  let bus = buses.get(sim);
  if (!bus) {
    bus = new RdsEventBus(sim);
    buses.set(sim, bus);
  }
  return bus;
}

/** An EventBridge rule of the template and the function ARNs it targets. */
export interface RuleResource {
  readonly logicalId: string;
  readonly pattern: any;
  readonly targets: string[];
}

/**
 * Whether `event` matches an event pattern (EventBridge User Guide, "Event
 * patterns"): every field of the pattern must match; a list matches a value
 * equal to one of its elements (an array value: any of its elements); an
 * object matches field by field. Content filters (prefix, anything-but,
 * numeric...) are not implemented and are refused, so no pattern is matched wrongly.
 */
export function matches(pattern: any, event: any): boolean {
  for (const [key, want] of Object.entries<any>(pattern ?? {})) {
    const value = event?.[key];
    if (Array.isArray(want)) {
      if (want.some((w) => typeof w === 'object' && w !== null)) throw new Error(`eventbridge: content filter in ${key} is not implemented`);
      const values = Array.isArray(value) ? value : [value];
      if (!values.some((v) => want.includes(v))) return false;
    } else if (typeof want === 'object' && want !== null) {
      if (typeof value !== 'object' || value === null || !matches(want, value)) return false;
    } else {
      throw new Error(`eventbridge: the pattern's ${key} must be a list or an object`);
    }
  }
  return true;
}

/** Run a function's handler on `event` outside any execution: its environment, its role as the caller. */
export async function runFunction(fn: LambdaResource, event: unknown, loadHandler?: (name: string) => HandlerModule): Promise<unknown> {
  const env: Record<string, string> = { ...fn.env, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'ASIASIMULATED', AWS_SECRET_ACCESS_KEY: 'simulated' };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const caller = currentCaller();
  Object.assign(process.env, env);
  setCaller(fn.logicalId);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module: HandlerModule = loadHandler ? loadHandler(fn.name) : require(fn.module);
    return await module.handler(JSON.parse(JSON.stringify(event)));
  } finally {
    setCaller(caller);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
