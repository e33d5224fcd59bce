import { copiesSharedSnapshot, quotaProblems, targetNeeds } from '../../lambda-src/fleet/quotas';
import { fleetSummary, targetSummary } from '../../lambda-src/fleet/summary';

const quotas = (over: Record<string, [number, number]>) =>
  Object.entries(over).map(([AccountQuotaName, [Used, Max]]) => ({ AccountQuotaName, Used, Max }));

describe('fleet quotas', () => {
  test('what each target needs: a restore adds its database (a cluster: its members too); a create task adds a snapshot', () => {
    expect(targetNeeds({ identifier: 'a', task: 'create_snapshot', isCluster: false }, 0)).toEqual({ identifier: 'a', instances: 1, clusters: 0, snapshots: 1, clusterSnapshots: 0 });
    expect(targetNeeds({ identifier: 'b', task: 'db_restore', isCluster: true }, 3)).toEqual({ identifier: 'b', instances: 3, clusters: 1, snapshots: 0, clusterSnapshots: 0 });
    expect(targetNeeds({ identifier: 'c', task: 'create_snapshot_only', isCluster: true }, 3)).toEqual({ identifier: 'c', instances: 0, clusters: 0, snapshots: 0, clusterSnapshots: 1 });
    expect(targetNeeds({ identifier: 'd', task: 'export_snapshot', isCluster: false }, 0)).toEqual({ identifier: 'd', instances: 0, clusters: 0, snapshots: 0, clusterSnapshots: 0 });
  });

  test('databases count for the busiest maxConcurrency targets; snapshots for all; at the limit fits, one more is refused', () => {
    const needs = [3, 1, 1, 1].map((members, i) => targetNeeds({ identifier: `t${i}`, task: 'create_snapshot', isCluster: members > 1 }, members));
    // 2 at a time: the cluster (3 members) and one instance = 4 instances; 3 instance snapshots in all
    expect(quotaProblems(quotas({ DBInstances: [36, 40], ManualSnapshots: [97, 100] }), needs, 2)).toEqual([]);
    const over = quotaProblems(quotas({ DBInstances: [37, 40], ManualSnapshots: [98, 100] }), needs, 2);
    expect(over).toHaveLength(2);
    expect(over[0]).toMatch(/^DBInstances: the fleet needs 4 more .*, but 37 of 40 are used; .* free 1, or run fewer targets at a time \(maxConcurrency\)\.$/);
    expect(over[1]).toMatch(/^ManualSnapshots: the fleet needs 3 more .*, but 98 of 100 are used; .* free 1, or run fewer targets\.$/);
  });

  test('shared snapshots: at most 20 copies at once', () => {
    expect(copiesSharedSnapshot({ task: 'db_restore', snapshotIdentifier: 'arn:aws:rds:us-east-1:210987654321:snapshot:golden' }, '123456789012')).toBe(true);
    expect(copiesSharedSnapshot({ task: 'db_restore', snapshotIdentifier: 'arn:aws:rds:us-east-1:123456789012:snapshot:golden' }, '123456789012')).toBe(false);
    expect(copiesSharedSnapshot({ task: 'db_restore', snapshotIdentifier: 'golden' }, '123456789012')).toBe(false);
    expect(quotaProblems([], [], 20, 30)).toEqual([]);
    expect(quotaProblems([], [], 21, 30)).toEqual([expect.stringMatching(/^Snapshot copies: 21 targets would copy a shared snapshot at once; .* set maxConcurrency to 20 or less\.$/)]);
  });
});

describe('fleet summary', () => {
  const input = (identifier: string) => ({ identifier, isCluster: false, task: 'db_restore' });

  test('a succeeded child: its status, duration and ARN; a failed one: its error and cause out of the child\'s description', () => {
    const ok = targetSummary({ input: input('a'), execution: { executionArn: 'arn:x:a', status: 'SUCCEEDED', startDate: 1_000_000, stopDate: 1_090_000 } });
    expect(ok).toEqual({ identifier: 'a', isCluster: false, task: 'db_restore', result: 'SUCCEEDED', durationSeconds: 90, execution: 'arn:x:a' });
    const described = { ExecutionArn: 'arn:x:b', Status: 'FAILED', StartDate: 1_000_000, StopDate: 1_600_000, Error: 'RestoreFailed', Cause: `Restoring b failed.\n${'x'.repeat(400)}` };
    const failed = targetSummary({ input: input('b'), failed: true, error: 'States.TaskFailed', cause: JSON.stringify(described) });
    expect(failed).toMatchObject({ result: 'FAILED', error: 'RestoreFailed', durationSeconds: 600, execution: 'arn:x:b' });
    expect(failed.cause).toHaveLength(300);
    expect(failed.cause).toMatch(/^Restoring b failed\. x+…$/);
    // not started (e.g. StartExecution refused): no child, the error as caught
    expect(targetSummary({ input: input('c'), failed: true, error: 'StepFunctions.AccessDeniedException', cause: 'not authorized' }))
      .toEqual({ identifier: 'c', isCluster: false, task: 'db_restore', result: 'NOT_STARTED', error: 'StepFunctions.AccessDeniedException', cause: 'not authorized' });
  });

  test('the fleet summary counts every result that is not SUCCEEDED as failed, one line per target', () => {
    const s = fleetSummary([
      { identifier: 'a', isCluster: false, task: 'db_restore', result: 'SUCCEEDED', durationSeconds: 3700, downtimeSeconds: 95 },
      { identifier: 'b', isCluster: true, task: 'db_restore', result: 'TIMED_OUT', durationSeconds: 60 },
    ]);
    expect(s).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    expect(s.text.split('\n')).toEqual([
      '1 of 2 targets failed; 1 succeeded.',
      'a db_restore: SUCCEEDED in 61m 40s, down 1m 35s',
      'b (cluster) db_restore: TIMED_OUT in 1m 00s',
    ]);
  });
});
