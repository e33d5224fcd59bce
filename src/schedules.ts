import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkProps } from './errors';
import { concurrencyProblem, MAX_FLEET_TARGETS } from './fleet-input';
import { inputProblems, isAllowed } from './input-rules';
import { RestoreTask, taskValue } from './restore-task';

/** One database a schedule restores: exactly the input of one execution. */
export interface RestoreTarget {
  /** The DB instance or Aurora cluster identifier. */
  readonly identifier: string;
  /** What the execution does, e.g. `RestoreTask.DB_RESTORE`. */
  readonly task: RestoreTask;
  /**
   * True for an Aurora cluster.
   * @default false
   */
  readonly isCluster?: boolean;
  /**
   * `db_restore`: the snapshot to restore (a manual snapshot's name, or a
   * shared snapshot's ARN); `create_snapshot` / `create_snapshot_only`: the
   * new snapshot's name (never pruned).
   * @default - db_restore: the newest snapshot this pipeline made; create tasks: `<snapshotNamePrefix><identifier>-trapheus-<time>`
   */
  readonly snapshotIdentifier?: string;
  /**
   * `db_restore`: `snapshot`, `latest-automated` or `point-in-time`.
   * @default "snapshot"
   */
  readonly source?: string;
  /**
   * `point-in-time`: the time to restore to, ISO 8601 in UTC (`2026-01-09T07:30:00Z`).
   * @default - useLatestRestorableTime must be true
   */
  readonly restoreTime?: string;
  /**
   * `point-in-time`: restore to the latest restorable time.
   * @default - restoreTime must be given
   */
  readonly useLatestRestorableTime?: boolean;
}

