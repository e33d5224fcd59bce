import { Duration } from 'aws-cdk-lib';
import { Cutover, CutoverOptions, resolveDnsAlias } from './cutover';
import { OldDatabaseOptions, resolveOldDatabase } from './old-database';
import { PollingOptions, pollsForWait, resolvePolling } from './polling';

/**
 * How many waits a branch has (forward and rollback), to size the history
 * check and the execution timeout: the instance branch 5 + 4
 * (RESTORE_THEN_SWAP adds 3 + 2; a DNS alias, 3 + 2 and its record changes 2 + 1),
 * the cluster branch 9 + 7 (RESTORE_THEN_SWAP: 9 + 8; a DNS alias: 7 + 5);
 * keeping the old database adds 2, a final snapshot 1 (2 for an instance: the
 * old instance is also waited for to be available before it).
 */
export function branchWaits(props: OldDatabaseOptions & CutoverOptions, kind: 'instance' | 'cluster'): number {
  const old = resolveOldDatabase(props);
  const dns = props.cutover?.dnsRecord !== undefined;
  const staged = dns || props.cutover === Cutover.RESTORE_THEN_SWAP;
  const base = kind === 'cluster' ? 16 + (staged && !dns ? 1 : 0) : 9 + (staged ? 5 : 0) + (dns ? 3 : 0);
  return base + (old.keepSeconds ? 2 : 0) + (old.payload.finalSnapshot ? (kind === 'instance' ? 2 : 1) : 0);
}

/** Time allowed for each status check the waits make (a check takes well under a second). */
export const SECONDS_PER_CHECK = 10;
/**
 * Time allowed for the other tasks and their retries: a throttled RDS or Lambda
 * call retries for 2 to 3 minutes, a final snapshot of a busy old database for
 * up to about an hour.
 */
export const TASKS_MARGIN = Duration.hours(2);

/**
 * The longest a legitimate execution lasts: every wait of the longer branch
 * at `maxWait`, plus `SECONDS_PER_CHECK` for each status check those waits
 * make, plus the keep window of `OldDatabasePolicy.keepFor()`, plus
 * `TASKS_MARGIN`; rounded up to whole hours. It is the state machine's
 * timeout (an execution that passes it ends TIMED_OUT, so its restore lock
 * is taken over) and the restore lock's lifetime. With the default props,
 * 102 hours (16 waits of 6 hours, 88 status checks each: a learned wait that
 * runs past its history's duration, `pollsForWait`).
 */
export function executionTimeout(props: PollingOptions & OldDatabaseOptions & CutoverOptions): Duration {
  const waits = Math.max(branchWaits(props, 'instance'), branchWaits(props, 'cluster'));
  const policy = resolvePolling(props, waits);
  const seconds = waits * (policy.maxWait + pollsForWait(policy) * SECONDS_PER_CHECK)
    + (resolveOldDatabase(props).keepSeconds ?? 0) + (resolveDnsAlias(props)?.drainSeconds ?? 0) + TASKS_MARGIN.toSeconds();
  return Duration.hours(Math.ceil(seconds / 3600));
}
