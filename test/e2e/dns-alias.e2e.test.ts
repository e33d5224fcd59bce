import { Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { hook, hookFunction } from './fixtures/after-restore-hook.fixture';
import { Harness, identity } from './harness';
import { TAG_FINAL_SNAPSHOT_OF } from '../../lambda-src/delete.lambda';
import { AfterRestore, Cutover, OldDatabasePolicy } from '../../src';
import { fullyConfiguredInstance } from '../sim/fixtures';
import { IamCheck } from '../sim/iam-check';

const ZONE = 'Z0SIMULATED0ZONE';
const RECORD = 'orders-db.example.internal';
const dnsAlias = (stack: any) => Cutover.dnsAlias({
  hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE, zoneName: 'example.internal' }),
  recordName: 'orders-db',
});
const plain = new Harness((stack) => ({ cutover: dnsAlias(stack) }));
const withHook = new Harness((stack) => ({ cutover: dnsAlias(stack), afterRestore: AfterRestore.lambda(hookFunction(stack)) }));
const finalSnapshot = new Harness((stack) => ({ cutover: dnsAlias(stack), oldDatabase: OldDatabasePolicy.snapshotThenDelete() }));
const keep = new Harness((stack) => ({ cutover: dnsAlias(stack), oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(1)) }));
let h = plain;
afterEach(() => {
  hook.events.splice(0);
  hook.run = undefined;
  h.done();
});

const input = { identifier: 'orders-db', task: 'create_snapshot', isCluster: false };
const address = (id: string) => h.sim.instance(id)!.Endpoint!.Address!;
const recordValue = () => h.route53.record(ZONE, RECORD)?.values;
const ids = () => h.sim.instances().map((i) => i.DBInstanceIdentifier).sort();
const seconds = (spans: { seconds: number }[]) => spans.reduce((t, s) => t + s.seconds, 0);

function fresh(harness = plain) {
  h = harness;
  h.fresh();
  h.route53.addZone(ZONE, 'example.internal');
}

/** A database whose clients already connect through the record. */
function adopted(id = 'orders-db') {
  const db = h.sim.addInstance(fullyConfiguredInstance(id));
  h.route53.putRecord(ZONE, { name: RECORD, type: 'CNAME', ttl: 30, values: [db.Endpoint!.Address!] });
  return db;
}

