import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { addCallGate } from './aws-calls';
import { fullyConfiguredInstance } from './fixtures';
import { RdsSimulator } from './rds-sim';

let sim: RdsSimulator;
beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
  sim.addInstance(fullyConfiguredInstance('orders-db'));
});
afterEach(() => {
  sim.uninstall();
  delete process.env.AWS_MAX_ATTEMPTS;
});

async function describeMany(n: number): Promise<{ failed: number; errors: Set<string> }> {
  const client = new RDSClient({ region: 'us-east-1' });
  let failed = 0;
  const errors = new Set<string>();
  for (let i = 0; i < n; i++) {
    try {
      await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-db' }));
    } catch (err) {
      failed += 1;
      errors.add(`${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  return { failed, errors };
}

describe('throttling fault mode', () => {
  test('each request is throttled at the rate; the SDK\'s 3 attempts hide most; every attempt is a request through the gate', async () => {
    const gated: string[] = [];
    const remove = addCallGate((c) => gated.push(c.action));
    const throttling = sim.throttle(0.3, 7)!;
    const { failed, errors } = await describeMany(1000);
    remove();
    const requests = throttling.throttled + throttling.passed;
    expect(throttling.throttled / requests).toBeGreaterThan(0.27);
    expect(throttling.throttled / requests).toBeLessThan(0.33);
    // a call fails only when its 3 attempts are all throttled: about 0.3^3 = 2.7 %
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
    expect([...errors]).toEqual(['ThrottlingException: Rate exceeded']);
    expect(gated).toHaveLength(requests);
    expect(sim.calls).toHaveLength(requests);
    expect(sim.calls.filter((c) => c.error === 'ThrottlingException')).toHaveLength(throttling.throttled);
  });

  test('AWS_MAX_ATTEMPTS=1: every throttled request reaches the caller', async () => {
    process.env.AWS_MAX_ATTEMPTS = '1';
    const throttling = sim.throttle(0.3, 7)!;
    const { failed } = await describeMany(500);
    expect(failed).toBe(throttling.throttled);
    expect(failed).toBeGreaterThan(100);
  });

  test('off by default, and off again with rate 0', async () => {
    expect((await describeMany(50)).failed).toBe(0);
    sim.throttle(0.5);
    sim.throttle(0);
    expect((await describeMany(50)).failed).toBe(0);
  });
});
