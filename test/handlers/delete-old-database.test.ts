/**
 * The delete handler with the old-database policy (final snapshot, automated
 * backups), its final-snapshot step, and what the outcome says about a final snapshot.
 */
import { finalSnapshotIdentifier, handler, TAG_FINAL_SNAPSHOT_OF } from '../../lambda-src/delete.lambda';
import { handler as outcome } from '../../lambda-src/outcome.lambda';
import type { Job } from '../../lambda-src/rds/job';
import { TAG_PIPELINE, TAG_SOURCE } from '../../lambda-src/rds/naming';
import { RdsSimulator } from '../sim/rds-sim';

const TEMP = 'orders-db-trapheus-old';
const STARTED = '2026-01-09T08:00:00.000Z';
const FINAL = 'orders-db-trapheus-final-20260109-080000';

let sim: RdsSimulator;

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  process.env.PIPELINE_ID = 'Stack-Restore-Handlers';
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => {
  sim.uninstall();
  delete process.env.PIPELINE_ID;
});

/** The job as the state machine has it when it deletes the old instance. */
function oldJob(e: { identifier?: string; temp: string; originalResourceId: string; restoredResourceId: string }): Job {
  return {
    identifier: e.identifier ?? 'orders-db',
    task: 'create_snapshot',
    isCluster: false,
    original: { resourceId: e.originalResourceId, engine: 'postgres', config: {} },
    temp: { identifier: e.temp },
    restored: { resourceId: e.restoredResourceId },
  };
}

const deletions = () => sim.calls.filter((c) => c.command.startsWith('Delete')).map((c) => c.input);

describe('final snapshot names', () => {
  test('<identifier>-trapheus-final-YYYYMMDD-HHMMSS from the start time, valid for RDS even for the longest identifier', () => {
    expect(finalSnapshotIdentifier('orders-db', STARTED)).toBe(FINAL);
    const longest = `a${'b1-'.repeat(20)}cd`;
    expect(longest).toHaveLength(63);
    const name = finalSnapshotIdentifier(longest, new Date('2026-12-31T23:59:59.999Z'));
    expect(name).toBe(`${longest}-trapheus-final-20261231-235959`);
    expect(name.length).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/);
  });

  test('a start time that is not a time is refused', () => {
    expect(() => finalSnapshotIdentifier('orders-db', 'yesterday')).toThrow(expect.objectContaining({ name: 'InvalidDeleteEvent' }));
  });
});

describe('delete old with the policy', () => {
  function seed() {
    const old = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres', BackupRetentionPeriod: 7 });
    const restored = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    return { identifier: 'orders-db', temp: TEMP, originalResourceId: old.DbiResourceId!, restoredResourceId: restored.DbiResourceId! };
  }

  test('finalSnapshot: DeleteDBInstance with FinalDBSnapshotIdentifier; the name is in the result', async () => {
    const ids = seed();
    await expect(handler({ op: 'old', job: oldJob(ids), oldDatabase: { finalSnapshot: true, deleteAutomatedBackups: false }, startedAt: STARTED }))
      .resolves.toEqual({ deleted: TEMP, finalSnapshot: FINAL });
    expect(deletions()).toEqual([{ DBInstanceIdentifier: TEMP, FinalDBSnapshotIdentifier: FINAL, DeleteAutomatedBackups: false }]);
    expect(sim.snapshot(FINAL)).toMatchObject({ Status: 'creating', DBInstanceIdentifier: TEMP });
    // a retry while it is being deleted sends nothing more and names the same snapshot
    await expect(handler({ op: 'old', job: oldJob(ids), oldDatabase: { finalSnapshot: true, deleteAutomatedBackups: false }, startedAt: STARTED }))
      .resolves.toEqual({ deleted: TEMP, finalSnapshot: FINAL });
    expect(deletions()).toHaveLength(1);
  });

  test('deleteAutomatedBackups: sent as given', async () => {
    const ids = seed();
    await handler({ op: 'old', job: oldJob(ids), oldDatabase: { finalSnapshot: false, deleteAutomatedBackups: true } });
    expect(deletions()).toEqual([{ DBInstanceIdentifier: TEMP, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }]);
    expect(sim.retainedAutomatedBackups()).toEqual([]);
  });

  test('a final snapshot of a backing-up old instance is not asked for: OldDatabaseBusy, retried by the state machine, nothing sent', async () => {
    const ids = seed();
    sim.stick(TEMP, 'backing-up');
    await expect(handler({ op: 'old', job: oldJob(ids), oldDatabase: { finalSnapshot: true, deleteAutomatedBackups: false }, startedAt: STARTED }))
      .rejects.toMatchObject({
        name: 'OldDatabaseBusy',
        message: `The old DB instance ${TEMP} is backing-up; RDS takes its final snapshot only once it is available, so its deletion is retried.`,
      });
    expect(sim.mutatingCalls()).toEqual([]);
    // without a final snapshot a backing-up instance is deleted (DeleteDBInstance accepts it)
    await expect(handler({ op: 'old', job: oldJob(ids), oldDatabase: { finalSnapshot: false, deleteAutomatedBackups: false } })).resolves.toEqual({ deleted: TEMP });
  });

  test('an old instance that leaves available between the check and the call: the refusal is OldDatabaseBusy too', async () => {
    const ids = seed();
    sim.failOn({
      command: 'DeleteDBInstance',
      // RDS starts a backup just before the call lands
      when: () => { sim.stick(TEMP, 'backing-up'); return true; },
      error: 'InvalidDBInstanceStateFault',
      message: `Cannot create a snapshot because the database instance ${TEMP} is not currently in the available state.`,
      times: 1,
    });
    await expect(handler({ op: 'old', job: oldJob(ids), oldDatabase: { finalSnapshot: true, deleteAutomatedBackups: false }, startedAt: STARTED }))
      .rejects.toMatchObject({ name: 'OldDatabaseBusy', message: expect.stringContaining(`The DB instance ${TEMP} is backing-up;`) });
  });

  test.each(['storage-optimization', 'modifying', 'backing-up'])('the replacement must serve: %s does, creating does not', async (serving) => {
    const ids = seed();
    sim.stick('orders-db', serving);
    await expect(handler({ op: 'old', job: oldJob(ids) })).resolves.toEqual({ deleted: TEMP });
    const again = { ...ids, temp: 'other-old' };
    sim.addInstance({ DBInstanceIdentifier: 'other-old', Engine: 'postgres' });
    sim.stick('orders-db', 'creating');
    await expect(handler({ op: 'old', job: oldJob(again) })).rejects.toMatchObject({ name: 'ReplacementNotVerified' });
  });

  test('a final snapshot without the start time is refused before any change', async () => {
    const ids = seed();
    await expect(handler({ op: 'old', job: oldJob(ids), oldDatabase: { finalSnapshot: true, deleteAutomatedBackups: false } }))
      .rejects.toMatchObject({ name: 'InvalidDeleteEvent' });
    expect(sim.mutatingCalls()).toEqual([]);
  });
});

