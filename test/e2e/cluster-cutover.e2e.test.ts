import * as route53 from 'aws-cdk-lib/aws-route53';
import { hook, hookFunction } from './fixtures/after-restore-hook.fixture';
import { Harness } from './harness';
import { AfterRestore, Cutover, OldDatabasePolicy } from '../../src';
import { seedCluster } from '../sim/fixtures';

const ZONE = 'Z0SIMULATED0ZONE';
const RECORD = 'orders-aurora.example.internal';
const dnsAlias = (stack: any) => Cutover.dnsAlias({
  hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE, zoneName: 'example.internal' }),
  recordName: 'orders-aurora',
});
const dns = new Harness((stack) => ({ cutover: dnsAlias(stack), afterRestore: AfterRestore.lambda(hookFunction(stack)) }));
const dnsFinalSnapshot = new Harness((stack) => ({ cutover: dnsAlias(stack), oldDatabase: OldDatabasePolicy.snapshotThenDelete() }));
const swap = new Harness({ cutover: Cutover.RESTORE_THEN_SWAP });
const renameFirst = new Harness();
let h = dns;
afterEach(() => {
  hook.events.splice(0);
  hook.run = undefined;
  h.done();
});

const input = { identifier: 'orders-aurora', task: 'create_snapshot', isCluster: true };
const MEMBERS = ['orders-aurora-1', 'orders-aurora-2', 'orders-aurora-3'];
const STAGED = MEMBERS.map((m) => `${m}-trapheus-new`);
const clusters = () => h.sim.clusters().map((c) => c.DBClusterIdentifier).sort();
const instances = () => h.sim.instances().map((i) => i.DBInstanceIdentifier).sort();
const total = (spans: { seconds: number }[]) => spans.reduce((t, s) => t + s.seconds, 0);
const recordValue = () => h.route53.record(ZONE, RECORD)?.values;

function fresh(harness: Harness) {
  h = harness;
  h.fresh();
  h.route53.addZone(ZONE, 'example.internal');
}

/** An Aurora cluster whose clients connect through the record. */
function adopted() {
  const seeded = seedCluster(h.sim);
  h.route53.putRecord(ZONE, { name: RECORD, type: 'CNAME', ttl: 30, values: [seeded.cluster.Endpoint!] });
  return seeded;
}

describe('Cutover.dnsAlias() for an Aurora cluster', () => {
  test('the first run adopts the cluster: the record points at its writer endpoint, nothing is restored', async () => {
    fresh(dns);
    const { cluster } = seedCluster(h.sim);
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    expect(recordValue()).toEqual([cluster.Endpoint]);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('the whole cluster is built under the other names, the record switches to it, the old one drains then goes: DNS downtime 0 s', async () => {
    fresh(dns);
    const before = adopted();
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.sim.calls.filter((c) => c.input.NewDBClusterIdentifier || c.input.NewDBInstanceIdentifier)).toEqual([]);
    expect(clusters()).toEqual(['orders-aurora-trapheus-new']);
    expect(instances()).toEqual(STAGED);
    const restored = h.sim.cluster('orders-aurora-trapheus-new')!;
    expect(recordValue()).toEqual([restored.Endpoint]);
    // the writer is the original writer's counterpart; the hook ran on the staged cluster before the switch
    expect(h.sim.writer('orders-aurora-trapheus-new')).toBe('orders-aurora-1-trapheus-new');
    expect(hook.events[0]).toMatchObject({ identifier: 'orders-aurora-trapheus-new', isCluster: true });
    const change = h.route53.changes.find((c) => c.id !== 'seed')!;
    const deleteCluster = h.sim.calls.find((c) => c.command === 'DeleteDBCluster')!;
    expect(deleteCluster.input.DBClusterIdentifier).toBe('orders-aurora');
    expect(h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!.at).toBeGreaterThanOrEqual(change.insyncAt + 300);
    h.sim.endpointDowntime('orders-aurora');
    expect(h.route53.downtime(RECORD, h.sim.endpointEvents)).toEqual([]);
    expect(restored.DbClusterResourceId).not.toBe(before.cluster.DbClusterResourceId);

    // and back: the next run builds under the first names again
    const second = await h.run({ ...input, task: 'db_restore' });
    expect(second.status).toBe('SUCCEEDED');
    expect(clusters()).toEqual(['orders-aurora']);
    expect(instances()).toEqual(MEMBERS);
    expect(h.sim.writer('orders-aurora')).toBe('orders-aurora-1');
    expect(recordValue()).toEqual([h.sim.cluster('orders-aurora')!.Endpoint]);
    h.sim.endpointDowntime('orders-aurora');
    expect(total(h.route53.downtime(RECORD, h.sim.endpointEvents))).toBe(0);
  });

  test('a failure before the switch deletes only the staged cluster and members', async () => {
    fresh(dns);
    const before = adopted();
    h.sim.stickNext('orders-aurora-2-trapheus-new', 'incompatible-parameters');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/Rolled back: orders-aurora is the original DB cluster again/);
    expect(h.route53.calls.filter((c) => c.action === 'ChangeResourceRecordSets')).toEqual([]);
    expect(clusters()).toEqual(['orders-aurora']);
    expect(instances()).toEqual(MEMBERS);
    expect(h.sim.cluster('orders-aurora')!.DbClusterResourceId).toBe(before.cluster.DbClusterResourceId);
  });

  test('a failure after the switch points the record back, then deletes the staged cluster', async () => {
    fresh(dns);
    const before = adopted();
    h.route53.failNext('GetChange', 'NoSuchChange');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.path).toContain('Point the DNS record back at the original cluster');
    expect(result.cause).toMatch(/Rolled back: orders-aurora is the original DB cluster again/);
    expect(recordValue()).toEqual([before.cluster.Endpoint]);
    expect(clusters()).toEqual(['orders-aurora']);
    expect(instances()).toEqual(MEMBERS);
  });
});