describe('Cutover.dnsAlias() for a DB instance', () => {
  test('the first run adopts the database: it creates the record pointing at it and restores nothing', async () => {
    fresh();
    const before = identity(h.sim.addInstance(fullyConfiguredInstance('orders-db')));
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('Point the new DNS record at the instance');
    expect(result.path).not.toContain('Take a new snapshot');
    expect(recordValue()).toEqual([address('orders-db')]);
    expect(h.route53.record(ZONE, RECORD)!.ttl).toBe(30);
    expect(h.sim.mutatingCalls()).toEqual([]);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
  });

  test('a restore goes to the other identifier, the record switches, the old instance drains then goes: DNS downtime 0 s', async () => {
    fresh();
    const before = adopted();
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    // restored beside the original, which was never renamed
    const restore = h.sim.calls.find((c) => c.command === 'RestoreDBInstanceFromDBSnapshot')!;
    expect(restore.input.DBInstanceIdentifier).toBe('orders-db-trapheus-new');
    expect(h.sim.calls.filter((c) => c.input.NewDBInstanceIdentifier)).toEqual([]);
    expect(recordValue()).toEqual([address('orders-db-trapheus-new')]);
    expect(ids()).toEqual(['orders-db-trapheus-new']);
    // the record switched only once the staged instance was verified; the old instance was deleted after INSYNC + drain
    const change = h.route53.changes.find((c) => c.id !== 'seed')!;
    const deleted = h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!;
    expect(deleted.input.DBInstanceIdentifier).toBe('orders-db');
    expect(deleted.at).toBeGreaterThanOrEqual(change.insyncAt + 300);
    expect(change.at).toBeGreaterThan(restore.at + h.sim.durations.restore);
    // clients of the name were never sent to a database that did not answer
    h.sim.endpointDowntime('orders-db');
    expect(h.route53.downtime(RECORD, h.sim.endpointEvents)).toEqual([]);
    expect(h.sim.instance('orders-db-trapheus-new')!.DbiResourceId).not.toBe(before.DbiResourceId);
  });

  test('the next run finds the serving instance from the record and restores into the first identifier again', async () => {
    fresh();
    adopted();
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    const second = await h.run({ ...input, task: 'db_restore' });
    expect(second.status).toBe('SUCCEEDED');
    expect(h.sim.calls.filter((c) => c.command === 'RestoreDBInstanceFromDBSnapshot').map((c) => c.input.DBInstanceIdentifier))
      .toEqual(['orders-db-trapheus-new', 'orders-db']);
    expect(recordValue()).toEqual([address('orders-db')]);
    expect(ids()).toEqual(['orders-db']);
    h.sim.endpointDowntime('orders-db');
    expect(seconds(h.route53.downtime(RECORD, h.sim.endpointEvents))).toBe(0);
  });

  test('snapshots keep the database\'s name whichever identifier serves: taken of the serving one, found and pruned across both', async () => {
    fresh();
    adopted();
    h.sim.clock.advance(3600); // a second between the runs' snapshot names at least
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    h.sim.clock.advance(3600);
    // the second snapshot is of orders-db-trapheus-new, which serves now; the first one (of orders-db) is pruned
    expect((await h.run(input)).status).toBe('SUCCEEDED');
    const creates = h.sim.calls.filter((c) => c.command === 'CreateDBSnapshot').map((c) => [c.input.DBInstanceIdentifier, c.input.DBSnapshotIdentifier]);
    expect(creates).toEqual([
      ['orders-db', 'orders-db-trapheus-20260109-090000'],
      ['orders-db-trapheus-new', expect.stringMatching(/^orders-db-trapheus-20260109-1\d{5}$/)],
    ]);
    expect(h.sim.calls.filter((c) => c.command === 'DeleteDBSnapshot').map((c) => c.input.DBSnapshotIdentifier)).toEqual(['orders-db-trapheus-20260109-090000']);
    // db_restore finds that newest snapshot (taken of the other identifier) and restores it beside orders-db
    expect((await h.run({ ...input, task: 'db_restore' })).status).toBe('SUCCEEDED');
    const restores = h.sim.calls.filter((c) => c.command === 'RestoreDBInstanceFromDBSnapshot').map((c) => [c.input.DBInstanceIdentifier, c.input.DBSnapshotIdentifier]);
    expect(restores[2]).toEqual(['orders-db-trapheus-new', creates[1][1]]);
    expect(ids()).toEqual(['orders-db-trapheus-new']);
  });

  test('a failure before the switch only deletes the staged instance: the record and the original are untouched', async () => {
    fresh();
    const before = identity(adopted());
    h.sim.stickNext('orders-db-trapheus-new', 'incompatible-restore');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/Rolled back: orders-db is the original DB instance again/);
    expect(h.route53.calls.filter((c) => c.action === 'ChangeResourceRecordSets')).toEqual([]);
    expect(recordValue()).toEqual([before!.endpoint]);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(ids()).toEqual(['orders-db']);
  });

  test('a failure after the switch points the record back at the original, then deletes the staged instance', async () => {
    fresh();
    const before = identity(adopted());
    h.route53.failNext('GetChange', 'NoSuchChange');
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.path).toContain('Point the DNS record back at the original instance');
    expect(result.cause).toMatch(/Rolled back: orders-db is the original DB instance again/);
    const changes = h.route53.calls.filter((c) => c.action === 'ChangeResourceRecordSets');
    expect(changes).toHaveLength(2);
    expect(recordValue()).toEqual([before!.endpoint]);
    expect(identity(h.sim.instance('orders-db'))).toEqual(before);
    expect(ids()).toEqual(['orders-db']);
    // the staged instance went only once the record pointed back and that change was INSYNC
    const back = h.route53.changes[h.route53.changes.length - 1];
    const deleted = h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!;
    expect(deleted.input.DBInstanceIdentifier).toBe('orders-db-trapheus-new');
    expect(deleted.at).toBeGreaterThanOrEqual(back.insyncAt);
  });

  test('a record that points at neither identifier is refused before any change', async () => {
    fresh();
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    h.route53.putRecord(ZONE, { name: RECORD, type: 'CNAME', ttl: 30, values: ['billing-db.c1abcdefghij.us-east-1.rds.amazonaws.com'] });
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DnsRecordPointsElsewhere');
    expect(result.cause).toMatch(/points at billing-db\..*neither orders-db nor orders-db-trapheus-new/);
    expect(h.sim.mutatingCalls()).toEqual([]);
  });

  test('the hook runs on the staged instance before the switch; its failure only deletes the staged instance', async () => {
    fresh(withHook);
    const before = identity(adopted());
    let recordAtHook: string[] | undefined;
    hook.run = () => {
      recordAtHook = recordValue();
      const err = new Error('smoke test failed');
      err.name = 'SmokeTestFailed';
      throw err;
    };
    const result = await h.run(input);
    expect(result.status).toBe('FAILED');
    expect(hook.events).toHaveLength(1);
    expect(hook.events[0]).toMatchObject({ identifier: 'orders-db-trapheus-new', isCluster: false });
    expect(recordAtHook).toEqual([before!.endpoint]);
    expect(h.route53.calls.filter((c) => c.action === 'ChangeResourceRecordSets')).toEqual([]);
    expect(ids()).toEqual(['orders-db']);
  });
});