describe('delete the old cluster with the policy', () => {
  function job(): Job {
    const cluster = sim.addCluster({ DBClusterIdentifier: 'orders-aurora-trapheus-old', Engine: 'aurora-postgresql', BackupRetentionPeriod: 7 });
    const restored = sim.addCluster({ DBClusterIdentifier: 'orders-aurora', Engine: 'aurora-postgresql' });
    sim.addClusterInstance({ DBClusterIdentifier: 'orders-aurora', DBInstanceIdentifier: 'orders-aurora-1' });
    sim.addClusterInstance({ DBClusterIdentifier: 'orders-aurora-trapheus-old', DBInstanceIdentifier: 'orders-aurora-1-trapheus-old' });
    const old = sim.instance('orders-aurora-1-trapheus-old')!;
    return {
      identifier: 'orders-aurora',
      task: 'create_snapshot',
      isCluster: true,
      original: {
        resourceId: cluster.DbClusterResourceId!,
        engine: 'aurora-postgresql',
        config: {},
        members: [{ identifier: 'orders-aurora-1', resourceId: old.DbiResourceId!, isWriter: true, config: {} }],
        memberIdentifiers: ['orders-aurora-1'],
      },
      temp: { identifier: 'orders-aurora-trapheus-old', members: ['orders-aurora-1-trapheus-old'] },
      restored: { resourceId: restored.DbClusterResourceId! },
    };
  }

  test('members without a final snapshot, then the cluster with one; automated backups as given', async () => {
    const j = job();
    const oldDatabase = { finalSnapshot: true, deleteAutomatedBackups: false };
    await expect(handler({ op: 'old-members', job: j, oldDatabase })).resolves.toEqual({ deleted: ['orders-aurora-1-trapheus-old'] });
    await expect(handler({ op: 'old-cluster', job: j, oldDatabase, startedAt: STARTED }))
      .resolves.toEqual({ deleted: 'orders-aurora-trapheus-old', finalSnapshot: 'orders-aurora-trapheus-final-20260109-080000' });
    expect(deletions()).toEqual([
      { DBInstanceIdentifier: 'orders-aurora-1-trapheus-old', SkipFinalSnapshot: true, DeleteAutomatedBackups: false },
      { DBClusterIdentifier: 'orders-aurora-trapheus-old', FinalDBSnapshotIdentifier: 'orders-aurora-trapheus-final-20260109-080000', DeleteAutomatedBackups: false },
    ]);
  });

  test('a final snapshot of a cluster that is not available is not asked for: OldDatabaseBusy', async () => {
    const j = job();
    const oldDatabase = { finalSnapshot: true, deleteAutomatedBackups: false };
    await handler({ op: 'old-members', job: j, oldDatabase });
    sim.stick('orders-aurora-trapheus-old', 'backing-up');
    sim.calls.splice(0);
    await expect(handler({ op: 'old-cluster', job: j, oldDatabase, startedAt: STARTED })).rejects.toMatchObject({
      name: 'OldDatabaseBusy',
      message: 'The old DB cluster orders-aurora-trapheus-old is backing-up; RDS takes its final snapshot only once it is available, so its deletion is retried.',
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('without a policy in the payload (an older definition): no final snapshot, automated backups kept', async () => {
    const j = job();
    await handler({ op: 'old-members', job: j });
    await handler({ op: 'old-cluster', job: j });
    expect(deletions().at(-1)).toEqual({ DBClusterIdentifier: 'orders-aurora-trapheus-old', SkipFinalSnapshot: true, DeleteAutomatedBackups: false });
  });

  test('rollback deletes of a partly restored cluster are unchanged: no final snapshot, RDS\'s default for its backups', async () => {
    const j = job();
    await handler({ op: 'partial-members', job: j });
    await handler({ op: 'partial-cluster', job: j });
    expect(deletions().at(-1)).toEqual({ DBClusterIdentifier: 'orders-aurora', SkipFinalSnapshot: true });
  });
});

describe('final-snapshot', () => {
  const event = (resourceId: string, isCluster = false) => ({
    op: 'final-snapshot' as const, isCluster, identifier: 'orders-db', temp: TEMP, snapshotId: FINAL, sourceResourceId: resourceId,
  });

  test('tags the final snapshot of the original: final-snapshot-of and the pipeline, not source-identifier', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres', CopyTagsToSnapshot: true, Tags: [{ Key: 'team', Value: 'orders' }] });
    sim.addSnapshot({ DBSnapshotIdentifier: FINAL, DBInstanceIdentifier: TEMP });
    const out = await handler(event(db.DbiResourceId!));
    expect(out).toEqual({ id: FINAL, arn: sim.snapshot(FINAL)!.DBSnapshotArn, status: 'available', of: 'orders-db', takenOf: TEMP });
    expect(sim.snapshot(FINAL)!.TagList).toEqual([
      { Key: TAG_FINAL_SNAPSHOT_OF, Value: 'orders-db' }, { Key: TAG_PIPELINE, Value: 'Stack-Restore-Handlers' },
    ]);
  });

  test('a source-identifier copied from the DB is overwritten with a value no identifier has', async () => {
    const db = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: FINAL, DBInstanceIdentifier: TEMP, Tags: [{ Key: TAG_SOURCE, Value: 'orders-db' }] });
    await handler(event(db.DbiResourceId!));
    expect(sim.snapshot(FINAL)!.TagList).toContainEqual({ Key: TAG_SOURCE, Value: 'final-snapshot-of:orders-db' });
  });

  test('a snapshot of another DB is left untagged; a missing one is reported', async () => {
    sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    sim.addSnapshot({ DBSnapshotIdentifier: FINAL, DBInstanceIdentifier: TEMP });
    await expect(handler(event('db-SOMEONEELSE0000000000000000'))).rejects.toMatchObject({ name: 'UnexpectedSnapshot' });
    expect(sim.mutatingCalls()).toEqual([]);
    await expect(handler({ ...event('x', true), snapshotId: 'orders-db-trapheus-final-20990101-000000' })).rejects.toMatchObject({
      name: 'FinalSnapshotMissing', message: `The final cluster snapshot orders-db-trapheus-final-20990101-000000 of ${TEMP} was not found.`,
    });
  });
});

describe('outcome after the restore, with a final snapshot', () => {
  test('names the final snapshot the deletion asked for', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const job = {
      identifier: 'orders-db',
      task: 'create_snapshot',
      isCluster: false,
      error: { Error: 'SnapshotFailed', Cause: `The final snapshot ${FINAL} is failed.` },
      original: { resourceId: 'db-ORIGINAL000000000000000000', engine: 'postgres', config: {} },
      temp: { identifier: TEMP },
      deletedOld: { deleted: TEMP, finalSnapshot: FINAL },
    } as Job;
    const out = await outcome({ phase: 'restored', job });
    expect(out.cause).toBe(`The final snapshot ${FINAL} is failed. No rollback: the restored DB instance serves as orders-db (orders-db is available). `
      + `The original ${TEMP} is no longer there (${TEMP} does not exist). Its final snapshot was requested as ${FINAL}.`);
  });

  test('an original still being deleted is said to be, with the final snapshot it is taking', async () => {
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    const old = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres', DBInstanceStatus: 'deleting' });
    const job = {
      identifier: 'orders-db',
      task: 'create_snapshot',
      isCluster: false,
      error: { Error: 'WaitTimedOut', Cause: `Waited 1.0 h for the old instance deletion ${TEMP} to be gone; it is still deleting.` },
      original: { resourceId: old.DbiResourceId!, engine: 'postgres', config: {} },
      temp: { identifier: TEMP },
      deletedOld: { deleted: TEMP, finalSnapshot: FINAL },
    } as Job;
    const out = await outcome({ phase: 'restored', job });
    expect(out.cause).toMatch(new RegExp(`The original ${TEMP} is being deleted \\(${TEMP} is deleting\\)\\. Its final snapshot was requested as ${FINAL}\\.$`));
  });
});
