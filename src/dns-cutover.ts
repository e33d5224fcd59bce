import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ResolvedDnsAlias } from './cutover';
import { ExecutionEndings } from './endings';
import { invoke } from './invoke';

/** The first interval of a record change wait: Route 53 changes "generally" propagate within 60 s (API_ChangeResourceRecordSets). */
export const FIRST_CHANGE_POLL_SECONDS = 10;

/** Where a DNS alias branch keeps what it knows (see `DnsRef` in lambda-src/rds/job.ts). */
export const DNS_PATHS = {
  /** The identifier the record pointed at when the run started: the old database. */
  serving: '$.dns.serving',
  /** The other identifier: where the restore goes. */
  next: '$.dns.next',
} as const;

export interface DnsCutoverProps {
  readonly dnsFunction: lambda.IFunction;
  readonly dns: ResolvedDnsAlias;
  readonly endings: ExecutionEndings;
  /** `instance` or `cluster`: for state names. */
  readonly noun: string;
}

/**
 * The states of a DNS alias cutover (`Cutover.dnsAlias()`), for one branch:
 * find the serving database from the record (or adopt the database when
 * there is no record), switch the record to the restored database and wait
 * until Route 53 has it everywhere (INSYNC), let clients drain from the old
 * one; in rollback after the switch, switch the record back.
 */
export class DnsCutover {
  constructor(private readonly scope: Construct, private readonly props: DnsCutoverProps) {}

  /**
   * The branch's first states: read the record (which identifier serves);
   * with no record and a restore asked for, create it (pointing at the
   * database named `identifier`) and succeed as `Adopted`; else `onward`.
   */
  start(onward: sfn.IChainable, unchanged: sfn.IChainable): sfn.IChainable {
    const noun = this.props.noun;
    const resolve = invoke(this.scope, `Find the serving ${noun} from the DNS record`, this.props.dnsFunction,
      { 'op': 'resolve', 'job.$': '$' }, '$.dns');
    resolve.addCatch(unchanged, { resultPath: '$.error' });
    const adopt = invoke(this.scope, `Point the new DNS record at the ${noun}`, this.props.dnsFunction, { 'op': 'adopt', 'job.$': '$' }, '$.adopted');
    adopt.addCatch(unchanged, { resultPath: '$.error' });
    const adoption = sfn.Chain.start(adopt)
      .next(this.changeWait(`new DNS record of the ${noun}`, '$.adopted.changeId', unchanged))
      .next(this.props.endings.succeed(`DNS record created for the ${noun}`));
    return sfn.Chain.start(resolve).next(new sfn.Choice(this.scope, `Is there a DNS record for the ${noun} yet?`)
      .when(sfn.Condition.booleanEquals('$.dns.adopt', true), adoption)
      .otherwise(onward));
  }

  /**
   * Switch the record to the restored database, wait until the change is
   * INSYNC, then keep the old database serving for the drain period. A
   * failure goes to `rollback` (which switches the record back).
   */
  switchOver(rollback: sfn.IChainable): sfn.Chain {
    const switchRecord = invoke(this.scope, `Point the DNS record at the restored ${this.props.noun}`, this.props.dnsFunction,
      { 'op': 'switch', 'job.$': '$' }, '$.switched');
    switchRecord.addCatch(rollback, { resultPath: '$.error' });
    const drain = this.props.dns.drainSeconds;
    const words = drain % 60 === 0 ? `${drain / 60} minute${drain === 60 ? '' : 's'}` : `${drain} seconds`;
    return sfn.Chain.start(switchRecord)
      .next(this.changeWait(`DNS record switch to the restored ${this.props.noun}`, '$.switched.changeId', rollback))
      .next(new sfn.Wait(this.scope, `Let clients drain from the old ${this.props.noun} for ${words}`, {
        time: sfn.WaitTime.duration(Duration.seconds(drain)),
      }));
  }

  /** Rollback after the switch: the record back to the original, INSYNC, then `then` (the staged database goes). */
  switchBack(failed: sfn.IChainable, then: sfn.IChainable): sfn.Chain {
    const back = invoke(this.scope, `Point the DNS record back at the original ${this.props.noun}`, this.props.dnsFunction,
      { 'op': 'switch-back', 'job.$': '$' }, '$.switchedBack');
    back.addCatch(failed, { resultPath: '$.rollbackError' });
    return sfn.Chain.start(back)
      .next(this.changeWait(`DNS record switch back to the original ${this.props.noun}`, '$.switchedBack.changeId', failed, '$.rollbackError'))
      .next(then);
  }

  /**
   * Wait (back-off from 10 s to 30 s) until a record change is INSYNC
   * (GetChange). The states are named like every wait's ("Wait for …",
   * "Check …", "Is … ready?"), so timelines fold them the same way.
   */
  private changeWait(subject: string, changeIdPath: string, onError: sfn.IChainable, errorPath = '$.error'): sfn.Chain {
    const start = new sfn.Pass(this.scope, `Start waiting for ${subject}`, {
      result: sfn.Result.fromObject({ elapsed: 0, interval: FIRST_CHANGE_POLL_SECONDS }),
      resultPath: '$.wait',
    });
    const wait = new sfn.Wait(this.scope, `Wait for ${subject}`, { time: sfn.WaitTime.secondsPath('$.wait.interval') });
    const check = invoke(this.scope, `Check ${subject}`, this.props.dnsFunction, {
      'op': 'change', subject, 'changeId.$': changeIdPath, 'wait.$': '$.wait',
    }, '$.wait');
    check.addCatch(onError, { resultPath: errorPath });
    const ready = new sfn.Choice(this.scope, `Is ${subject} ready?`).when(sfn.Condition.booleanEquals('$.wait.done', false), wait);
    start.next(wait).next(check).next(ready);
    return sfn.Chain.custom(start, ready.afterwards({ includeOtherwise: true }).endStates, ready);
  }
}
