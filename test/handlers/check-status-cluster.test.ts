import { CheckEvent, CheckResult, handler as checkStatus, PollPolicy } from '../../lambda-src/check-status.lambda';
import { RdsSimulator } from '../sim/rds-sim';

const POLICY: PollPolicy = { first: 30, max: 300, rate: 2, maxWait: 3600 };

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => sim.uninstall());

const check = (until: CheckEvent['until'], identifier = 'orders-aurora'): Promise<CheckResult> => checkStatus({
  subject: 'restored cluster', resource: 'cluster', identifier, until, wait: { elapsed: 0, interval: POLICY.first }, policy: POLICY,
});

const cluster = (Status: string) => sim.addCluster({ DBClusterIdentifier: 'orders-aurora', Engine: 'aurora-postgresql', Status });

describe('check-status: Aurora DB cluster statuses (Aurora User Guide, "Viewing DB cluster status")', () => {
  test.each([
    ['cloning-failed', ''],
    ['migration-failed', ''],
    ['inaccessible-encryption-credentials', ': its KMS key can\'t be accessed or recovered'],
    ['inaccessible-encryption-credentials-recoverable', ': its KMS key can\'t be accessed; if the key is active, restarting the cluster can recover it'],
    ['stopped', ': start it (StartDBCluster), then run the pipeline again'],
    ['stopping', ': it is being stopped; start it (StartDBCluster), then run the pipeline again'],
  ])('%s never ends by itself: the wait for available fails at once, saying what to do', async (status, advice) => {
    cluster(status);
    await expect(check('available')).rejects.toMatchObject({
      name: 'DBClusterFailed',
      message: `The restored cluster orders-aurora entered status ${status}, which it will not leave by itself${advice}.`,
    });
    // and a wait for it to settle (before deleting it) is over
    await expect(check('settled')).resolves.toMatchObject({ done: true, status });
  });

  test.each(['backing-up', 'backtracking', 'creating', 'failing-over', 'maintenance', 'migrating', 'modifying', 'promoting', 'renaming',
    'resetting-master-credentials', 'starting', 'storage-optimization', 'update-iam-db-auth', 'upgrading'])(
    '%s ends by itself: both waits go on', async (status) => {
      cluster(status);
      await expect(check('available')).resolves.toMatchObject({ done: false, status });
      await expect(check('settled')).resolves.toMatchObject({ done: false, status });
    });

  test('available: both waits are over (no members asked for)', async () => {
    cluster('available');
    await expect(check('available')).resolves.toMatchObject({ done: true, status: 'available' });
    await expect(check('settled')).resolves.toMatchObject({ done: true, status: 'available' });
  });
});
