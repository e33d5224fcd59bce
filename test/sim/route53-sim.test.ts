import { SimClock } from './clock';
import { Route53Simulator } from './route53';
import { Route53Api } from '../../lambda-src/dns/route53';

const ZONE = 'Z0SIMULATED0ZONE';
let clock: SimClock;
let r53: Route53Simulator;
let api: Route53Api;
const cname = (name: string, value: string, ttl = 30) => ({ name, type: 'CNAME', ttl, values: [value] });

beforeEach(() => {
  clock = new SimClock();
  r53 = new Route53Simulator(clock);
  r53.addZone(ZONE, 'example.internal');
  r53.install();
  api = new Route53Api();
});
afterEach(() => r53.uninstall());

describe('Route 53 simulator, through the handler\'s client', () => {
  test('UPSERT creates then replaces; the change is PENDING, then INSYNC after 60 s (API_GetChange)', async () => {
    const first = await api.changeRecordSets(ZONE, [{ action: 'UPSERT', record: cname('db.example.internal', 'a.rds.amazonaws.com') }], 'c');
    expect(first.status).toBe('PENDING');
    await api.changeRecordSets(ZONE, [{ action: 'UPSERT', record: cname('db.example.internal', 'b.rds.amazonaws.com') }], 'c');
    expect(await api.findRecordSet(ZONE, 'db.example.internal', 'CNAME')).toEqual({ name: 'db.example.internal.', type: 'CNAME', ttl: 30, values: ['b.rds.amazonaws.com'] });
    clock.advance(59);
    expect((await api.getChange(first.id)).status).toBe('PENDING');
    clock.advance(1);
    expect((await api.getChange(first.id)).status).toBe('INSYNC');
  });

  test('CREATE of an existing record, DELETE of a missing one, a CNAME at the apex: InvalidChangeBatch, and the batch changes nothing', async () => {
    r53.putRecord(ZONE, cname('db.example.internal', 'a.rds.amazonaws.com'));
    await expect(api.changeRecordSets(ZONE, [
      { action: 'UPSERT', record: cname('other.example.internal', 'x.rds.amazonaws.com') },
      { action: 'CREATE', record: cname('db.example.internal', 'b.rds.amazonaws.com') },
    ], 'c')).rejects.toMatchObject({ name: 'InvalidChangeBatch', message: expect.stringMatching(/but it already exists/) });
    expect(r53.record(ZONE, 'other.example.internal')).toBeUndefined();
    await expect(api.changeRecordSets(ZONE, [{ action: 'DELETE', record: cname('gone.example.internal', 'x') }], 'c'))
      .rejects.toMatchObject({ name: 'InvalidChangeBatch', message: expect.stringMatching(/was not found/) });
    await expect(api.changeRecordSets(ZONE, [{ action: 'UPSERT', record: cname('example.internal', 'x') }], 'c'))
      .rejects.toMatchObject({ name: 'InvalidChangeBatch', message: expect.stringMatching(/not permitted at apex/) });
  });

  test('an unknown zone or change answers 404 with Route 53\'s codes', async () => {
    await expect(api.findRecordSet('ZNOPE', 'db.example.internal', 'CNAME')).rejects.toMatchObject({ name: 'NoSuchHostedZone', status: 404 });
    await expect(api.getChange('/change/CNOPE')).rejects.toMatchObject({ name: 'NoSuchChange', status: 404 });
  });

  test('ListResourceRecordSets starts at the name (labels reversed): a missing record is not mistaken for the next one', async () => {
    r53.putRecord(ZONE, cname('db2.example.internal', 'a.rds.amazonaws.com'));
    expect(await api.findRecordSet(ZONE, 'db.example.internal', 'CNAME')).toBeUndefined();
    expect((await api.findRecordSet(ZONE, 'DB2.example.internal.', 'CNAME'))?.values).toEqual(['a.rds.amazonaws.com']);
  });

  test('name downtime: a value counts while clients may hold it (until the next change is INSYNC plus its TTL), when its endpoint is down', async () => {
    r53.putRecord(ZONE, cname('db.example.internal', 'old.c1.us-east-1.rds.amazonaws.com'));
    clock.advance(100);
    await api.changeRecordSets(ZONE, [{ action: 'UPSERT', record: cname('db.example.internal', 'new.c1.us-east-1.rds.amazonaws.com') }], 'c');
    clock.advance(1000);
    const events = [
      { at: 0, identifier: 'old', reachable: true }, { at: 0, identifier: 'new', reachable: false },
      // the new endpoint answers 20 s after the switch; the old one goes 150 s after it (INSYNC 60 s + TTL 30 s = 90 s: no harm)
      { at: 120, identifier: 'new', reachable: true }, { at: 250, identifier: 'old', reachable: false },
    ];
    expect(r53.downtime('db.example.internal', events)).toEqual([{ from: 100, to: 120, seconds: 20 }]);
    // the old one gone 60 s after the switch: clients holding it until 190 s are sent nowhere
    events[3] = { at: 160, identifier: 'old', reachable: false };
    expect(r53.downtime('db.example.internal', events)).toEqual([{ from: 100, to: 120, seconds: 20 }, { from: 160, to: 190, seconds: 30 }]);
  });
});
