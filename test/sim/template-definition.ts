import * as path from 'path';
import type { RuleResource } from './eventbridge';

/**
 * The state machine definition and its functions, read from a synthesized
 * CloudFormation template, with CloudFormation values resolved to the fake
 * ARNs of the test account and Region (split from template-pipeline.ts, which
 * re-exports all of it).
 */

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export interface LambdaResource {
  logicalId: string;
  /** The handler's name: `restore` for `lambda-src/restore.lambda.ts`. */
  name: string;
  /** The handler module's path in this repository. */
  module: string;
  env: Record<string, string>;
}

export interface Definition {
  asl: any;
  /** Function ARN in the definition → the function behind it. */
  functions: Map<string, LambdaResource>;
  /** The state machine's logical id: its name in the fake ARNs (`resolve`). @default 'Restore' */
  stateMachineId?: string;
  /** The template's EventBridge rules with an event pattern, and the functions they target (eventbridge.ts). */
  rules?: RuleResource[];
}

/**
 * A CloudFormation value as a deterministic string: pseudo parameters as the
 * test account and Region; a Ref or Fn::GetAtt Arn of a resource in `resources`
 * as a fake ARN of its service (Lambda functions by default, as in the
 * definition); Fn::Join joined.
 */
export function resolve(part: any, resources: Record<string, any> = {}): string {
  if (typeof part === 'string') return part;
  if (part?.Ref === 'AWS::Partition') return 'aws';
  if (part?.Ref === 'AWS::Region') return REGION;
  if (part?.Ref === 'AWS::AccountId') return ACCOUNT;
  if (part?.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  const fakeArn = (id: string) => {
    const service = (resources[id]?.Type ?? 'AWS::Lambda::Function').split('::')[1].toLowerCase();
    const prefixes: Record<string, string> = { lambda: 'function:', secretsmanager: 'secret:', dynamodb: 'table/', kms: 'key/', stepfunctions: 'stateMachine:' };
    const prefix = prefixes[service] ?? '';
    // IAM ARNs have no Region: arn:aws:iam::<account>:role/<name>.
    if (service === 'iam') return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    return `arn:aws:${service === 'stepfunctions' ? 'states' : service}:${REGION}:${ACCOUNT}:${prefix}${id}`;
  };
  if (part?.['Fn::GetAtt']?.[1] === 'Arn') return fakeArn(part['Fn::GetAtt'][0]);
  // A state machine's name: its logical id, the name in its fake ARN.
  if (part?.['Fn::GetAtt']?.[1] === 'Name' && resources[part['Fn::GetAtt'][0]]?.Type === 'AWS::StepFunctions::StateMachine') return part['Fn::GetAtt'][0];
  // A table's Ref is its name (CloudFormation, AWS::DynamoDB::Table return values): its logical id here,
  // the name dynamo.ts creates it under.
  if (typeof part?.Ref === 'string' && resources[part.Ref]?.Type === 'AWS::DynamoDB::Table') return part.Ref;
  if (typeof part?.Ref === 'string' && resources[part.Ref]) return fakeArn(part.Ref);
  if (part?.['Fn::Join']) return part['Fn::Join'][1].map((p: any) => resolve(p, resources)).join(part['Fn::Join'][0]);
  throw new Error(`run-pipeline: cannot resolve ${JSON.stringify(part)} in the definition`);
}

export interface TemplateOptions {
  /**
   * The logical id of the state machine to run, when the template has more than one.
   * @default the template's only state machine
   */
  stateMachine?: string;
}

/**
 * The state machine definition and its functions, read from a synthesized
 * CloudFormation template (the JSON of `Template.toJSON()` or of a `cdk.out`
 * `*.template.json`).
 */
export function definitionFromTemplate(template: { Resources?: Record<string, any> }, options: TemplateOptions = {}): Definition {
  const resources: Record<string, any> = template.Resources ?? {};
  const machines = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine'
    && (options.stateMachine === undefined || id === options.stateMachine));
  if (machines.length !== 1) {
    throw new Error(`run-pipeline: expected one state machine${options.stateMachine ? ` with logical id ${options.stateMachine}` : ''}, found ${machines.length}`);
  }
  const body = machines[0][1].Properties.DefinitionString;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p: any) => resolve(p, resources)).join(body['Fn::Join'][0]);
  const functions = new Map<string, LambdaResource>();
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const source = /^lambda-src\/([\w-]+)\.lambda\.ts$/.exec(r.Properties.Description ?? '');
    // A user's function (the after-restore hook) in a test: a fixture whose Description names its module in test/.
    const fixture = /^(test\/[\w/-]+\.fixture)\.ts$/.exec(r.Properties.Description ?? '');
    if (!source && !fixture) continue;
    functions.set(resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }), {
      logicalId,
      name: source ? source[1] : fixture![1],
      module: source ? path.join(__dirname, '..', '..', 'lambda-src', `${source[1]}.lambda`) : path.join(__dirname, '..', '..', fixture![1]),
      // Environment values that are CloudFormation tokens (the alert topic's Ref...) become fake ARNs.
      env: Object.fromEntries(Object.entries<any>(r.Properties.Environment?.Variables ?? {}).map(([k, v]) => [k, resolve(v, resources)])),
    });
  }
  const rules = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern)
    .map(([logicalId, r]) => ({
      logicalId, pattern: r.Properties.EventPattern, targets: (r.Properties.Targets ?? []).map((x: any) => resolve(x.Arn, resources)),
    }));
  return { asl: JSON.parse(text), functions, stateMachineId: machines[0][0], rules };
}