describe('Cutover.dnsAlias() with the other old-database policies', () => {
  test('snapshot then delete: the old instance (the one the record pointed at) gets the final snapshot, named after the database', async () => {
    fresh(finalSnapshot);
    const before = adopted();
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    const deleted = h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!;
    expect(deleted.input).toMatchObject({ DBInstanceIdentifier: 'orders-db', FinalDBSnapshotIdentifier: 'orders-db-trapheus-final-20260109-080000' });
    const snapshot = h.sim.snapshot('orders-db-trapheus-final-20260109-080000')!;
    expect(snapshot.DbiResourceId).toBe(before.DbiResourceId);
    expect(snapshot.TagList).toEqual(expect.arrayContaining([{ Key: TAG_FINAL_SNAPSHOT_OF, Value: 'orders-db' }]));
    expect(ids()).toEqual(['orders-db-trapheus-new']);
  });

  test('keep for 1 h: the old instance serves through the drain, stays an hour, then goes', async () => {
    fresh(keep);
    adopted();
    const result = await h.run(input);
    expect(result.status).toBe('SUCCEEDED');
    const change = h.route53.changes.find((c) => c.id !== 'seed')!;
    const deleted = h.sim.calls.find((c) => c.command === 'DeleteDBInstance')!;
    expect(deleted.input.DBInstanceIdentifier).toBe('orders-db');
    expect(deleted.at).toBeGreaterThanOrEqual(change.insyncAt + 300 + 3600);
    expect(ids()).toEqual(['orders-db-trapheus-new']);
  });
});

describe('Cutover.dnsAlias(): IAM', () => {
  const change = (name: string, type = 'CNAME', action = 'UPSERT') => ({
    service: 'route53' as const,
    action: 'ChangeResourceRecordSets',
    input: { HostedZoneId: ZONE, ChangeBatch: { Changes: [{ Action: action, ResourceRecordSet: { Name: name, Type: type } }] } },
  });
  const dnsFn = () => [...plain.definition.functions.values()].find((f) => f.name === 'dns')!.logicalId;

  test('the DNS function may UPSERT the one CNAME record (any case, with or without the trailing dot), nothing else', () => {
    fresh();
    const caller = dnsFn();
    // its own check, so that these deliberate denials stay out of the run's IAM tally
    const iam = new IamCheck(plain.template);
    const allowed = (call: ReturnType<typeof change>) => {
      try {
        iam.check({ ...call, caller });
        return true;
      } catch (err) {
        if ((err as Error).name !== 'AccessDenied' && (err as Error).name !== 'AccessDeniedException') throw err;
        return false;
      }
    };
    expect(allowed(change(RECORD))).toBe(true);
    expect(allowed(change('Orders-DB.example.internal.'))).toBe(true);
    expect(allowed(change('billing-db.example.internal'))).toBe(false);
    expect(allowed(change(RECORD, 'A'))).toBe(false);
    expect(allowed(change(RECORD, 'CNAME', 'DELETE'))).toBe(false);
    expect(iam.takeDenials().map((d) => d.resource)).toEqual(Array(3).fill(`arn:aws:route53:::hostedzone/${ZONE}`));
  });
});
