import { App, Duration, Stack } from 'aws-cdk-lib';
import { OldDatabasePolicy, TrapheusRestore, TrapheusRestoreProps } from '../src';
import { definitionFrom } from './sim/run-pipeline';

function states(props: TrapheusRestoreProps = {}): Record<string, any> {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  new TrapheusRestore(stack, 'Restore', props);
  return definitionFrom(stack).asl.States;
}

const DELETES = ['Delete the old instance', 'Delete the old cluster members', 'Delete the old cluster'];

describe('oldDatabase and deleteOldAutomatedBackups in the state machine', () => {
  test('default: deleted at once without a final snapshot, automated backups kept; the payloads say so', () => {
    const s = states();
    for (const name of DELETES) {
      expect({ name, oldDatabase: s[name].Parameters.oldDatabase })
        .toEqual({ name, oldDatabase: { finalSnapshot: false, deleteAutomatedBackups: false } });
      expect(s[name].Parameters['startedAt.$']).toBeUndefined();
    }
    expect(s['Verify the restored configuration'].Next).toBe('Delete the old instance');
    expect(s['Verify the restored cluster and its writer'].Next).toBe('Delete the old cluster members');
    expect(Object.keys(s).filter((n) => n.startsWith('Keep the old') || n.includes('final'))).toEqual([]);
  });

  test('keepFor: one Wait state of the right length after the verify, per branch, then the waits before the delete', () => {
    const s = states({ oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(24)) });
    expect(s['Verify the restored configuration'].Next).toBe('Keep the old instance for 24 hours');
    expect(s['Keep the old instance for 24 hours']).toEqual({ Type: 'Wait', Seconds: 86400, Next: 'Start waiting for old instance after the keep window' });
    expect(s['Is restored instance after the keep window ready?'].Default).toBe('Delete the old instance');
    expect(s['Verify the restored cluster and its writer'].Next).toBe('Keep the old cluster for 24 hours');
    expect(s['Keep the old cluster for 24 hours']).toEqual({ Type: 'Wait', Seconds: 86400, Next: 'Start waiting for old members after the keep window' });
    expect(s['Is restored cluster after the keep window ready?'].Default).toBe('Delete the old cluster members');
    // a failed wait after the window takes the failure path after the restore: no rollback
    for (const check of ['Check old instance after the keep window', 'Check restored cluster after the keep window']) {
      expect(s[check].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Report the failure after the restore' }]);
    }
    expect(s['Delete the old instance'].Parameters.oldDatabase).toEqual({ finalSnapshot: false, deleteAutomatedBackups: false });
  });

  test.each([
    [Duration.hours(1), 'Keep the old instance for 1 hour', 3600],
    [Duration.minutes(90), 'Keep the old instance for 90 minutes', 5400],
    [Duration.days(7), 'Keep the old instance for 168 hours', 604800],
  ])('keepFor(%s): the Wait state is named and sized after it', (duration, name, seconds) => {
    expect(states({ oldDatabase: OldDatabasePolicy.keepFor(duration) })[name]).toMatchObject({ Type: 'Wait', Seconds: seconds });
  });

  test('snapshotThenDelete: the delete payloads ask for a final snapshot named from the start time; it is waited for, then tagged', () => {
    const s = states({ oldDatabase: OldDatabasePolicy.snapshotThenDelete(), deleteOldAutomatedBackups: true });
    for (const name of DELETES) {
      expect({ name, oldDatabase: s[name].Parameters.oldDatabase })
        .toEqual({ name, oldDatabase: { finalSnapshot: true, deleteAutomatedBackups: true } });
    }
    expect(s['Delete the old instance'].Parameters['startedAt.$']).toBe('$$.Execution.StartTime');
    expect(s['Delete the old cluster'].Parameters['startedAt.$']).toBe('$$.Execution.StartTime');
    expect(s['Is old instance deletion ready?'].Default).toBe('Start waiting for final snapshot');
    expect(s['Check final snapshot'].Parameters).toMatchObject({ 'resource': 'snapshot', 'identifier.$': '$.deletedOld.finalSnapshot', 'until': 'available' });
    expect(s['Is final snapshot ready?'].Default).toBe('Tag the final snapshot');
    expect(s['Tag the final snapshot'].Parameters).toMatchObject({ 'op': 'final-snapshot', 'isCluster': false, 'snapshotId.$': '$.deletedOld.finalSnapshot' });
    expect(s['Tag the final snapshot'].ResultPath).toBe('$.finalSnapshot');
    expect(s['Check final cluster snapshot'].Parameters).toMatchObject({ 'resource': 'cluster-snapshot', 'identifier.$': '$.deletedOldCluster.finalSnapshot' });
    expect(s['Tag the final cluster snapshot'].Parameters).toMatchObject({ 'isCluster': true, 'snapshotId.$': '$.deletedOldCluster.finalSnapshot' });
    for (const name of ['Tag the final snapshot', 'Tag the final cluster snapshot']) {
      expect(s[name].Catch[0].Next).toBe('Report the failure after the restore');
    }
  });

  test('the policy reads back for the other languages', () => {
    expect(OldDatabasePolicy.deleteImmediately()).toMatchObject({ finalSnapshot: false, keepDuration: undefined });
    expect(OldDatabasePolicy.snapshotThenDelete()).toMatchObject({ finalSnapshot: true, keepDuration: undefined });
    expect(OldDatabasePolicy.keepFor(Duration.hours(3)).keepDuration?.toHours()).toBe(3);
  });

  test.each([
    [Duration.minutes(30), '30 minutes'],
    [Duration.hours(169), '7 days 1 hour'],
    [Duration.days(30), '30 days'],
    [Duration.seconds(3630), '1 hour 30 seconds'],
  ])('keepFor(%s) fails at synth, naming the prop', (duration, shown) => {
    expect(() => states({ oldDatabase: OldDatabasePolicy.keepFor(duration) }))
      .toThrow(`oldDatabase: OldDatabasePolicy.keepFor() must keep the old database 1 to 168 hours, in whole minutes (got ${shown})`);
  });

  test('the longest keep window fits the history budget with the default polling', () => {
    expect(() => states({ oldDatabase: OldDatabasePolicy.keepFor(Duration.hours(168)) })).not.toThrow();
  });
});
