import {
  CloudFormationClient, DescribeStackResourceCommand, paginateListStackResources, StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { CDK_PATH, logicalIdUnder, underPath } from './construct-path';
import { CliError } from './io';

/** How the user names the pipeline: its state machine, or the stack and construct path that hold it. */
export interface TargetOptions {
  readonly stateMachine?: string;
  readonly stack?: string;
  readonly constructPath?: string;
}

const STATE_MACHINE = 'AWS::StepFunctions::StateMachine';

/** The state machine ARN the options name; through CloudFormation for a stack and construct path. */
export async function stateMachineArn(options: TargetOptions, cfn: () => CloudFormationClient): Promise<string> {
  if (options.stateMachine) {
    if (options.stack || options.constructPath) throw new CliError('give --state-machine, or --stack with --construct-path, not both');
    if (!/^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/.test(options.stateMachine)) {
      throw new CliError(`--state-machine ${options.stateMachine} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>); the stack output or \`aws stepfunctions list-state-machines\` has it`);
    }
    return options.stateMachine;
  }
  if (!options.stack || !options.constructPath) {
    throw new CliError('name the pipeline: --state-machine <arn>, or --stack <stack name> with --construct-path <path of the TrapheusRestore, e.g. Restore>');
  }
  return findInStack(cfn(), options.stack, options.constructPath);
}

/**
 * The state machine under `constructPath` in `stack`: the stack's state machines
 * (ListStackResources), each placed by its `aws:cdk:path` metadata
 * (DescribeStackResource), or, without path metadata, by its logical id.
 */
async function findInStack(cfn: CloudFormationClient, stack: string, constructPath: string): Promise<string> {
  const machines: StackResourceSummary[] = [];
  try {
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: stack })) {
      machines.push(...(page.StackResourceSummaries ?? []).filter((r) => r.ResourceType === STATE_MACHINE));
    }
  } catch (err) {
    throw new CliError(`--stack ${stack}: CloudFormation answered ${(err as Error).name}: ${(err as Error).message} (check the stack name and the Region: AWS_REGION or --region)`);
  }
  const placed = await Promise.all(machines.map(async (m) => {
    const described = await cfn.send(new DescribeStackResourceCommand({ StackName: stack, LogicalResourceId: m.LogicalResourceId }));
    const detail = described.StackResourceDetail;
    const metadata = detail?.Metadata ? JSON.parse(detail.Metadata) : {};
    return { arn: m.PhysicalResourceId ?? '', logicalId: m.LogicalResourceId ?? '', path: metadata[CDK_PATH] as string | undefined };
  }));
  const found = placed.filter((m) => (m.path ? underPath(m.path, constructPath) : logicalIdUnder(m.logicalId, constructPath, stack)));
  const list = placed.map((m) => m.path ?? m.logicalId).join(', ') || 'none';
  if (found.length === 0) throw new CliError(`--construct-path ${constructPath}: no state machine under it in stack ${stack} (state machines: ${list})`);
  if (found.length > 1) throw new CliError(`--construct-path ${constructPath}: ${found.length} state machines under it in stack ${stack} (${list}); give a longer path`);
  if (!found[0].arn.startsWith('arn:')) throw new CliError(`stack ${stack}: the state machine ${found[0].logicalId} has no ARN yet (is the stack deployed?)`);
  return found[0].arn;
}
