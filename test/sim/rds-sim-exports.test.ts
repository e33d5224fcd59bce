/**
 * The simulator's snapshot exports to S3 (rds/exports.ts): StartExportTask and
 * DescribeExportTasks under the real RDSClient, each rule with its page.
 */
import { DescribeExportTasksCommand, RDSClient, StartExportTaskCommand, StartExportTaskCommandInput } from '@aws-sdk/client-rds';
import { addCallGate, AwsCall } from './aws-calls';
import { SimClock } from './clock';
import { MAX_CONCURRENT_EXPORTS } from './rds/exports';
import { RdsSimulator } from './rds-sim';

const ARN = (name: string, type = 'snapshot') => `arn:aws:rds:us-east-1:123456789012:${type}:${name}`;
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-9999-4222-8333-444455556666';

let clock: SimClock;
let sim: RdsSimulator;
let rds: RDSClient;
let kmsCalls: AwsCall[];
let removeGate: () => void;

beforeEach(() => {
  clock = new SimClock();
  sim = new RdsSimulator({ clock });
  sim.install();
  rds = new RDSClient({ region: 'us-east-1' });
  kmsCalls = [];
  removeGate = addCallGate((call) => {
    if (call.service === 'kms') kmsCalls.push(call);
  });
  sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
  sim.addSnapshot({ DBSnapshotIdentifier: 'golden', DBInstanceIdentifier: 'orders-db' });
});

afterEach(() => {
  removeGate();
  sim.uninstall();
});

const start = (over: Partial<StartExportTaskCommandInput> = {}) => rds.send(new StartExportTaskCommand({
  ExportTaskIdentifier: 'golden-export',
  SourceArn: ARN('golden'),
  S3BucketName: 'orders-exports',
  S3Prefix: 'exports',
  IamRoleArn: 'arn:aws:iam::123456789012:role/export',
  KmsKeyId: KEY,
  ...over,
}));
const describe1 = async (id = 'golden-export') => (await rds.send(new DescribeExportTasksCommand({ ExportTaskIdentifier: id }))).ExportTasks![0];

test('an export goes STARTING → IN_PROGRESS (with progress) → COMPLETE over simulated time (API_ExportTask)', async () => {
  const started = await start();
  expect(started).toMatchObject({ Status: 'STARTING', S3Bucket: 'orders-exports', S3Prefix: 'exports', SourceType: 'SNAPSHOT', PercentProgress: 0 });
  clock.advance(sim.exports.durations.starting + sim.exports.durations.inProgress / 2);
  expect(await describe1()).toMatchObject({ Status: 'IN_PROGRESS', PercentProgress: 50 });
  clock.advance(sim.exports.durations.inProgress / 2);
  const done = await describe1();
  expect(done).toMatchObject({ Status: 'COMPLETE', PercentProgress: 100 });
  expect(done.TaskEndTime).toBeInstanceOf(Date);
  // the caller's credentials are used for the key: kms:DescribeKey and kms:CreateGrant through RDS (API_StartExportTask, KmsKeyId)
  expect(kmsCalls.map((c) => [c.action, c.via, c.input.KeyId])).toEqual([['DescribeKey', 'rds', KEY], ['CreateGrant', 'rds', KEY]]);
});

test('an injected failure ends the export FAILED with its FailureCause', async () => {
  sim.exports.failNext({ cause: 'LOB too large' });
  await start();
  clock.advance(sim.exports.durations.starting + sim.exports.durations.inProgress);
  expect(await describe1()).toMatchObject({ Status: 'FAILED', FailureCause: 'LOB too large' });
});

test('stick: the export stays in its status', async () => {
  await start();
  sim.stick('golden-export');
  clock.advance(100 * 3600);
  expect((await describe1()).Status).toBe('STARTING');
});

