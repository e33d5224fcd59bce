import * as route53 from 'aws-cdk-lib/aws-route53';
import { Harness } from './harness';
import { Cutover } from '../../src';
import { fullyConfiguredInstance, seedCluster } from '../sim/fixtures';

/**
 * The fleet summary's downtime of each target, for every cutover: an upper
 * bound of the outage the simulator measures on the database's endpoint (a
 * DNS alias: on the record's name), read from the child execution's history.
 */
const ZONE = 'Z0SIMULATED0ZONE';
const dnsAlias = (recordName: string) => (stack: any) => ({
  cutover: Cutover.dnsAlias({
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: ZONE, zoneName: 'example.internal' }),
    recordName,
  }),
});
let h: Harness;
afterEach(() => h.done());

const seconds = (spans: { seconds: number }[]) => spans.reduce((t, s) => t + s.seconds, 0);
/** How far above the measured outage the bound may be: the rename's delay and one polling interval (at most maxPollInterval). */
const SLACK = 300 + 60;

async function fleetOfInstanceAndCluster(harness: Harness) {
  h = harness;
  h.fresh();
  h.sim.addInstance(fullyConfiguredInstance('orders-db'));
  seedCluster(h.sim, 'orders-aurora');
  const result = await h.run({
    targets: [
      { identifier: 'orders-db', task: 'create_snapshot', isCluster: false },
      { identifier: 'orders-aurora', task: 'create_snapshot', isCluster: true },
    ],
  });
  expect(result.status).toBe('SUCCEEDED');
  const down = Object.fromEntries(result.output.summary.targets.map((t: any) => [t.identifier, t.downtimeSeconds]));
  return { result, down, measured: { 'orders-db': seconds(h.sim.endpointDowntime('orders-db', 'instance')), 'orders-aurora': seconds(h.sim.endpointDowntime('orders-aurora', 'cluster')) } };
}

describe('the fleet summary\'s downtime of each target', () => {
  test.each([
    ['renaming first', new Harness()],
    ['RESTORE_THEN_SWAP', new Harness({ cutover: Cutover.RESTORE_THEN_SWAP })],
  ])('%s: from the rename of the original to the restored database seen ready, an upper bound of the measured outage', async (_, harness) => {
    const { result, down, measured } = await fleetOfInstanceAndCluster(harness);
    for (const id of ['orders-db', 'orders-aurora'] as const) {
      expect(measured[id]).toBeGreaterThan(0);
      expect(down[id]).toBeGreaterThanOrEqual(measured[id]);
      expect(down[id] - measured[id]).toBeLessThanOrEqual(SLACK);
    }
    expect(result.output.summary.text).toMatch(/^orders-aurora \(cluster\) create_snapshot: SUCCEEDED in \d+m \d\ds, down \d/m);
  });

  test.each([
    ['a DB instance', 'orders-db', false],
    ['an Aurora cluster', 'orders-aurora', true],
  ])('Cutover.dnsAlias(), %s: 0 s, the record never points at a database that does not serve', async (_, identifier, isCluster) => {
    h = new Harness(dnsAlias(identifier as string));
    h.fresh();
    h.route53.addZone(ZONE, 'example.internal');
    const record = `${identifier}.example.internal`;
    const endpoint = isCluster
      ? seedCluster(h.sim, identifier as string).cluster.Endpoint!
      : h.sim.addInstance(fullyConfiguredInstance(identifier as string)).Endpoint!.Address!;
    h.route53.putRecord(ZONE, { name: record, type: 'CNAME', ttl: 30, values: [endpoint] });
    const result = await h.run({ targets: [{ identifier, task: 'create_snapshot', isCluster }] });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.children![0].path).toContain(`Point the DNS record at the restored ${isCluster ? 'cluster' : 'instance'}`);
    expect(h.route53.downtime(record, h.sim.endpointEvents)).toEqual([]);
    expect(result.output.summary.targets[0].downtimeSeconds).toBe(0);
    expect(result.output.summary.text).toMatch(/SUCCEEDED in \d+m \d\ds, down 0s$/m);
  });

  test('Cutover.dnsAlias(): a first run that only adopts the database (creates the record) switches nothing: no downtime', async () => {
    h = new Harness(dnsAlias('orders-db'));
    h.fresh();
    h.route53.addZone(ZONE, 'example.internal');
    h.sim.addInstance(fullyConfiguredInstance('orders-db'));
    const result = await h.run({ targets: [{ identifier: 'orders-db', task: 'create_snapshot', isCluster: false }] });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output.summary.targets[0].downtimeSeconds).toBeUndefined();
  });
});
