import { WAIT_TIMED_OUT } from '../src/error-names';
import { alternates, dnsFault, dnsRecord, endpointOf, pointRecordAt, recordValue } from './dns/record';
import { route53 } from './dns/route53';
import { PipelineError } from './rds/errors';
import type { DnsRef, Job } from './rds/job';
import { logged } from './rds/log';

/**
 * The DNS alias cutover's Route 53 steps (cutover `Cutover.dnsAlias()`):
 * - `resolve`: which identifier the record points at now (the serving DB), and the other one;
 * - `adopt`: the first run, no record yet: create it, pointing at the DB named `identifier`;
 * - `switch`: point the record at the restored DB (`dns.next`), once it is verified;
 * - `switch-back`: rollback after the switch: point it at the original (`dns.serving`) again;
 * - `change`: one status check of a record change (GetChange), with back-off.
 */
export type DnsEvent =
  | { readonly op: 'resolve' | 'adopt' | 'switch' | 'switch-back'; readonly job: Job }
  | { readonly op: 'change'; readonly changeId: string; readonly subject: string; readonly wait: { elapsed: number; interval: number } };

/** The tasks that restore: the first of them for a database without a record adopts it instead. */
const RESTORES = new Set(['db_restore', 'create_snapshot']);

/** Route 53 says a change "generally" reaches every authoritative server within 60 s (API_ChangeResourceRecordSets); give it 30 minutes. */
export const MAX_CHANGE_WAIT_SECONDS = 1800;
/** The polls after the first (10 s, the construct's `Start waiting for ...` state) grow by half up to 30 s. */
const MAX_CHANGE_POLL = 30;

async function resolve(job: Job): Promise<DnsRef> {
  const record = dnsRecord();
  const [a, b] = alternates(job.identifier);
  const value = await recordValue(record);
  if (value === undefined) return { recordName: record.name, serving: a, next: b, adopt: RESTORES.has(job.task) };
  const isCluster = job.isCluster === true;
  for (const [serving, next] of [[a, b], [b, a]]) {
    const found = await endpointOf(serving, isCluster);
    if (found?.address && found.address.toLowerCase().replace(/\.$/, '') === value) return { recordName: record.name, serving, next, value, adopt: false };
  }
  throw new PipelineError('DnsRecordPointsElsewhere', `The record ${record.name} points at ${value}, which is the endpoint of neither ${a} nor ${b} `
    + `(the two ${isCluster ? 'DB clusters' : 'DB instances'} this pipeline alternates between for ${job.identifier}): `
    + `point it at ${a}'s endpoint (or delete it, so the next run adopts ${a}), then run again.`);
}

/** The endpoint of the DB named `identifier`, which must be `resourceId` (when given) and exist. */
async function endpointFor(identifier: string, isCluster: boolean, what: string, resourceId?: string): Promise<string> {
  const found = await endpointOf(identifier, isCluster);
  const noun = isCluster ? 'DB cluster' : 'DB instance';
  if (!found?.address) throw new PipelineError(isCluster ? 'DBClusterNotFoundFault' : 'DBInstanceNotFoundFault', `There is no ${noun} ${identifier} (${what}) with an endpoint.`);
  if (resourceId && found.resourceId !== resourceId) {
    throw new PipelineError('UnexpectedDBInstance', `${identifier} is not the ${what} (${found.resourceId}, expected ${resourceId}); the record is left alone.`);
  }
  return found.address;
}

async function adopt(job: Job): Promise<{ changeId: string; value: string }> {
  const isCluster = job.isCluster === true;
  const value = await endpointFor(job.identifier, isCluster, 'database to adopt');
  return { changeId: await pointRecordAt(dnsRecord(), value, `trapheus: adopt ${job.identifier}`), value };
}

function dnsOf(job: Job): DnsRef {
  if (!job.dns) throw new PipelineError('InvalidJob', `The job for ${job.identifier} has no DNS record state (dns): the resolve step did not run.`);
  return job.dns;
}

async function switchTo(job: Job, back: boolean): Promise<{ changeId: string; from?: string; to: string }> {
  const dns = dnsOf(job);
  const isCluster = job.isCluster === true;
  const [identifier, what, resourceId] = back
    ? [dns.serving, 'original', job.original?.resourceId]
    : [dns.next, 'restored database', job.restored?.resourceId];
  if (!resourceId) throw new PipelineError('InvalidJob', `The job for ${job.identifier} does not say which ${what} to point ${dns.recordName} at.`);
  const to = await endpointFor(identifier, isCluster, what, resourceId);
  const changeId = await pointRecordAt(dnsRecord(), to, `trapheus: ${back ? 'roll back to' : 'switch to'} ${identifier}`);
  return { changeId, from: dns.value, to };
}

async function change(e: Extract<DnsEvent, { op: 'change' }>): Promise<{ done: boolean; status: string; elapsed: number; interval: number }> {
  let status: string;
  try {
    status = (await route53().getChange(e.changeId)).status;
  } catch (err) {
    throw dnsFault(err, `Reading the status of record change ${e.changeId}`);
  }
  const elapsed = e.wait.elapsed + e.wait.interval;
  const done = status === 'INSYNC';
  if (!done && elapsed >= MAX_CHANGE_WAIT_SECONDS) {
    throw new PipelineError(WAIT_TIMED_OUT, `Waited ${Math.round(elapsed / 60)} min for the ${e.subject} (${e.changeId}) to reach every Route 53 server; it is still ${status}.`);
  }
  return { done, status, elapsed, interval: Math.min(MAX_CHANGE_POLL, Math.round(e.wait.interval * 1.5)) };
}

export const handler = logged('dns', async (event: DnsEvent): Promise<unknown> => {
  switch (event.op) {
    case 'resolve': return resolve(event.job);
    case 'adopt': return adopt(event.job);
    case 'switch': return switchTo(event.job, false);
    case 'switch-back': return switchTo(event.job, true);
    case 'change': return change(event);
  }
});
