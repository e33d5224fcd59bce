import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';
import {
  CloudFormationClient, DescribeStackResourceCommand, ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

/** An error as the SDK raises a service's: its name is the error code. */
function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

interface Execution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  startDate: Date;
  events: HistoryEvent[];
  /** How many events a reader can see so far. */
  visible: number;
}

const ENDINGS: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED', ExecutionFailed: 'FAILED', ExecutionTimedOut: 'TIMED_OUT', ExecutionAborted: 'ABORTED',
};

/**
 * Step Functions, in memory, for the CLI: executions with a scripted history
 * that appears a few events per read, as a running execution's does.
 * Paging follows the API reference (GetExecutionHistory, ListExecutions:
 * `maxResults`, `nextToken`, `reverseOrder`; newest executions first).
 */
export class FakeStepFunctions {
  readonly executions: Execution[] = [];
  readonly calls: { action: string; input: any }[] = [];
  /** Events that appear at each new read of a history (a read without nextToken). */
  revealPerRead = Number.POSITIVE_INFINITY;
  /** The most events in one page, whatever maxResults asks. */
  pageSize = 100;
  private mock?: AwsStub<any, any, any>;
  /** The history the next StartExecution's execution will have. */
  nextHistory: (input: string) => HistoryEvent[] = () => [];

  add(e: Omit<Execution, 'visible'>): Execution {
    const execution = { ...e, visible: e.events.length };
    this.executions.unshift(execution);
    return execution;
  }

  handle(action: string, input: any): any {
    this.calls.push({ action, input });
    switch (action) {
      case 'StartExecution': {
        const name = input.name ?? `exec-${this.executions.length + 1}`;
        const executionArn = `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        const events = this.nextHistory(input.input);
        const startDate = events[0]?.timestamp ?? new Date();
        const e = this.add({ executionArn, name, stateMachineArn: input.stateMachineArn, input: input.input, startDate, events });
        e.visible = 0;
        return { executionArn, startDate: e.startDate };
      }
      case 'DescribeExecution': {
        const e = this.find(input.executionArn);
        const seen = e.events.slice(0, e.visible);
        const end = seen.find((ev) => ENDINGS[ev.type!]);
        return {
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: end ? ENDINGS[end.type!] : 'RUNNING',
          startDate: e.startDate,
          stopDate: end?.timestamp,
          input: e.input,
          output: end?.executionSucceededEventDetails?.output,
          error: end?.executionFailedEventDetails?.error,
          cause: end?.executionFailedEventDetails?.cause,
        };
      }
      case 'GetExecutionHistory': {
        const e = this.find(input.executionArn);
        if (!input.nextToken) e.visible = Math.min(e.events.length, e.visible + this.revealPerRead);
        const seen = e.events.slice(0, e.visible);
        return this.page(input.reverseOrder ? [...seen].reverse() : seen, input, 'events');
      }
      case 'ListExecutions': {
        const list = this.executions.filter((e) => e.stateMachineArn === input.stateMachineArn)
          .map((e) => ({
            executionArn: e.executionArn,
            name: e.name,
            stateMachineArn: e.stateMachineArn,
            startDate: e.startDate,
            status: this.statusOf(e),
          }));
        return this.page(list, input, 'executions');
      }
    }
    throw new Error(`FakeStepFunctions: ${action} is not faked`);
  }

  /** Route the real SFNClient's calls here (in this process). */
  install(): void {
    this.mock = mockClient(SFNClient);
    for (const [command, action] of [[StartExecutionCommand, 'StartExecution'], [DescribeExecutionCommand, 'DescribeExecution'],
      [GetExecutionHistoryCommand, 'GetExecutionHistory'], [ListExecutionsCommand, 'ListExecutions']] as const) {
      this.mock.on(command as any).callsFake(async (input: any) => this.handle(action, input));
    }
  }

  uninstall(): void {
    this.mock?.restore();
  }

  /**
   * Serve the Step Functions JSON protocol (awsJson1_0: `X-Amz-Target: AWSStepFunctions.<Action>`,
   * timestamps as epoch seconds) on 127.0.0.1, for a CLI in another process (AWS_ENDPOINT_URL_SFN).
   */
  async serve(): Promise<{ endpoint: string; close: () => Promise<void> }> {
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const action = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
        try {
          const out = this.handle(action, JSON.parse(body || '{}'));
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(out, (_k, v) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) / 1000 : v)));
        } catch (err) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: (err as Error).name, message: (err as Error).message }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  private statusOf(e: Execution): string {
    const end = e.events.slice(0, e.visible).find((ev) => ENDINGS[ev.type!]);
    return end ? ENDINGS[end.type!] : 'RUNNING';
  }

  private find(executionArn: string): Execution {
    const e = this.executions.find((x) => x.executionArn === executionArn);
    if (!e) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return e;
  }

  private page<T>(items: T[], input: { maxResults?: number; nextToken?: string }, key: string): any {
    const from = Number(input.nextToken ?? 0);
    const size = Math.min(input.maxResults || this.pageSize, this.pageSize);
    const next = from + size < items.length ? String(from + size) : undefined;
    return { [key]: items.slice(from, from + size), nextToken: next };
  }
}

export interface FakeStackResource {
  logicalId: string;
  type: string;
  physicalId: string;
  /** The aws:cdk:path metadata, when the template has path metadata. */
  path?: string;
}

/** CloudFormation's ListStackResources (two resources a page, to page) and DescribeStackResource, in memory. */
export class FakeCloudFormation {
  readonly stacks = new Map<string, FakeStackResource[]>();
  private mock?: AwsStub<any, any, any>;

  install(): void {
    this.mock = mockClient(CloudFormationClient);
    this.mock.on(ListStackResourcesCommand).callsFake(async (input: { StackName: string; NextToken?: string }) => {
      const resources = this.stack(input.StackName);
      const from = Number(input.NextToken ?? 0);
      return {
        StackResourceSummaries: resources.slice(from, from + 2).map((r) => ({
          LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId, ResourceType: r.type, ResourceStatus: 'CREATE_COMPLETE',
        })),
        NextToken: from + 2 < resources.length ? String(from + 2) : undefined,
      };
    });
    this.mock.on(DescribeStackResourceCommand).callsFake(async (input: { StackName: string; LogicalResourceId: string }) => {
      const r = this.stack(input.StackName).find((x) => x.logicalId === input.LogicalResourceId);
      if (!r) throw awsError('ValidationError', `Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
      return {
        StackResourceDetail: {
          StackName: input.StackName,
          LogicalResourceId: r.logicalId,
          PhysicalResourceId: r.physicalId,
          ResourceType: r.type,
          Metadata: JSON.stringify(r.path ? { 'aws:cdk:path': r.path } : {}),
        },
      };
    });
  }

  uninstall(): void {
    this.mock?.restore();
  }

  private stack(name: string): FakeStackResource[] {
    const found = this.stacks.get(name);
    if (!found) throw awsError('ValidationError', `Stack with id ${name} does not exist`);
    return found;
  }
}
