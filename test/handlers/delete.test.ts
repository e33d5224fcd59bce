import { handler } from '../../lambda-src/delete.lambda';
import type { Job } from '../../lambda-src/rds/job';
import { RdsSimulator } from '../sim/rds-sim';

const TEMP = 'orders-db-trapheus-old';

let sim: RdsSimulator;

beforeEach(() => {
  sim = new RdsSimulator();
  sim.install();
});

afterEach(() => sim.uninstall());

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

const mutating = () => sim.mutatingCalls().map((c) => ({ command: c.command, input: c.input }));
const DELETE_TEMP = { command: 'DeleteDBInstance', input: { DBInstanceIdentifier: TEMP, SkipFinalSnapshot: true, DeleteAutomatedBackups: false } };

describe('delete old', () => {
  /** The renamed original under TEMP and the verified replacement under orders-db. */
  function seed(opts: { protectedOld?: boolean; replacementStatus?: string } = {}) {
    const old = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres', DeletionProtection: opts.protectedOld ?? true });
    const restored = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DeletionProtection: true, DBInstanceStatus: opts.replacementStatus });
    return { originalResourceId: old.DbiResourceId!, restoredResourceId: restored.DbiResourceId! };
  }
  const deleteOld = (ids: { originalResourceId: string; restoredResourceId: string }) =>
    handler({ op: 'old', job: oldJob({ temp: TEMP, ...ids }) });

  test('turns off deletion protection, then deletes without a final snapshot, keeping automated backups', async () => {
    const ids = seed();
    await expect(deleteOld(ids)).resolves.toEqual({ deleted: TEMP });
    expect(mutating()).toEqual([
      { command: 'ModifyDBInstance', input: { DBInstanceIdentifier: TEMP, DeletionProtection: false, ApplyImmediately: false } },
      DELETE_TEMP,
    ]);
    expect(sim.instance(TEMP)?.DBInstanceStatus).toBe('deleting');
    // The replacement is untouched.
    expect(sim.instance('orders-db')).toMatchObject({ DbiResourceId: ids.restoredResourceId, DBInstanceStatus: 'available', DeletionProtection: true });
    sim.clock.advance(sim.durations.delete);
    expect(sim.instance(TEMP)).toBeUndefined();
  });

  test('without deletion protection: only the delete', async () => {
    const ids = seed({ protectedOld: false });
    await expect(deleteOld(ids)).resolves.toEqual({ deleted: TEMP });
    expect(mutating()).toEqual([DELETE_TEMP]);
  });

  test('the replacement is not the restored DB: ReplacementNotVerified, the original is kept', async () => {
    const ids = seed();
    await expect(deleteOld({ ...ids, restoredResourceId: 'db-SOMETHINGELSE000000000000' })).rejects.toMatchObject({
      name: 'ReplacementNotVerified',
      message: `orders-db is not the serving restored DB (available); the original ${TEMP} is kept.`,
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('the replacement does not serve yet: ReplacementNotVerified', async () => {
    const ids = seed({ replacementStatus: 'rebooting' });
    await expect(deleteOld(ids)).rejects.toMatchObject({
      name: 'ReplacementNotVerified',
      message: `orders-db is not the serving restored DB (rebooting); the original ${TEMP} is kept.`,
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('no replacement at all: ReplacementNotVerified', async () => {
    const old = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    await expect(handler({ op: 'old', job: oldJob({ temp: TEMP, originalResourceId: old.DbiResourceId!, restoredResourceId: 'db-RESTORED00000000000000000' }) }))
      .rejects.toMatchObject({ name: 'ReplacementNotVerified', message: `orders-db is not the serving restored DB (absent); the original ${TEMP} is kept.` });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('the DB under the temporary identifier is not the original: UnexpectedDBInstance, left alone', async () => {
    const ids = seed();
    const stranger = sim.instance(TEMP)!.DbiResourceId;
    await expect(deleteOld({ ...ids, originalResourceId: 'db-ORIGINAL000000000000000000' })).rejects.toMatchObject({
      name: 'UnexpectedDBInstance',
      message: `${TEMP} is not the original DB instance (${stranger}); it is left alone.`,
    });
    expect(sim.mutatingCalls()).toEqual([]);
    expect(sim.instance(TEMP)?.DBInstanceStatus).toBe('available');
  });

  test('nothing under the temporary identifier: nothing deleted', async () => {
    const restored = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(handler({ op: 'old', job: oldJob({ temp: TEMP, originalResourceId: 'db-ORIGINAL000000000000000000', restoredResourceId: restored.DbiResourceId! }) }))
      .resolves.toEqual({ deleted: null });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('a retry while the original is being deleted sends nothing more', async () => {
    const ids = seed();
    await deleteOld(ids);
    sim.clock.advance(60);
    await expect(deleteOld(ids)).resolves.toEqual({ deleted: TEMP });
    expect(sim.mutatingCalls()).toHaveLength(2);
  });

  test('a DB gone between the describe and the delete counts as deleted', async () => {
    const ids = seed({ protectedOld: false });
    sim.failOn({ command: 'DeleteDBInstance', error: 'DBInstanceNotFoundFault', times: 1 });
    await expect(deleteOld(ids)).resolves.toEqual({ deleted: TEMP });
  });

  test('any other delete failure keeps its name, with context', async () => {
    const ids = seed({ protectedOld: false });
    sim.failOn({ command: 'DeleteDBInstance', error: 'InvalidParameterCombination', message: 'Nope.' });
    await expect(deleteOld(ids)).rejects.toMatchObject({ name: 'InvalidParameterCombination', message: `Deleting DB instance ${TEMP}: Nope.` });
  });

  test('a failure turning off deletion protection stops before the delete', async () => {
    const ids = seed();
    sim.failOn({ command: 'ModifyDBInstance', error: 'InvalidDBInstanceStateFault', message: 'Database instance is not in available state.' });
    await expect(deleteOld(ids)).rejects.toMatchObject({
      name: 'InvalidDBInstanceStateFault',
      message: `Turning off deletion protection on ${TEMP}: Database instance is not in available state.`,
    });
    expect(sim.calls.filter((c) => c.command === 'DeleteDBInstance')).toEqual([]);
    expect(sim.instance(TEMP)?.DeletionProtection).toBe(true);
  });
});

describe('delete partial', () => {
  /** The original renamed away under TEMP; `restored`: what the restore reported creating. */
  function job(originalResourceId: string, restoredResourceId?: string): Job {
    return {
      identifier: 'orders-db',
      task: 'db_restore',
      isCluster: false,
      original: { resourceId: originalResourceId, engine: 'postgres', config: { engine: 'postgres' } },
      temp: { identifier: TEMP },
      ...(restoredResourceId ? { restored: { resourceId: restoredResourceId } } : {}),
    };
  }

  test('deletes only the DB the restore created, never the original', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres', DeletionProtection: true });
    const partial = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, partial.DbiResourceId!) })).resolves.toEqual({ deleted: 'orders-db' });
    expect(mutating()).toEqual([
      { command: 'DeleteDBInstance', input: { DBInstanceIdentifier: 'orders-db', SkipFinalSnapshot: true, DeleteAutomatedBackups: false } },
    ]);
    expect(sim.instance('orders-db')?.DBInstanceStatus).toBe('deleting');
    expect(sim.instance(TEMP)).toMatchObject({ DbiResourceId: original.DbiResourceId, DBInstanceStatus: 'available', DeletionProtection: true });
  });

  test('a protected partial DB: protection off first, then the delete', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    const partial = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DeletionProtection: true });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, partial.DbiResourceId!) })).resolves.toEqual({ deleted: 'orders-db' });
    expect(mutating()).toEqual([
      { command: 'ModifyDBInstance', input: { DBInstanceIdentifier: 'orders-db', DeletionProtection: false, ApplyImmediately: false } },
      { command: 'DeleteDBInstance', input: { DBInstanceIdentifier: 'orders-db', SkipFinalSnapshot: true, DeleteAutomatedBackups: false } },
    ]);
  });

  test('the original under its identifier (the rename never happened) is never deleted', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, 'db-RESTORED00000000000000000') })).resolves.toEqual({ deleted: null });
    // Even when the job wrongly names it as the restored DB.
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, original.DbiResourceId!) })).resolves.toEqual({ deleted: null });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('nothing under the identifier: nothing deleted', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, 'db-RESTORED00000000000000000') })).resolves.toEqual({ deleted: null });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('a DB this pipeline did not create: UnexpectedDBInstance, left alone', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    const stranger = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, 'db-RESTORED00000000000000000') })).rejects.toMatchObject({
      name: 'UnexpectedDBInstance',
      message: `orders-db is held by a DB instance this pipeline did not create (${stranger.DbiResourceId}); it is left alone.`,
    });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('the restore never reported a DB: whatever holds the identifier is left alone', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'creating' });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!) })).rejects.toMatchObject({ name: 'UnexpectedDBInstance' });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('already being deleted: nothing more sent', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    const partial = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'deleting' });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, partial.DbiResourceId!) })).resolves.toEqual({ deleted: 'orders-db' });
    expect(sim.mutatingCalls()).toEqual([]);
  });

  test('RDS refusing because a delete is already under way counts as deleted', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    const partial = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres' });
    // Someone else's delete lands between the describe and ours.
    sim.failOn({
      command: 'DeleteDBInstance',
      error: 'InvalidDBInstanceStateFault',
      times: 1,
      when: () => {
        sim.stick('orders-db', 'deleting');
        return true;
      },
    });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, partial.DbiResourceId!) })).resolves.toEqual({ deleted: 'orders-db' });
  });

  test('a partial DB still creating is refused by RDS: the fault is kept, with context', async () => {
    const original = sim.addInstance({ DBInstanceIdentifier: TEMP, Engine: 'postgres' });
    const partial = sim.addInstance({ DBInstanceIdentifier: 'orders-db', Engine: 'postgres', DBInstanceStatus: 'creating' });
    await expect(handler({ op: 'partial', job: job(original.DbiResourceId!, partial.DbiResourceId!) })).rejects.toMatchObject({
      name: 'InvalidDBInstanceStateFault',
      message: 'Deleting DB instance orders-db: Instance orders-db is currently creating and cannot be deleted until the operation in progress completes.',
    });
    expect(sim.instance(TEMP)?.DBInstanceStatus).toBe('available');
  });
});