test.each([
  ['a missing required parameter (API_StartExportTask)', { KmsKeyId: undefined }, 'MissingParameter'],
  ['an identifier that does not start with a letter', { ExportTaskIdentifier: '1-export' }, 'InvalidParameterValue'],
  ['an identifier of 61 characters', { ExportTaskIdentifier: `e${'x'.repeat(60)}` }, 'InvalidParameterValue'],
  ['a prefix with a colon (exports don\'t support one)', { S3Prefix: 'a:b' }, 'InvalidParameterValue'],
  ['a snapshot that does not exist', { SourceArn: ARN('nope') }, 'DBSnapshotNotFoundFault'],
  ['a cluster snapshot that does not exist', { SourceArn: ARN('nope', 'cluster-snapshot') }, 'DBClusterSnapshotNotFoundFault'],
  ['a role that is not a role ARN', { IamRoleArn: 'export' }, 'IamRoleNotFoundFault'],
])('refused: %s', async (_, over, fault) => {
  await expect(start(over as Partial<StartExportTaskCommandInput>)).rejects.toMatchObject({ name: fault });
  expect(sim.exports.all()).toEqual([]);
});

test('the source must be an available snapshot (InvalidExportSourceStateFault)', async () => {
  sim.addSnapshot({ DBSnapshotIdentifier: 'busy', DBInstanceIdentifier: 'orders-db', Status: 'creating' });
  await expect(start({ SourceArn: ARN('busy') })).rejects.toMatchObject({ name: 'InvalidExportSourceStateFault' });
});

test('engines that do not export (SQL Server) are refused', async () => {
  sim.addInstance({ DBInstanceIdentifier: 'mssql', Engine: 'sqlserver-se', LicenseModel: 'license-included' });
  sim.addSnapshot({ DBSnapshotIdentifier: 'mssql-snap', DBInstanceIdentifier: 'mssql' });
  await expect(start({ SourceArn: ARN('mssql-snap') })).rejects.toMatchObject({ name: 'InvalidExportSourceStateFault' });
});

test('an identifier is used once, even after its export ended (ExportTaskAlreadyExistsFault)', async () => {
  await start();
  clock.advance(24 * 3600);
  await expect(start()).rejects.toMatchObject({ name: 'ExportTaskAlreadyExistsFault', message: 'The export task with the ID golden-export already exists.' });
});

test('one export of a snapshot at a time; another once it has ended', async () => {
  await start();
  await expect(start({ ExportTaskIdentifier: 'second' })).rejects.toMatchObject({ name: 'ExportTaskAlreadyExistsFault' });
  clock.advance(sim.exports.durations.starting + sim.exports.durations.inProgress);
  await expect(start({ ExportTaskIdentifier: 'second' })).resolves.toMatchObject({ Status: 'STARTING' });
});

test(`at most ${MAX_CONCURRENT_EXPORTS} exports run at once in an account`, async () => {
  for (let i = 0; i < MAX_CONCURRENT_EXPORTS; i++) {
    sim.addSnapshot({ DBSnapshotIdentifier: `s${i}`, DBInstanceIdentifier: 'orders-db' });
    await start({ ExportTaskIdentifier: `e${i}`, SourceArn: ARN(`s${i}`) });
  }
  await expect(start()).rejects.toMatchObject({ name: 'ExportTaskLimitReachedFault' });
  clock.advance(sim.exports.durations.starting + sim.exports.durations.inProgress);
  await expect(start()).resolves.toMatchObject({ Status: 'STARTING' });
});

test('DescribeExportTasks: an unknown identifier is ExportTaskNotFoundFault; SourceArn and filters select', async () => {
  await start();
  await expect(describe1('other')).rejects.toMatchObject({ name: 'ExportTaskNotFoundFault' });
  const bySource = await rds.send(new DescribeExportTasksCommand({ SourceArn: ARN('golden') }));
  expect(bySource.ExportTasks!.map((t) => t.ExportTaskIdentifier)).toEqual(['golden-export']);
  const byStatus = await rds.send(new DescribeExportTasksCommand({ Filters: [{ Name: 'status', Values: ['complete'] }] }));
  expect(byStatus.ExportTasks).toEqual([]);
});
