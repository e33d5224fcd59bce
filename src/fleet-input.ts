/**
 * The fleet input: several targets restored by one execution, each target as
 * a child execution of the same state machine. Plain TypeScript (no CDK
 * imports): the `validate-input` handler and the construct (schedules that
 * start a fleet) share it.
 */
import { InputProblem, inputProblems, RestoreInput } from './input-rules';

/**
 * The most targets one fleet may have. The fleet's Map (Distributed, so
 * concurrency may exceed the 40 iterations of an inline Map) collects one
 * result per target into its output, which Step Functions bounds at 256 KiB;
 * a failed target's result carries its child execution's description (error,
 * report, input: up to about 4 KiB), so 50 targets stay far below the limit.
 * Split a larger environment into several fleets.
 */
export const MAX_FLEET_TARGETS = 50;

/** The default number of targets restored at the same time (prop `fleetConcurrency`). */
export const DEFAULT_FLEET_CONCURRENCY = 5;

/** The fields of a fleet input. */
export const FLEET_FIELDS = ['targets', 'maxConcurrency'] as const;

/** What the child execution of a fleet target carries in its input (`fleet`). */
export interface FleetMember {
  /** The fleet execution that started it. */
  readonly execution: string;
  /** How many targets the fleet has. */
  readonly size: number;
  /** Seconds this target waits before it starts (the fleet spreads its first starts: `START_SPACING`). */
  readonly delay: number;
}

/**
 * Seconds between the starts of a fleet's first targets (those that start at
 * once, up to `maxConcurrency`): their RDS calls (capture, snapshot, rename,
 * settings, deletion: about 9 a minute for a target in such a step) do not
 * fall in the same minute, so a large fleet stays within RDS's request budget
 * (`npm run bench`: a fleet of 50 at most about 1 request a second; its
 * status checks share one listing, lambda-src/rds/status-cache.ts). Later
 * targets start when a slot frees.
 */
export const START_SPACING = 10;

/**
 * Seconds per fleet target between one target's status checks (at least):
 * a fleet of n checks each database at most every n × PACE_PER_TARGET seconds
 * (rounded up), so n waiting targets make at most 1 / PACE_PER_TARGET checks a second together.
 */
export const PACE_PER_TARGET = 0.5;

/** The least interval between a target's status checks (`pace` of its job): 0 alone, more in a larger fleet. */
export function pollPace(fleetSize: number | undefined): number {
  return fleetSize ? Math.ceil(fleetSize * PACE_PER_TARGET) : 0;
}

/** The delay of the `index`-th target of a fleet (0-based). */
export function startDelay(index: number, maxConcurrency: number): number {
  return index < maxConcurrency ? index * START_SPACING : 0;
}

/** A validated fleet: every target's clean input, with the `fleet` member field. */
export interface FleetJob {
  readonly targets: (RestoreInput & { readonly fleet: FleetMember })[];
  readonly maxConcurrency: number;
  readonly size: number;
}

/** Whether `input` is a fleet input (an object with `targets`), rather than one target's. */
export function isFleetInput(input: unknown): boolean {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'targets' in input;
}

const EXAMPLE = '{"targets": [{"identifier": "db-a", "task": "db_restore", "isCluster": false}, {"identifier": "cluster-b", "task": "db_restore", "isCluster": true}], "maxConcurrency": 5}';

/** Whether `n` is a whole number from 1 to `max`. */
function countProblem(n: unknown, max: number): string | undefined {
  if (typeof n !== 'number' || !Number.isInteger(n)) return `must be a whole number, not ${JSON.stringify(n)}`;
  if (n < 1 || n > max) return `is ${n}; it must be from 1 to ${max}`;
  return undefined;
}

/** Why `maxConcurrency` (of the input or the `fleetConcurrency` prop) is invalid, or undefined. */
export function concurrencyProblem(n: unknown): string | undefined {
  return countProblem(n, MAX_FLEET_TARGETS);
}

/**
 * Every problem with a fleet input, each naming its target and field
 * (`targets[3].identifier`); empty when every target is valid. A fleet with
 * any problem is refused whole: no target starts.
 */
export function fleetProblems(input: Record<string, unknown>): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const key of Object.keys(input).filter((k) => !(FLEET_FIELDS as readonly string[]).includes(k))) {
    problems.push({
      error: 'InvalidFleet',
      field: key,
      message: `Unknown field "${key}": a fleet input takes only ${FLEET_FIELDS.join(', ')} (each target's fields go inside its entry of "targets").`,
    });
  }
  const targets = input.targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    problems.push({ error: 'InvalidFleet', field: 'targets', message: `"targets" must be a non-empty array of target inputs, as in ${EXAMPLE}.` });
    return problems;
  }
  if (targets.length > MAX_FLEET_TARGETS) {
    problems.push({
      error: 'InvalidFleet',
      field: 'targets',
      message: `"targets" has ${targets.length} entries; a fleet has at most ${MAX_FLEET_TARGETS} (its results must fit Step Functions' 256 KiB payload): split it into several fleets.`,
    });
  }
  if (input.maxConcurrency !== undefined) {
    const why = concurrencyProblem(input.maxConcurrency);
    if (why) problems.push({ error: 'InvalidFleet', field: 'maxConcurrency', message: `"maxConcurrency" ${why}.` });
  }
  const seen = new Map<string, number>();
  targets.forEach((target, i) => {
    const at = `targets[${i}]`;
    if (typeof target === 'object' && target !== null && ('targets' in target || 'fleet' in target)) {
      problems.push({ error: 'InvalidFleet', field: at, message: `${at}: a target is one database; it may not hold "targets" or "fleet".` });
      return;
    }
    for (const p of inputProblems(target)) {
      problems.push({ error: p.error, field: `${at}.${p.field}`, message: `${at}.${p.field}: ${p.message}` });
    }
    const identifier = (target as { identifier?: unknown })?.identifier;
    if (typeof identifier === 'string') {
      const first = seen.get(identifier.toLowerCase());
      if (first !== undefined) {
        problems.push({
          error: 'DuplicateTarget',
          field: `${at}.identifier`,
          message: `${at}.identifier: "${identifier}" is already targets[${first}]; a fleet restores each database once: remove one of them.`,
        });
      } else {
        seen.set(identifier.toLowerCase(), i);
      }
    }
  });
  return problems;
}

/** Why a child's `fleet` field is invalid, or undefined (it is set by the fleet, not by hand). */
export function fleetMemberProblem(value: unknown): string | undefined {
  const m = value as Partial<FleetMember> | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'must be an object { execution, size, delay }';
  const extra = Object.keys(m).filter((k) => k !== 'execution' && k !== 'size' && k !== 'delay');
  if (extra.length > 0) return `has unknown fields ${extra.join(', ')}; it takes only execution, size and delay`;
  if (typeof m.delay !== 'number' || !Number.isInteger(m.delay) || m.delay < 0 || m.delay > MAX_FLEET_TARGETS * START_SPACING) {
    return `delay must be a whole number of seconds from 0 to ${MAX_FLEET_TARGETS * START_SPACING}`;
  }
  if (typeof m.execution !== 'string' || !/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:/.test(m.execution)) {
    return 'execution must be the ARN of the fleet execution';
  }
  const why = countProblem(m.size, MAX_FLEET_TARGETS);
  return why ? `size ${why}` : undefined;
}
