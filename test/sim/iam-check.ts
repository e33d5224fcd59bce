import * as fs from 'fs';
import * as path from 'path';
import { addCallGate, AwsCall } from './aws-calls';
import { evaluateSync } from './iam-evaluator';
import { Account, Authorization, authorizationsFor, RdsView } from './iam-resources';
import { ACCOUNT, REGION, resolve } from './run-pipeline';

/**
 * The IAM check: a gate (test/sim/aws-calls.ts) that authorizes every AWS call
 * a pipeline function makes against that function's role policies, as
 * synthesized, before the (simulated) service acts on it.
 *
 * - The policies are the template's AWS::IAM::Policy resources attached to the
 *   function's role, its inline and managed policies, with Fn::Join, Ref and
 *   Fn::GetAtt resolved to the same fake ARNs the pipeline runner gives the
 *   functions in their environment (`resolve` of run-pipeline.ts).
 * - Each call becomes the authorizations IAM makes for it (iam-resources.ts):
 *   every resource it touches, request tags, and the tags the resources have
 *   at call time (read from the RDS simulator's public views).
 * - @cloud-copilot/iam-simulate decides (iam-evaluator.ts). Every
 *   authorization of a call must be allowed.
 * - A denied call is recorded and refused as the service refuses it (an
 *   `AccessDenied` error naming the principal, action and resource).
 */

/** One denied authorization. */
export interface Denial {
  /** The function's CloudFormation logical id. */
  readonly caller: string;
  /** The API call, e.g. `rds:DeleteDBInstance`. */
  readonly call: string;
  /** The action that was denied (the call's own, or one it implies: `rds:CreateDBSnapshot`). */
  readonly action: string;
  readonly resource: string;
  readonly because?: string;
  /** A statement that would allow it. */
  readonly missing: string;
  readonly message: string;
}

export interface IamCounts {
  calls: number;
  allowed: number;
  denied: number;
}

/** The documents of the AWS managed policies CDK attaches to Lambda roles (IAM, "AWS managed policies"). */
const AWS_MANAGED_POLICIES: Record<string, unknown> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
  'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole': {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    }],
  },
};

/** A CloudFormation value with every intrinsic resolved (`AWS::NoValue` dropped from lists). */
function resolveDeep(value: any, resources: Record<string, any>): any {
  if (Array.isArray(value)) return value.filter((v) => v?.Ref !== 'AWS::NoValue').map((v) => resolveDeep(v, resources));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return resolve(value, resources);
    return Object.fromEntries(keys.map((k) => [k, resolveDeep(value[k], resources)]));
  }
  return value;
}

interface FunctionRole {
  /** The principal as IAM names it in errors: the function's assumed-role session. */
  readonly principal: string;
  readonly policies: { name: string; policy: unknown }[];
}

/**
 * Each Lambda function's role policies, by the function's logical id; and each
 * state machine's (its own calls: a fleet starting its children), by its logical id.
 */
