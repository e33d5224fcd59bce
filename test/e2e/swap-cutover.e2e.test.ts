import { Harness, identity } from './harness';
import { INSTANCE_ATTRIBUTES } from '../../lambda-src/rds/instance-config';
import { Cutover } from '../../src';
import { fullyConfiguredInstance } from '../sim/fixtures';

const swap = new Harness({ cutover: Cutover.RESTORE_THEN_SWAP });
const renameFirst = new Harness();
let h = swap;
afterEach(() => h.done());

const input = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

describe('cutover RESTORE_THEN_SWAP', () => {
  test('the endpoint is down only for the two renames, not for the restore', async () => {
    h = renameFirst;
    h.fresh();
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    await h.run(input);
    const renameFirstDown = h.sim.endpointDowntime('orders-db').reduce((t, d) => t + d.seconds, 0);

    h = swap;
    h.fresh();
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    const down = h.sim.endpointDowntime('orders-db');
    expect(down).toHaveLength(1);
    // the restore (20 min in the simulation) happens while the original still serves
    expect(down[0].seconds).toBeLessThan(h.sim.durations.restore);
    expect(down[0].seconds).toBeLessThan(renameFirstDown / 2);
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    const renameOriginal = h.sim.calls.find((c) => c.input.NewDBInstanceIdentifier === 'orders-db-trapheus-old')!;
    expect(restore.input.DBInstanceIdentifier).toBe('orders-db-trapheus-new');
    expect(renameOriginal.at).toBeGreaterThan(restore.at + h.sim.durations.restore); // the original was renamed only once the staged copy was ready

    const after = h.sim.instance('orders-db')!;
    expect(after.DbiResourceId).not.toBe(before.DbiResourceId);
    expect(after.Endpoint?.Address).toBe(before.Endpoint?.Address);
    expect(INSTANCE_ATTRIBUTES.filter((a) => !same(a.read(after), a.read(before)) && !(a.key === 'availabilityZone' && before.MultiAZ))).toEqual([]);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
    expect(h.sim.mutatingCalls().map((c) => c.command + (c.input.NewDBInstanceIdentifier ? ` → ${c.input.NewDBInstanceIdentifier}` : ''))).toEqual([
      'CreateDBSnapshot', 'RestoreDBInstanceFromDBSnapshot', 'ModifyDBInstance',
      'ModifyDBInstance → orders-db-trapheus-old', 'ModifyDBInstance → orders-db', 'ModifyDBInstance', 'DeleteDBInstance',
    ]);
  });

  test('a failed staged restore never touches the original: no rename, nothing left behind', async () => {
    h = swap;
    h.fresh();
    const before = identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')));
    h.sim.stickNext('orders-db-trapheus-new', 'incompatible-restore');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DBInstanceFailed');
    expect(h.sim.calls.filter((c) => c.input.NewDBInstanceIdentifier)).toEqual([]);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(h.sim.endpointDowntime('orders-db')).toEqual([]);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
  });

  test('a failed move of the staged instance rolls back: staged copy deleted, original back', async () => {
    h = swap;
    h.fresh();
    const before = identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')));
    h.sim.failOn({ command: 'ModifyDBInstance', when: (i) => i.DBInstanceIdentifier === 'orders-db-trapheus-new' && i.NewDBInstanceIdentifier === 'orders-db', error: 'InvalidDBInstanceStateFault', message: 'simulated' });
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/Rolled back: orders-db is the original DB instance again/);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
    expect(result.path).toContain('Delete the staged instance');
  });
});

describe('cutover RESTORE_THEN_SWAP, to a point in time (issue 9)', () => {
  test('the staged restore names the original by its identifier, which it still holds; then the swap', async () => {
    h = swap;
    h.fresh();
    const before = h.sim.addInstance(fullyConfiguredInstance('orders-db', { InstanceCreateTime: new Date('2026-01-05T08:00:00Z') }));
    const result = await h.run({ identifier: 'orders-db', task: 'db_restore', isCluster: false, source: 'point-in-time', restoreTime: '2026-01-08T12:00:00Z' });
    expect(result.status).toBe('SUCCEEDED');
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBInstanceToPointInTime')!;
    expect(restore.input).toMatchObject({
      TargetDBInstanceIdentifier: 'orders-db-trapheus-new', SourceDBInstanceIdentifier: 'orders-db', RestoreTime: new Date('2026-01-08T12:00:00Z'),
    });
    expect(restore.input.SourceDbiResourceId).toBeUndefined();
    // the original still served under its identifier when the restore started
    const renames = h.sim.calls.filter((c) => c.command === 'ModifyDBInstance' && c.input.NewDBInstanceIdentifier);
    expect(renames[0].at).toBeGreaterThan(restore.at);
    expect(h.sim.instance('orders-db')!.DbiResourceId).not.toBe(before.DbiResourceId);
    expect(h.sim.instances().map((i) => i.DBInstanceIdentifier)).toEqual(['orders-db']);
  });
});
