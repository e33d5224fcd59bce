import { DBCluster, DBInstance, DescribeDBInstanceAutomatedBackupsCommand } from '@aws-sdk/client-rds';
import { rds } from './client';
import { attempt, PipelineError } from './errors';
import type { RestoreInput } from '../../src/input-rules';

/**
 * The pre-flight of a point-in-time restore, before any change: the original
 * keeps automated backups, and `restoreTime` lies in its restorable window.
 * - DB instances: `LatestRestorableTime` is on the DBInstance; it has no
 *   earliest time, which is `RestoreWindow.EarliestTime` of its automated
 *   backup (DescribeDBInstanceAutomatedBackups; API_DBInstance, API_RestoreWindow).
 * - Aurora clusters: `EarliestRestorableTime` and `LatestRestorableTime` on the DBCluster (API_DBCluster).
 * A backup retention period of 0 turns point-in-time restore off
 * (PointInTimeRestoreNotEnabledFault, API_RestoreDBInstanceToPointInTime).
 */
export async function checkRestorableWindow(job: RestoreInput, db: { instance?: DBInstance; cluster?: DBCluster }): Promise<void> {
  if (job.task !== 'db_restore' || job.source !== 'point-in-time') return;
  const what = db.cluster ? `DB cluster ${job.identifier}` : `DB instance ${job.identifier}`;
  const retention = (db.cluster ?? db.instance)?.BackupRetentionPeriod ?? 0;
  if (retention <= 0) {
    throw new PipelineError('PointInTimeRestoreNotEnabledFault', `${what} has automated backups off (backup retention period 0), so it cannot be `
      + 'restored to a point in time. Turn automated backups on (a retention of 1 to 35 days), or use "source": "snapshot".');
  }
  // RDS refuses cluster-level enhanced monitoring and Performance Insights in a point-in-time restore of a cluster
  // that is not Aurora Limitless, and ModifyDBCluster cannot turn them on afterwards for Aurora (cluster-config.ts):
  // the restored cluster would lose them (InvalidParameterCombination, observed: boto/boto3#4634).
  const c = db.cluster;
  if (c && ((c.MonitoringInterval ?? 0) > 0 || c.PerformanceInsightsEnabled)) {
    throw new PipelineError('PointInTimeRestoreUnsupported', `${what} has cluster-level ${(c.MonitoringInterval ?? 0) > 0 ? 'enhanced monitoring' : 'Performance Insights'}, `
      + 'which RDS does not carry in a point-in-time restore of an Aurora cluster (only of an Aurora Limitless one), so the restored cluster would lose it. '
      + 'Use "source": "snapshot" or "latest-automated".');
  }
  let earliest: Date | undefined;
  let latest: Date | undefined;
  if (db.cluster) {
    earliest = db.cluster.EarliestRestorableTime;
    latest = db.cluster.LatestRestorableTime;
  } else {
    latest = db.instance!.LatestRestorableTime;
    const out = await attempt(`Describing the automated backups of ${job.identifier}`, () => rds().send(new DescribeDBInstanceAutomatedBackupsCommand({
      DbiResourceId: db.instance!.DbiResourceId,
    })));
    // the instance's own, live backup (a retained one belongs to a deleted instance)
    earliest = out.DBInstanceAutomatedBackups?.find((b) => b.Status === 'active')?.RestoreWindow?.EarliestTime;
  }
  if (!latest || !earliest) {
    throw new PipelineError('PointInTimeRestoreNotEnabledFault', `${what} has no restorable window yet (RDS shows no ${!latest ? 'latest' : 'earliest'} `
      + 'restorable time: its first automated backup may still be running). Wait for it, or use "source": "snapshot".');
  }
  if (job.useLatestRestorableTime) return;
  const at = new Date(job.restoreTime!);
  const window = `${new Date(earliest).toISOString()} to ${new Date(latest).toISOString()}`;
  if (at.getTime() < new Date(earliest).getTime() || at.getTime() > new Date(latest).getTime()) {
    throw new PipelineError('RestoreTimeOutsideWindow', `"restoreTime" ${job.restoreTime} is outside the restorable window of ${what}, ${window} (UTC): `
      + 'give a time in it, or "useLatestRestorableTime": true.');
  }
}
