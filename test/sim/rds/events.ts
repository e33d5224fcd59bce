/**
 * The RDS events the simulator emits, at the status changes the RDS User Guide
 * ties them to ("Amazon RDS event categories and event messages",
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html;
 * the Aurora User Guide's page of the same name for clusters), shaped as
 * EventBridge delivers them ("Overview of events for Amazon RDS", the example
 * events: source aws.rds, detail-type, detail.EventCategories / SourceType /
 * SourceArn / Date / Message / SourceIdentifier / EventID).
 *
 * Assumptions (the pages list the events, not the exact moment each is sent):
 * - an event is emitted when the status change it describes happens (the end
 *   of the phase: "DB instance created" when 'creating' ends);
 * - a restored instance reports "DB instance created" (RDS-EVENT-0005) when
 *   'creating' ends (a real restore may report RDS-EVENT-0043 "Restored from
 *   snapshot" or 0019 instead: the rule takes all three);
 * - renames of DB instances emit nothing (no such event is listed), nor do
 *   the ends of 'modifying' and 'storage-optimization' (which event depends on
 *   what changed, which the simulator does not model);
 * - `SourceIdentifier` is the bare identifier (the guide's instance example
 *   shows `rds:my-db-instance`; the wake handler reads the ARN too);
 * - `SourceType` of clusters and cluster snapshots, `CLUSTER` and
 *   `CLUSTER_SNAPSHOT`, is assumed (the examples show DB_INSTANCE and SNAPSHOT).
 */
import type { StatusChange } from './types';

/** An RDS event as EventBridge delivers it. */
export interface RdsEventBridgeEvent {
  'version': '0';
  'id': string;
  'detail-type': string;
  'source': 'aws.rds';
  'account': string;
  'time': string;
  'region': string;
  'resources': string[];
  'detail': {
    EventCategories: string[];
    SourceType: string;
    SourceArn: string;
    Date: string;
    Message: string;
    SourceIdentifier: string;
    EventID: string;
  };
}

interface EventSpec { id: string; category: string; message: string }

const KINDS: Record<StatusChange['kind'], { detailType: string; sourceType: string; arnType: string }> = {
  'instance': { detailType: 'RDS DB Instance Event', sourceType: 'DB_INSTANCE', arnType: 'db' },
  'snapshot': { detailType: 'RDS DB Snapshot Event', sourceType: 'SNAPSHOT', arnType: 'snapshot' },
  'cluster': { detailType: 'RDS DB Cluster Event', sourceType: 'CLUSTER', arnType: 'cluster' },
  'cluster-snapshot': { detailType: 'RDS DB Cluster Snapshot Event', sourceType: 'CLUSTER_SNAPSHOT', arnType: 'cluster-snapshot' },
};

/** The events one status change emits (none for most). */
export function eventsOf(c: StatusChange): EventSpec[] {
  const automated = c.identifier.startsWith('rds:');
  switch (c.kind) {
    case 'instance': {
      const out: EventSpec[] = [];
      if (c.from === 'creating') out.push({ id: 'RDS-EVENT-0005', category: 'creation', message: 'DB instance created' });
      if (c.from === 'backing-up') out.push({ id: 'RDS-EVENT-0002', category: 'backup', message: 'Finished DB Instance backup' });
      if (c.from === 'deleting') out.push({ id: 'RDS-EVENT-0003', category: 'deletion', message: 'DB instance deleted' });
      if (c.from === 'starting') out.push({ id: 'RDS-EVENT-0088', category: 'notification', message: 'DB instance started' });
      if (c.status === 'backing-up') out.push({ id: 'RDS-EVENT-0001', category: 'backup', message: 'Backing up DB instance' });
      return out;
    }
    case 'snapshot':
      if (c.from === 'creating') {
        return [automated
          ? { id: 'RDS-EVENT-0091', category: 'creation', message: 'Automated snapshot created' }
          : { id: 'RDS-EVENT-0042', category: 'creation', message: 'Manual snapshot created' }];
      }
      if (c.from === 'deleting') return [{ id: 'RDS-EVENT-0041', category: 'deletion', message: 'Deleted manual snapshot' }];
      return [];
    case 'cluster':
      if (c.from === 'creating') return [{ id: 'RDS-EVENT-0170', category: 'creation', message: 'DB cluster created' }];
      if (c.from === 'deleting') return [{ id: 'RDS-EVENT-0171', category: 'deletion', message: 'DB cluster deleted' }];
      if (c.from === 'renaming') return [{ id: 'RDS-EVENT-0172', category: 'notification', message: `Renamed DB cluster to ${c.identifier}` }];
      return [];
    case 'cluster-snapshot':
      if (c.from === 'creating') {
        return [automated
          ? { id: 'RDS-EVENT-0169', category: 'backup', message: 'Automated cluster snapshot created' }
          : { id: 'RDS-EVENT-0075', category: 'backup', message: 'Manual cluster snapshot created' }];
      }
      return [];
  }
}

/** The EventBridge events of `change`, stamped with `date` (the simulated instant of the change). */
export function rdsEvents(change: StatusChange, date: Date, region: string, account: string, seq: () => number): RdsEventBridgeEvent[] {
  const k = KINDS[change.kind];
  const arn = `arn:aws:rds:${region}:${account}:${k.arnType}:${change.identifier}`;
  return eventsOf(change).map((e) => ({
    'version': '0',
    'id': `sim-rds-event-${seq()}`,
    'detail-type': k.detailType,
    'source': 'aws.rds',
    'account': account,
    'time': date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'region': region,
    'resources': [arn],
    'detail': {
      EventCategories: [e.category],
      SourceType: k.sourceType,
      SourceArn: arn,
      Date: date.toISOString(),
      Message: e.message,
      SourceIdentifier: change.identifier,
      EventID: e.id,
    },
  }));
}