export function functionRoles(template: any): Map<string, FunctionRole> {
  const resources: Record<string, any> = template.Resources;
  const out = new Map<string, FunctionRole>();
  for (const [fnId, fn] of Object.entries<any>(resources)) {
    if (fn.Type !== 'AWS::Lambda::Function' && fn.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const roleId = (fn.Properties.Role ?? fn.Properties.RoleArn)?.['Fn::GetAtt']?.[0];
    const role = resources[roleId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`iam-check: function ${fnId} has no role in the template`);
    const policies: { name: string; policy: unknown }[] = [];
    for (const managed of resolveDeep(role.Properties.ManagedPolicyArns ?? [], resources) as string[]) {
      const doc = AWS_MANAGED_POLICIES[managed];
      if (!doc) throw new Error(`iam-check: managed policy ${managed} of ${roleId} is unknown: add its document`);
      policies.push({ name: managed.split('/').pop()!, policy: doc });
    }
    for (const inline of role.Properties.Policies ?? []) {
      policies.push({ name: inline.PolicyName, policy: resolveDeep(inline.PolicyDocument, resources) });
    }
    for (const [policyId, p] of Object.entries<any>(resources)) {
      if (p.Type !== 'AWS::IAM::Policy' && p.Type !== 'AWS::IAM::ManagedPolicy') continue;
      if (!(p.Properties.Roles ?? []).some((r: any) => r?.Ref === roleId)) continue;
      policies.push({ name: policyId, policy: resolveDeep(p.Properties.PolicyDocument, resources) });
    }
    out.set(fnId, { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleId}/${fnId}`, policies });
  }
  return out;
}

/** The error each service answers a denied call with (its API reference, "Common Errors"). */
function accessDenied(service: string, message: string): Error {
  const name = service === 'rds' || service === 'ses' ? 'AccessDenied' : service === 'sns' ? 'AuthorizationError' : 'AccessDeniedException';
  const err = new Error(message) as Error & { $fault: string; $metadata: object };
  err.name = name;
  err.$fault = 'client';
  err.$metadata = { httpStatusCode: 403 };
  return err;
}

function describeContext(context: Record<string, string | string[]>): string {
  const entries = Object.entries(context);
  return entries.length === 0 ? '' : ` (context ${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`;
}

export interface IamCheckOptions {
  /** The RDS simulator whose resources' tags the check reads at call time. */
  readonly rds?: () => RdsView | undefined;
  /** KMS key ARNs that are AWS managed (aws/rds), whose key policy allows use through RDS. */
  readonly awsManagedKeys?: string[];
}

export class IamCheck {
  readonly denials: Denial[] = [];
  /**
   * Calls the check could not evaluate (a call it cannot map, a request the
   * simulator refuses). They are thrown too, but a service may catch what its
   * gate throws (RDS turns a refused KMS call into KMSKeyNotAccessibleFault),
   * so they are kept here for the test to fail on.
   */
  readonly errors: string[] = [];
  private readonly roles: Map<string, FunctionRole>;
  private readonly env: Account;
  private counts: IamCounts = { calls: 0, allowed: 0, denied: 0 };

  constructor(template: any, private readonly options: IamCheckOptions = {}) {
    this.roles = functionRoles(template);
    this.env = { region: REGION, account: ACCOUNT, awsManagedKeys: options.awsManagedKeys ?? [] };
  }

  /** Install as a call gate; returns its removal. */
  install(): () => void {
    return addCallGate((call) => this.check(call));
  }

  /** Authorize `call`; throws the service's AccessDenied when any authorization is denied. */
  check(call: AwsCall): void {
    // Calls made outside a pipeline function (a test seeding data) are not the pipeline's.
    if (!call.caller) return;
    let denied: Authorization[];
    let role: FunctionRole | undefined;
    try {
      role = this.roles.get(call.caller);
      if (!role) throw new Error(`iam-check: ${call.caller} is not a function of the checked stack`);
      const authorizations = authorizationsFor(call, this.env, this.options.rds?.());
      denied = authorizations.filter((a) => !this.allows(role!, a, call));
    } catch (err) {
      this.errors.push(`${call.caller}: ${call.service}:${call.action}: ${(err as Error).message}`);
      throw err;
    }
    this.counts.calls += 1;
    if (denied.length === 0) {
      this.counts.allowed += 1;
      return;
    }
    this.counts.denied += 1;
    const found = denied.map((a) => this.deny(role!, call, a));
    this.denials.push(...found);
    throw accessDenied(call.service, found[0].message);
  }

  private allows(role: FunctionRole, a: Authorization, call: AwsCall): boolean {
    const decision = evaluateSync({
      principal: role.principal,
      action: a.action,
      resource: a.resource,
      accountId: a.resourceAccount ?? ACCOUNT,
      context: a.context,
      identityPolicies: role.policies,
      resourcePolicy: a.resourcePolicy,
    });
    if (decision.result === 'Error') {
      throw new Error(`iam-check: iam-simulate refused ${a.action} on ${a.resource} (for ${call.service}:${call.action}): ${JSON.stringify(decision.errors)}`);
    }
    return decision.result === 'Allowed';
  }

  private deny(role: FunctionRole, call: AwsCall, a: Authorization): Denial {
    return {
      caller: call.caller!,
      call: `${call.service}:${call.action}`,
      action: a.action,
      resource: a.resource,
      because: a.because,
      missing: `{"Effect":"Allow","Action":"${a.action}","Resource":"${a.resource}"}${describeContext(a.context)}`,
      message: `User: ${role.principal} is not authorized to perform: ${a.action} on resource: ${a.resource} because no identity-based policy allows the ${a.action} action`,
    };
  }

  /** The calls checked since the last take, and reset. */
  takeCounts(): IamCounts {
    const c = this.counts;
    this.counts = { calls: 0, allowed: 0, denied: 0 };
    return c;
  }

  /** The denials since the last take, and clear them. */
  takeDenials(): Denial[] {
    return this.denials.splice(0);
  }

  /** The check's own errors since the last take, and clear them. */
  takeErrors(): string[] {
    return this.errors.splice(0);
  }
}

/** One line per denial: function, action, resource, and what would allow it. */
export function describeDenials(denials: Denial[]): string {
  return denials.map((d) => `${d.caller}: ${d.call}${d.call === d.action ? '' : ` → ${d.action}${d.because ? ` (${d.because})` : ''}`} on ${d.resource} denied; missing ${d.missing}`).join('\n');
}

export function summaryLine(c: IamCounts): string {
  return `IAM check: ${c.calls} calls, ${c.allowed} allowed, ${c.denied} denied`;
}

export function addCounts(into: IamCounts, c: IamCounts): void {
  into.calls += c.calls;
  into.allowed += c.allowed;
  into.denied += c.denied;
}

/** Where each test file leaves its counts for the jest globalTeardown (set by the globalSetup). */
export const TALLY_DIR_ENV = 'TRAPHEUS_IAM_TALLY_DIR';

/** Leave this test file's counts for the run's summary line. */
export function writeTally(c: IamCounts): void {
  const dir = process.env[TALLY_DIR_ENV];
  if (!dir || c.calls === 0) return;
  fs.writeFileSync(path.join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`), JSON.stringify(c));
}

/**
 * The RDS AWS managed key (aws/rds) of the simulated account: the key the RDS
 * simulator encrypts with when no key is given (test/iam-check.test.ts keeps
 * the two in step).
 */
export const SIM_AWS_RDS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/5f8b9a1e-3c2d-4e6f-8a7b-9c0d1e2f3a4b`;