describe('Cutover.dnsAlias() for an Aurora cluster, snapshot then delete', () => {
  test('the old cluster (under its own name) gets the final cluster snapshot, named after the database', async () => {
    fresh(dnsFinalSnapshot);
    const before = adopted();
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    const deleted = h.sim.calls.find((c) => c.command === 'DeleteDBCluster')!;
    expect(deleted.input).toMatchObject({ DBClusterIdentifier: 'orders-aurora', FinalDBSnapshotIdentifier: 'orders-aurora-trapheus-final-20260109-080000' });
    expect(h.sim.clusterSnapshot('orders-aurora-trapheus-final-20260109-080000')!.DbClusterResourceId).toBe(before.cluster.DbClusterResourceId);
    expect(clusters()).toEqual(['orders-aurora-trapheus-new']);
    expect(instances()).toEqual(STAGED);
  });
});

describe('Cutover.RESTORE_THEN_SWAP for an Aurora cluster', () => {
  test('the staged cluster is built beside the original; the swap costs a fraction of the rename-first downtime', async () => {
    fresh(renameFirst);
    seedCluster(h.sim);
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    const renameFirstDown = total(h.sim.endpointDowntime('orders-aurora', 'cluster'));

    fresh(swap);
    const before = seedCluster(h.sim);
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    const down = total(h.sim.endpointDowntime('orders-aurora', 'cluster'));
    expect(down).toBeLessThanOrEqual(renameFirstDown / 3);
    // the original was renamed only once the staged cluster was verified
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBClusterFromSnapshot')!;
    expect(restore.input.DBClusterIdentifier).toBe('orders-aurora-trapheus-new');
    // the original members, then the original cluster, were renamed only once the staged cluster was verified
    const firstRename = h.sim.calls.find((c) => c.input.NewDBClusterIdentifier || c.input.NewDBInstanceIdentifier)!;
    expect(firstRename.input).toMatchObject({ DBInstanceIdentifier: 'orders-aurora-1', NewDBInstanceIdentifier: 'orders-aurora-1-trapheus-old' });
    const verified = result.timeline.find((e) => e.state === 'Verify the staged cluster and its writer')!;
    expect(firstRename.at).toBeGreaterThan(verified.at);
    const renameOriginal = h.sim.calls.find((c) => c.input.NewDBClusterIdentifier === 'orders-aurora-trapheus-old')!;
    expect(renameOriginal.at).toBeGreaterThan(h.sim.calls.filter((c) => c.input.NewDBInstanceIdentifier === 'orders-aurora-3').pop()!.at);
    // members keep their identifiers and roles: the same writer, the original members gone
    expect(clusters()).toEqual(['orders-aurora']);
    expect(instances()).toEqual(MEMBERS);
    expect(h.sim.writer('orders-aurora')).toBe('orders-aurora-1');
    expect(h.sim.cluster('orders-aurora')!.DbClusterResourceId).not.toBe(before.cluster.DbClusterResourceId);
    expect(h.sim.instance('orders-aurora-2')!.DbiResourceId).not.toBe(before.members[1].DbiResourceId);
    // eslint-disable-next-line no-console
    console.info(`cluster downtime: rename-first ${renameFirstDown} s, swap ${down} s`);
  });

  test('with a 2-minute cluster rename (the figure of the Multi-AZ DB cluster page; the Aurora page gives none) still a third at most', async () => {
    fresh(renameFirst);
    h.fresh({ clusterRename: 120 });
    seedCluster(h.sim);
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    const renameFirstDown = total(h.sim.endpointDowntime('orders-aurora', 'cluster'));
    fresh(swap);
    h.fresh({ clusterRename: 120 });
    seedCluster(h.sim);
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    const down = h.sim.endpointDowntime('orders-aurora', 'cluster');
    // the writer's rename (2 min), then the cluster rename (2 min)
    expect(down.map((d) => d.seconds)).toEqual([120, 121]);
    expect(total(down)).toBeLessThanOrEqual(renameFirstDown / 3);
  });

  test('a failure while building the staged cluster never touches the original', async () => {
    fresh(swap);
    const before = seedCluster(h.sim);
    h.sim.stickNext('orders-aurora-trapheus-new', 'inaccessible-encryption-credentials');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/Rolled back: orders-aurora is the original DB cluster again/);
    expect(h.sim.calls.filter((c) => c.input.NewDBClusterIdentifier || c.input.NewDBInstanceIdentifier)).toEqual([]);
    expect(h.sim.endpointDowntime('orders-aurora', 'cluster')).toEqual([]);
    expect(clusters()).toEqual(['orders-aurora']);
    expect(instances()).toEqual(MEMBERS);
    expect(h.sim.cluster('orders-aurora')!.DbClusterResourceId).toBe(before.cluster.DbClusterResourceId);
  });

  test('a failed move of the staged cluster puts the original back, then deletes the staged cluster', async () => {
    fresh(swap);
    const before = seedCluster(h.sim);
    h.sim.failOn({
      command: 'ModifyDBCluster',
      when: (i) => i.DBClusterIdentifier === 'orders-aurora-trapheus-new' && i.NewDBClusterIdentifier === 'orders-aurora',
      error: 'InvalidDBClusterStateFault',
      message: 'simulated',
    });
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.path).toContain('Rename the original cluster back');
    expect(result.cause).toMatch(/Rolled back: orders-aurora is the original DB cluster again/);
    expect(clusters()).toEqual(['orders-aurora']);
    expect(instances()).toEqual(MEMBERS);
    expect(h.sim.cluster('orders-aurora')!.DbClusterResourceId).toBe(before.cluster.DbClusterResourceId);
    expect(MEMBERS.map((m) => h.sim.instance(m)!.DbiResourceId)).toEqual(before.members.map((m) => m.DbiResourceId));
    expect(h.sim.writer('orders-aurora')).toBe('orders-aurora-1');
  });

  test('a failed rename of a staged member: the staged ones go, then the original members get their identifiers back', async () => {
    fresh(swap);
    const before = seedCluster(h.sim);
    h.sim.failOn({
      command: 'ModifyDBInstance',
      when: (i) => i.DBInstanceIdentifier === 'orders-aurora-2-trapheus-new' && i.NewDBInstanceIdentifier === 'orders-aurora-2',
      error: 'InvalidDBInstanceStateFault',
      message: 'simulated',
    });
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/Rolled back: orders-aurora is the original DB cluster again/);
    expect(result.path).toContain('Rename the original members back');
    expect(clusters()).toEqual(['orders-aurora']);
    expect(instances()).toEqual(MEMBERS);
    expect(MEMBERS.map((m) => h.sim.instance(m)!.DbiResourceId)).toEqual(before.members.map((m) => m.DbiResourceId));
  });
});