/** The execution input of a target: its fields, without the ones it leaves out. */
function targetInput(t: RestoreTarget, task: string | undefined): Record<string, unknown> {
  const optional = {
    snapshotIdentifier: t.snapshotIdentifier,
    source: t.source,
    restoreTime: t.restoreTime,
    useLatestRestorableTime: t.useLatestRestorableTime,
  };
  return {
    identifier: t.identifier,
    task,
    isCluster: t.isCluster ?? false,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}

/**
 * When to start executions, and for which databases. Each target starts its
 * own execution, with the input `{"identifier": ..., "task": ..., "isCluster": ...}`.
 */
export interface RestoreSchedule {
  /**
   * When it runs: a cron or rate expression, with an optional time zone
   * (cron expressions are in UTC unless given one), for example
   * `ScheduleExpression.cron({ minute: '0', hour: '8', weekDay: 'FRI' })`.
   */
  readonly schedule: scheduler.ScheduleExpression;
  /** The databases it restores: one execution each. */
  readonly targets: RestoreTarget[];
  /**
   * Whether the schedule starts executions. Off by default, like the original
   * Trapheus's rule: deploying a schedule never starts a destructive restore
   * by itself; turn it on deliberately.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Describes the schedule; it also names the schedule in synth errors.
   * @default - the task and identifier of each target
   */
  readonly description?: string;
  /**
   * Start ONE fleet execution for all the targets (`{"targets": [...]}`):
   * one summary and one alert for the whole schedule, at most
   * `maxConcurrency` targets at a time, within RDS's request budget. At most 50 targets.
   * @default false - one execution per target
   */
  readonly asFleet?: boolean;
  /**
   * With `asFleet`: how many targets run at the same time.
   * @default - the `fleetConcurrency` of the TrapheusRestore (5)
   */
  readonly maxConcurrency?: number;
}

/** Props for `RestoreSchedules`. */
export interface RestoreSchedulesProps {
  /** The state machine the schedules start. */
  readonly stateMachine: sfn.IStateMachine;
  readonly schedules: RestoreSchedule[];
  /**
   * The identifiers the state machine may restore (`allowedIdentifiers` of
   * `TrapheusRestore`): a target outside them fails at synth, since every run
   * would fail with `IdentifierNotAllowed`. Targets and entries that are tokens
   * are not checked.
   * @default - not checked (the databases are chosen by the `trapheus:restorable` tag)
   */
  readonly allowedIdentifiers?: string[];
}

/** How a schedule is named in messages: its position, and its description or expression. */
function scheduleLabel(s: RestoreSchedule, i: number, count: number): string {
  const what = s.description ?? (Token.isUnresolved(s.schedule.expressionString) ? undefined : s.schedule.expressionString);
  return `schedules[${i}]${count > 1 ? ` (schedule ${i + 1} of ${count})` : ''}${what ? ` "${what}"` : ''}`;
}

/**
 * EventBridge Scheduler schedules in a schedule group of their own: one
 * schedule per target of each `RestoreSchedule`, so each database gets its
 * own execution, or one fleet execution for all its targets (`asFleet`). A
 * target with an invalid input fails at synth.
 */
export class RestoreSchedules extends Construct {
  /** The group that holds this pipeline's schedules. */
  public readonly group: scheduler.ScheduleGroup;
  /** One schedule per target, in the order given. */
  public readonly schedules: scheduler.Schedule[] = [];

  constructor(scope: Construct, id: string, props: RestoreSchedulesProps) {
    super(scope, id);
    checkProps(this, () => validateSchedules(props.schedules, props.allowedIdentifiers));
    this.group = new scheduler.ScheduleGroup(this, 'Group', { removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler start the Trapheus restore state machine',
    });

    props.schedules.forEach((s, i) => {
      const enabled = s.enabled ?? false;
      if (!enabled) {
        Annotations.of(this).addInfo(`${scheduleLabel(s, i, props.schedules.length)} is disabled (enabled defaults to false): `
          + 'it starts no execution until you set enabled: true.');
      }
      const start = (scheduleId: string, input: Record<string, unknown>, what: string) => {
        const description = (s.description ? `${s.description}: ${what}` : `Trapheus: ${what}`).slice(0, 512);
        const schedule = new scheduler.Schedule(this, scheduleId, {
          schedule: s.schedule,
          scheduleGroup: this.group,
          enabled,
          description,
          target: new targets.StepFunctionsStartExecution(props.stateMachine, {
            role,
            input: scheduler.ScheduleTargetInput.fromObject(input),
            // StartExecution rarely fails; when it does (throttling), retry for
            // up to an hour, not for a day: a restore that starts hours late
            // would surprise the people using the database.
            retryAttempts: 3,
            maxEventAge: Duration.hours(1),
          }),
        });
        // The schedule names its group by a literal name, not a Ref: without
        // this, CloudFormation may create the schedule before its group.
        schedule.node.addDependency(this.group);
        this.schedules.push(schedule);
      };
      if (s.asFleet) {
        // One fleet execution for every target of this schedule (src/fleet.ts).
        const fleet = s.targets.map((t) => targetInput(t, t.task.value));
        start(`Schedule${i}-fleet`, { targets: fleet, ...(s.maxConcurrency !== undefined ? { maxConcurrency: s.maxConcurrency } : {}) },
          `fleet of ${fleet.length} (${fleet.map((t) => t.identifier).join(', ')})`);
        return;
      }
      for (const t of s.targets) {
        const input = targetInput(t, t.task.value);
        const what = `${input.task} of ${input.identifier}${input.isCluster ? ' (cluster)' : ''}`;
        start(`Schedule${i}-${Token.isUnresolved(t.identifier) ? `target${s.targets.indexOf(t)}` : t.identifier}`, input, what);
      }
    });
  }
}

/**
 * Refuse, at synth, a schedule without targets and a target whose input the
 * state machine would refuse, naming the schedule and the target: an invalid
 * input, or an identifier outside `allowedIdentifiers`; and two targets of one
 * schedule on the same database (they would run at once).
 */
export function validateSchedules(schedules: RestoreSchedule[], allowedIdentifiers?: string[]): void {
  schedules.forEach((s, i) => {
    const label = scheduleLabel(s, i, schedules.length);
    if (s.targets.length === 0) throw new Error(`${label} has no targets: give at least one { identifier, task, isCluster }`);
    if (s.maxConcurrency !== undefined && !s.asFleet) throw new Error(`${label}: maxConcurrency applies only with asFleet: true`);
    if (s.asFleet && s.targets.length > MAX_FLEET_TARGETS) {
      throw new Error(`${label}: asFleet with ${s.targets.length} targets; a fleet has at most ${MAX_FLEET_TARGETS}: split it into several schedules`);
    }
    const why = s.maxConcurrency !== undefined ? concurrencyProblem(s.maxConcurrency) : undefined;
    if (why) throw new Error(`${label}: maxConcurrency ${why}`);
    const seen = new Map<string, number>();
    s.targets.forEach((t, j) => {
      const task = taskValue(t.task);
      const input = targetInput(t, task.value);
      // A token (a value known only at deploy time) cannot be checked here.
      const problems = inputProblems(input).filter((p) => {
        const value = (input as Record<string, unknown>)[p.field];
        return !(typeof value === 'string' && Token.isUnresolved(value)) && !(p.field === 'task' && task.problem);
      });
      if (task.problem) problems.unshift({ error: 'InvalidTask', field: 'task', message: task.problem });
      const targetLabel = `targets[${j}]${typeof t.identifier === 'string' && !Token.isUnresolved(t.identifier) ? ` (${JSON.stringify(t.identifier)})` : ''}`;
      if (problems.length > 0) {
        throw new Error(`${label}, ${targetLabel}: ${problems.map((p) => p.message).join(' ')}`);
      }
      // Outside the allowed identifiers, every run would fail with IdentifierNotAllowed. (When an
      // entry is a token, a target that matches no literal entry may still be its value.)
      if (allowedIdentifiers && !Token.isUnresolved(t.identifier) && !allowedIdentifiers.some((p) => Token.isUnresolved(p))
        && !isAllowed(t.identifier, allowedIdentifiers)) {
        throw new Error(`${label}, ${targetLabel}: ${JSON.stringify(t.identifier)} is not in allowedIdentifiers `
          + `(${allowedIdentifiers.map((p) => JSON.stringify(p)).join(', ')}), so every run of this schedule would fail with `
          + 'IdentifierNotAllowed: add it to allowedIdentifiers, or remove the target');
      }
      if (!Token.isUnresolved(t.identifier)) {
        const earlier = seen.get(t.identifier);
        if (earlier !== undefined) {
          throw new Error(`${label}, ${targetLabel}: targets[${earlier}] already restores ${t.identifier} on this schedule; `
            + 'two executions on one database at the same time would collide');
        }
        seen.set(t.identifier, j);
      }
    });
  });
}
