import { Harness } from './harness';
import { addCallGate, AwsCall } from '../sim/aws-calls';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';
import { IamCheck } from '../sim/iam-check';

const h = new Harness();
beforeEach(() => h.fresh());
afterEach(() => h.done());

const INSTANCES = ['db-1', 'db-2', 'db-3', 'db-4', 'db-5', 'db-6', 'db-7'];
const CLUSTERS = ['aurora-1', 'aurora-2', 'aurora-3'];

function seedFleet() {
  const before = new Map<string, string | undefined>();
  for (const id of INSTANCES) before.set(id, h.sim.addInstance(fullyConfiguredInstance(id)).DbiResourceId);
  for (const id of CLUSTERS) before.set(id, seedCluster(h.sim, id).cluster.DbClusterResourceId);
  return before;
}

const fleetInput = (maxConcurrency?: number) => ({
  targets: [
    ...INSTANCES.map((identifier) => ({ identifier, task: 'create_snapshot', isCluster: false })),
    ...CLUSTERS.map((identifier) => ({ identifier, task: 'create_snapshot', isCluster: true })),
  ],
  ...(maxConcurrency ? { maxConcurrency } : {}),
});

describe('a fleet of 10 instances and clusters', () => {
  test('one target fails and rolls back; the others are restored; the fleet ends FAILED with a summary of each', async () => {
    const before = seedFleet();
    h.sim.failOn({
      command: 'RestoreDBInstanceFromDBSnapshot',
      when: (i) => i.DBInstanceIdentifier === 'db-4',
      error: 'InsufficientDBInstanceCapacityFault',
      message: 'Cannot create a db.r6g.large instance in us-east-1',
    });
    const started: AwsCall[] = [];
    const checks: AwsCall[] = [];
    const removeGate = addCallGate((c) => {
      if (c.action === 'StartExecution') started.push(c);
      if (c.caller?.startsWith('RestoreHandlersCheckStatus') && (c.service === 'rds' || c.input?.Key?.lockKey?.S?.startsWith('status-cache:'))) checks.push(c);
    });
    const result = await h.run(fleetInput(4));
    removeGate();
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('FleetTargetsFailed');
    // the targets' status checks share listings of the account (lambda-src/rds/status-cache.ts), each call allowed by the IAM check
    const listings = checks.filter((c) => c.service === 'rds' && !c.input.DBInstanceIdentifier && !c.input.DBSnapshotIdentifier && !c.input.Filters);
    expect(listings.map((c) => c.action)).toEqual(expect.arrayContaining(['DescribeDBInstances', 'DescribeDBClusters', 'DescribeDBSnapshots']));
    expect(checks.filter((c) => c.service === 'dynamodb').map((c) => c.action)).toEqual(expect.arrayContaining(['GetItem', 'UpdateItem']));
    // each child started by the state machine's role, checked by the IAM check against its synthesized policy
    expect(started).toHaveLength(10);
    expect(started.map((c) => c.caller)).toEqual(Array(10).fill(h.definition.stateMachineId));
    expect(started[0].input).toEqual({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${h.definition.stateMachineId}` });
    expect(result.cause).toMatch(/^1 of 10 targets failed; 9 succeeded\./);
    expect(result.cause).toMatch(/db-4 create_snapshot: FAILED InsufficientDBInstanceCapacityFault/);

    // every target ran as its own child execution of the same state machine
    expect(result.children).toHaveLength(10);
    for (const id of [...INSTANCES, ...CLUSTERS]) expect(result.cause).toMatch(new RegExp(`^${id}( \\(cluster\\))? create_snapshot: (SUCCEEDED|FAILED)`, 'm'));
    for (const child of result.children!) {
      expect(child.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:RestoreStateMachine[0-9A-F]+:sim-\d+$/);
    }
    // the first 4 (maxConcurrency) start 10 s apart; the others when a slot frees
    const turns = result.children!.map((c) => c.timeline.find((e) => e.state === 'Wait for this target\'s turn')!.seconds);
    expect(turns.sort((a, b) => a! - b!)).toEqual([0, 0, 0, 0, 0, 0, 0, 10, 20, 30]);
    const failedChildren = result.children!.filter((c) => c.status === 'FAILED');
    expect(failedChildren).toHaveLength(1);
    expect(failedChildren[0].path).toContain('Rename the original back');

    // the failed target is its original again; every other one is a restored database under its identifier
    expect(h.sim.instance('db-4')!.DbiResourceId).toBe(before.get('db-4'));
    expect(h.sim.instance('db-4')!.DBInstanceStatus).toBe('available');
    for (const id of INSTANCES.filter((i) => i !== 'db-4')) {
      expect(h.sim.instance(id)!.DbiResourceId).not.toBe(before.get(id));
      expect(h.sim.instance(id)!.DBInstanceStatus).toBe('available');
    }
    for (const id of CLUSTERS) {
      expect(h.sim.cluster(id)!.DbClusterResourceId).not.toBe(before.get(id));
      expect(h.sim.cluster(id)!.Status).toBe('available');
    }

    // one alert for the fleet, a row per target; the rolled-back target sends none of its own
    const alerts = h.aws.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'failure', error: 'FleetTargetsFailed', needsAttention: false });
    expect(alerts[0].headline).toMatch(/failed for 1 of 10 targets \(db-4\); 9 succeeded/);
    expect(Object.keys(alerts[0].details).sort()).toEqual([...INSTANCES, ...CLUSTERS.map((c) => `${c} (cluster)`)].sort());
    expect(alerts[0].details['db-4']).toMatch(/^FAILED InsufficientDBInstanceCapacityFault, create_snapshot in .*Rolled back/);
    expect(alerts[0].details['db-1']).toMatch(/^SUCCEEDED, create_snapshot in \d+ min \d+ s, down \d+ min \d+ s \(execution sim-\d+\)$/);
  });

  test('a target whose rollback fails still sends its own alert, besides the fleet\'s', async () => {
    seedFleet();
    h.sim.failOn({ command: 'RestoreDBInstanceFromDBSnapshot', when: (i) => i.DBInstanceIdentifier === 'db-2', error: 'StorageQuotaExceeded' });
    h.sim.failOn({ command: 'ModifyDBInstance', when: (i) => i.NewDBInstanceIdentifier === 'db-2', error: 'InvalidParameterValue', message: 'simulated refusal' });
    const result = await h.run(fleetInput(10));
    expect(result.status).toBe('FAILED');
    const alerts = h.aws.alerts();
    expect(alerts).toHaveLength(2);
    const own = alerts.find((a) => a.identifier === 'db-2');
    expect(own).toMatchObject({ kind: 'failure', phase: 'rollback-failed', needsAttention: true });
    const fleet = alerts.find((a) => a.error === 'FleetTargetsFailed');
    expect(fleet.details['db-2']).toMatch(/^FAILED StorageQuotaExceeded/);
  });
});

describe('a fleet refused before anything starts', () => {
  test('one bad target refuses the whole fleet, naming it; no RDS call, no child execution', async () => {
    seedFleet();
    const input = fleetInput();
    input.targets[3] = { identifier: 'Orders_DB', task: 'db_restore', isCluster: false };
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidIdentifier');
    expect(result.cause).toMatch(/targets\[3\]\.identifier: "identifier" "Orders_DB" is not a valid RDS identifier/);
    expect(h.sim.calls).toEqual([]);
    expect(result.children).toBeUndefined();
  });

  test('two targets naming the same database refuse the fleet', async () => {
    seedFleet();
    const input = fleetInput();
    input.targets.push({ identifier: 'db-2', task: 'create_snapshot_only', isCluster: false });
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DuplicateTarget');
    expect(result.cause).toMatch(/targets\[10\]\.identifier: "db-2" is already targets\[1\]/);
    expect(h.sim.calls).toEqual([]);
  });
});

describe('a fleet under RDS throttling', () => {
  test('30 % of RDS requests throttled costs only time: every target restored, no rollback, no failure', async () => {
    const before = seedFleet();
    const calm = await h.run({ identifier: 'db-1', task: 'create_snapshot_only', isCluster: false });
    expect(calm.status).toBe('SUCCEEDED');
    const throttling = h.sim.throttle(0.3, 11)!;
    const result = await h.run(fleetInput(10));
    expect(throttling.throttled).toBeGreaterThan(50);
    expect(throttling.throttled / (throttling.throttled + throttling.passed)).toBeCloseTo(0.3, 1);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.summary.failed).toBe(0);
    for (const child of result.children!) {
      expect(child.status).toBe('SUCCEEDED');
      expect(child.path.filter((s) => /back|Discard|rollback/i.test(s))).toEqual([]);
    }
    // some calls ran out of the SDK's attempts: the state machine's retries took them (time, not failure)
    const retries = result.children!.flatMap((c) => c.timeline.filter((e) => e.type === 'Retry'));
    expect(retries.length).toBeGreaterThan(0);
    for (const id of INSTANCES) expect(h.sim.instance(id)!.DbiResourceId).not.toBe(before.get(id));
    for (const id of CLUSTERS) expect(h.sim.cluster(id)!.DbClusterResourceId).not.toBe(before.get(id));
  });
});

describe('the fleet\'s quota check', () => {
  test('a fleet that would pass the DB instance quota is refused before any change, naming the quota', async () => {
    seedFleet();
    // 7 instances + 3 clusters of 3 members: 16 DB instances in use; 4 targets at a time: at most 3 clusters (3 members each) and 1 instance
    h.sim.quotas.DBInstances = 18;
    const result = await h.run(fleetInput(4));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('QuotaExceeded');
    expect(result.cause).toMatch(/DBInstances: the fleet needs 10 more .*, but 16 of 18 are used/);
    expect(result.children).toBeUndefined();
    expect(h.sim.mutatingCalls()).toEqual([]);
    expect(h.sim.calls.map((c) => c.command)).toEqual(['DescribeAccountAttributes', 'DescribeDBClusters', 'DescribeDBClusters', 'DescribeDBClusters']);
    const alerts = h.aws.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'failure', error: 'QuotaExceeded', needsAttention: false });
  });

  test('manual snapshots: a fleet that would take more than the quota allows is refused', async () => {
    seedFleet();
    h.sim.quotas.ManualSnapshots = 5;
    const result = await h.run(fleetInput(4));
    expect(result.error).toBe('QuotaExceeded');
    expect(result.cause).toMatch(/ManualSnapshots: the fleet needs 7 more .*, but 0 of 5 are used/);
    expect(result.cause).not.toMatch(/DBInstances/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });
});

test('the IAM check holds the state machine to its policy: starting another state machine is denied', () => {
  const other = 'arn:aws:states:us-east-1:123456789012:stateMachine:SomeoneElses';
  // a check of its own on the same template, so this deliberate denial stays out of the suite's IAM tally
  const iam = new IamCheck(h.template);
  const call = (stateMachineArn: string) => iam.check({ service: 'states', action: 'StartExecution', input: { stateMachineArn }, caller: h.definition.stateMachineId });
  expect(() => call(other))
    .toThrow(/not authorized to perform: states:StartExecution on resource: arn:aws:states:us-east-1:123456789012:stateMachine:SomeoneElses/);
  expect(iam.takeDenials()).toHaveLength(1);
  // and the pipeline's own state machine is allowed by the same check
  const own = 'arn:aws:states:us-east-1:123456789012:stateMachine:' + h.definition.stateMachineId;
  expect(() => call(own)).not.toThrow();
  expect(iam.takeCounts()).toEqual({ calls: 2, allowed: 1, denied: 1 });
});
