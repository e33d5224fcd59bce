import { DescribeAccountAttributesCommand } from '@aws-sdk/client-rds';
import { copiesSharedSnapshot, quotaProblems, targetNeeds } from './fleet/quotas';
import { rds } from './rds/client';
import { findCluster } from './rds/clusters';
import { attempt } from './rds/errors';
import { logged } from './rds/log';

interface FleetTarget { readonly identifier: string; readonly task: string; readonly isCluster: boolean; readonly snapshotIdentifier?: string }

/**
 * The fleet's pre-flight, before any target starts: would the fleet exceed
 * the account's RDS quotas (DescribeAccountAttributes: DB instances and
 * clusters created beside the originals, at most `maxConcurrency` targets at a
 * time; manual DB and cluster snapshots; at most 20 copies of shared
 * snapshots in progress)? If so it is refused whole
 * (`refused`, with a message naming each quota, its use and what the fleet
 * needs: the fleet then fails with `QuotaExceeded`), and
 * nothing is changed. Read-only: one DescribeAccountAttributes, and one
 * DescribeDBClusters per cluster target that restores (its member count).
 */
export const handler = logged('fleet-preflight', async (event: { targets: FleetTarget[]; maxConcurrency: number }) => {
  const { AccountQuotas: quotas = [] } = await attempt('Reading the account\'s RDS quotas',
    () => rds().send(new DescribeAccountAttributesCommand({})));
  const needs = [];
  for (const t of event.targets) {
    const restoresCluster = t.isCluster && (t.task === 'create_snapshot' || t.task === 'db_restore');
    const members = restoresCluster ? (await findCluster(t.identifier))?.DBClusterMembers?.length ?? 0 : 0;
    needs.push(targetNeeds(t, members));
  }
  const copies = event.targets.filter((t) => copiesSharedSnapshot(t, process.env.ACCOUNT_ID)).length;
  const problems = quotaProblems(quotas, needs, event.maxConcurrency, copies);
  const checked = quotas.map((q) => ({ name: q.AccountQuotaName, used: q.Used, max: q.Max }));
  if (problems.length === 0) return { refused: false, quotas: checked };
  return {
    refused: true,
    message: `The fleet of ${event.targets.length} targets would exceed the account's RDS quotas; nothing was changed. ${problems.join(' ')}`,
    quotas: checked,
  };
});
