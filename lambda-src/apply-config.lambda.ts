import { DBInstance, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { rds } from './rds/client';
import { attempt, PipelineError } from './rds/errors';
import { configDrift, InstanceConfig, INSTANCE_ATTRIBUTES, modifyParams } from './rds/instance-config';
import { findInstance } from './rds/instances';

export interface ApplyConfigEvent {
  /** `apply`: one ModifyDBInstance for what the restore could not carry. `verify`: every kept setting matches. */
  readonly op: 'apply' | 'verify';
  readonly identifier: string;
  /** DbiResourceId of the restored DB. */
  readonly resourceId: string;
  readonly config: InstanceConfig;
}

async function restoredInstance(identifier: string, resourceId: string): Promise<DBInstance> {
  const db = await findInstance(identifier);
  if (db?.DbiResourceId !== resourceId) {
    throw new PipelineError('ReplacementNotVerified', `The DB instance under ${identifier} is not the restored one (${resourceId}).`);
  }
  return db;
}

async function apply(event: ApplyConfigEvent): Promise<{ changed: string[] }> {
  const db = await restoredInstance(event.identifier, event.resourceId);
  const params = modifyParams(event.config, db);
  const changed = Object.keys(params);
  if (changed.length === 0) return { changed };
  await attempt(`Applying ${changed.join(', ')} to ${event.identifier}`, () => rds().send(new ModifyDBInstanceCommand({
    ...params, DBInstanceIdentifier: event.identifier, ApplyImmediately: true,
  })));
  return { changed };
}

async function verify(event: ApplyConfigEvent): Promise<{ verified: true }> {
  const db = await restoredInstance(event.identifier, event.resourceId);
  const drift = configDrift(event.config, db);
  if (drift.length > 0) {
    const details = drift.map((key) => {
      const a = INSTANCE_ATTRIBUTES.find((x) => x.key === key)!;
      return `${a.name}: ${JSON.stringify(a.read(db))} instead of ${JSON.stringify(event.config[key])}`;
    });
    throw new PipelineError('ConfigurationDrift', `The restored ${event.identifier} differs from the original: ${details.join('; ')}.`);
  }
  return { verified: true };
}

export async function handler(event: ApplyConfigEvent): Promise<unknown> {
  return event.op === 'apply' ? apply(event) : verify(event);
}
