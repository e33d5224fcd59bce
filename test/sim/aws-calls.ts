/**
 * The one place every AWS call made by code under test passes through, before
 * the (simulated or emulated) service acts on it: the RDS simulator, the
 * in-memory SES/SNS/Secrets Manager/Step Functions, and DynamoDB (dynalite).
 *
 * Gates see each call with the function that made it (set by the pipeline
 * runner around each handler invocation) and may refuse it by throwing, as
 * IAM refuses a call before the service sees it. The IAM check
 * (`iam-check.ts`) is such a gate.
 *
 * Calls a service makes on the caller's behalf are gated too, with `via` set:
 * RDS calling KMS (CreateGrant, DescribeKey) with the caller's credentials
 * when it restores from an encrypted snapshot, for instance. IAM evaluates
 * those with `kms:ViaService` (AWS KMS Developer Guide, "kms:ViaService").
 */

/** The services whose calls are gated. */
export type AwsService = 'rds' | 'dynamodb' | 'states' | 'sns' | 'ses' | 'secretsmanager' | 'kms' | 'lambda' | 's3' | 'route53';

export interface AwsCall {
  readonly service: AwsService;
  /** The API action, e.g. 'RestoreDBInstanceFromDBSnapshot'. */
  readonly action: string;
  /** The request parameters as sent. */
  readonly input: any;
  /** The logical id of the function whose handler made the call, when a pipeline runner set one. */
  readonly caller?: string;
  /** For a call a service makes on the caller's behalf: that service (`rds`). */
  readonly via?: AwsService;
}

export type CallGate = (call: AwsCall) => void;

const gates = new Set<CallGate>();
let caller: string | undefined;

/** Add a gate; returns its removal. */
export function addCallGate(gate: CallGate): () => void {
  gates.add(gate);
  return () => gates.delete(gate);
}

/** Pass a call through every gate (a gate throws to refuse it). */
export function gateCall(call: Omit<AwsCall, 'caller'>): void {
  const full: AwsCall = { ...call, caller };
  for (const gate of gates) gate(full);
}

/** The function making calls from now on (undefined: none, e.g. a handler unit test). */
export function setCaller(logicalId: string | undefined): void {
  caller = logicalId;
}

export function currentCaller(): string | undefined {
  return caller;
}
