/**
 * What each DB instance status allows the pipeline to do, in one table.
 *
 * Statuses and their meaning: RDS User Guide, "Viewing Amazon RDS DB instance
 * status" (the status table). What each one allows:
 * - `serves`: clients can connect. `storage-optimization` is "fully
 *   operational" and "can sometimes take up to and even beyond 24 hours";
 *   `backing-up`, `modifying` and the `configuring-*` statuses keep the
 *   endpoint up.
 * - `modify`: ModifyDBInstance (a rename, settings) is accepted: `available`,
 *   and `storage-optimization` for anything but storage ("you can't request
 *   any changes to the storage"; AWS re:Post Knowledge Center, "Why is my
 *   Amazon RDS DB instance stuck in the storage-optimization state": "you can
 *   perform any other instance modifications").
 * - `final-snapshot`: DeleteDBInstance with a final snapshot is accepted only
 *   `available` ("not currently in the available state" otherwise, as a
 *   `backing-up` instance is refused).
 * - `ends`: `by itself` (a transition RDS finishes), `never` (the instance
 *   stays there until someone acts: `insufficient-capacity` says "delete your
 *   DB instance, wait a few hours, and try to create again"), `rests` (a
 *   resting status).
 */

export type InstanceStep = 'serve' | 'modify' | 'final-snapshot';

export interface StatusRule {
  /** Whether the status ends without anyone acting. */
  readonly ends: 'rests' | 'by itself' | 'never';
  readonly allows: readonly InstanceStep[];
  /** A requested change is being applied (it ends when the change is in). */
  readonly applying?: true;
}

const passing = (...steps: InstanceStep[]): StatusRule => ({ ends: 'by itself', allows: steps });
const applying: StatusRule = { ends: 'by itself', allows: ['serve'], applying: true };
/** A status the instance will not leave by waiting: a wait for it to serve fails at once. */
const stuck: StatusRule = { ends: 'never', allows: [] };

export const INSTANCE_STATUSES: Readonly<Record<string, StatusRule>> = {
  'available': { ends: 'rests', allows: ['serve', 'modify', 'final-snapshot'] },
  'storage-optimization': passing('serve', 'modify'),
  'backing-up': passing('serve'),
  'modifying': applying,
  'configuring-enhanced-monitoring': applying,
  'configuring-iam-database-auth': applying,
  'configuring-log-exports': applying,
  'creating': passing(),
  'renaming': passing(),
  'rebooting': passing(),
  'maintenance': passing(),
  'upgrading': passing(),
  'starting': passing(),
  'resetting-master-credentials': passing(),
  'converting-to-vpc': passing(),
  'moving-to-vpc': passing(),
  'deleting': passing(),
  'failed': stuck,
  'inaccessible-encryption-credentials': stuck,
  'inaccessible-encryption-credentials-recoverable': stuck,
  'incompatible-create': stuck,
  'incompatible-network': stuck,
  'incompatible-option-group': stuck,
  'incompatible-parameters': stuck,
  'incompatible-restore': stuck,
  'incompatible-credentials': stuck,
  'insufficient-capacity': stuck,
  'restore-error': stuck,
  'storage-full': stuck,
  // stopped rests until someone starts it; stopping ends in stopped
  'stopped': stuck,
  'stopping': stuck,
};

/** The rule of a status; an unknown one is taken as a transition RDS finishes by itself. */
export function statusRule(status: string | undefined): StatusRule {
  return (status !== undefined && INSTANCE_STATUSES[status]) || passing();
}

export function allows(status: string | undefined, step: InstanceStep): boolean {
  return statusRule(status).allows.includes(step);
}

/** The instance will not leave this status by waiting. */
export function isStuck(status: string | undefined): boolean {
  return statusRule(status).ends === 'never';
}

/**
 * What a wait for an instance waits for, chosen per wait by the step after it:
 * - `available`: exactly `available` (RDS takes a final snapshot only then);
 * - `modifiable`: ModifyDBInstance is accepted (the next step renames or changes settings);
 * - `serving`: clients can use it (nothing after the wait changes it).
 * All three also need a requested rename done and the waited-for pending values applied.
 */
export type Readiness = 'available' | 'modifiable' | 'serving';

const READY: Record<Readiness, (status: string) => boolean> = {
  available: (s) => s === 'available',
  modifiable: (s) => allows(s, 'modify'),
  // serving, with no requested change still being applied
  serving: (s) => allows(s, 'serve') && !statusRule(s).applying,
};

export function isReady(status: string | undefined, readiness: Readiness): boolean {
  return status !== undefined && READY[readiness](status);
}
