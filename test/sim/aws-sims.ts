import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SendEmailCommandInput, SESClient } from '@aws-sdk/client-ses';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, GetExecutionHistoryCommandInput, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { gateCall } from './aws-calls';
import { finishedExecutions, historyPage } from './child-executions';
import { clearTasks, sendTaskSuccess } from './task-tokens';

/** A fault the real service would raise, with its SDK error name. */
function fault(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** One email as SES received it. */
export interface SentEmail {
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly input: SendEmailCommandInput;
}

/**
 * In-memory SES, SNS, Secrets Manager and Step Functions' DescribeExecution
 * under the real SDK v3 clients (aws-sdk-client-mock), for the alert and lock
 * handlers (DynamoDB is dynalite: `dynamo.ts`):
 * - SES `SendEmail` records each email; a sender that is not verified is refused
 *   as SES refuses it (`MessageRejected`);
 * - SNS `Publish` records each message;
 * - Secrets Manager `GetSecretValue` answers from `secrets`, by ARN or name
 *   (`ResourceNotFoundException` otherwise);
 * - Step Functions `DescribeExecution` answers from `executions`
 *   (`ExecutionDoesNotExist` otherwise), and `GetExecutionHistory` from the
 *   child executions the pipeline runner finished (`child-executions.ts`).
 *   Step Functions has no independent
 *   implementation to test against, so this one stays hand-written.
 */
export class AwsSims {
  readonly emails: SentEmail[] = [];
  readonly published: PublishCommandInput[] = [];
  /** Secret ARN or name → SecretString. */
  readonly secrets = new Map<string, string>();
  /** Step Functions executions by ARN → status (RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT). */
  readonly executions = new Map<string, string>();
  /** SES identities that may send; empty = any. */
  readonly verifiedSenders = new Set<string>();
  /** Make the next `n` calls of a service fail with `error`. */
  private readonly faults = new Map<'ses' | 'sns' | 'secretsmanager', { error: string; message: string; times: number }>();
  private mocks: AwsStub<any, any, any>[] = [];

  install(): void {
    this.uninstall();
    const ses = mockClient(SESClient);
    ses.on(SendEmailCommand).callsFake(async (input: SendEmailCommandInput) => {
      gateCall({ service: 'ses', action: 'SendEmail', input });
      this.maybeFail('ses');
      if (this.verifiedSenders.size > 0 && !this.verifiedSenders.has(input.Source!)) {
        throw fault('MessageRejected', `Email address is not verified. The following identities failed the check in region US-EAST-1: ${input.Source}`);
      }
      this.emails.push({
        from: input.Source!,
        to: input.Destination?.ToAddresses ?? [],
        subject: input.Message?.Subject?.Data ?? '',
        text: input.Message?.Body?.Text?.Data ?? '',
        html: input.Message?.Body?.Html?.Data ?? '',
        input: structuredClone(input),
      });
      return { MessageId: `sim-${this.emails.length}` };
    });
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).callsFake(async (input: PublishCommandInput) => {
      gateCall({ service: 'sns', action: 'Publish', input });
      this.maybeFail('sns');
      this.published.push(structuredClone(input));
      return { MessageId: `sim-${this.published.length}` };
    });
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).callsFake(async (input: { SecretId?: string }) => {
      gateCall({ service: 'secretsmanager', action: 'GetSecretValue', input });
      this.maybeFail('secretsmanager');
      const value = this.secrets.get(input.SecretId ?? '');
      if (value === undefined) throw fault('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      return { ARN: input.SecretId, SecretString: value };
    });
    const sfn = mockClient(SFNClient);
    sfn.on(DescribeExecutionCommand).callsFake(async (input: { executionArn?: string }) => {
      gateCall({ service: 'states', action: 'DescribeExecution', input });
      const status = this.executions.get(input.executionArn ?? '');
      if (!status) throw fault('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
      return { executionArn: input.executionArn, status };
    });
    finishedExecutions.clear();
    sfn.on(GetExecutionHistoryCommand).callsFake(async (input: GetExecutionHistoryCommandInput) => {
      gateCall({ service: 'states', action: 'GetExecutionHistory', input });
      const e = finishedExecutions.get(input.executionArn ?? '');
      if (!e) throw fault('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
      return historyPage(e, input.maxResults || 100, input.nextToken);
    });
    // The callback tasks' tokens (task-tokens.ts), answered by the wake function.
    clearTasks();
    sfn.on(SendTaskSuccessCommand).callsFake(async (input: { taskToken?: string; output?: string }) => {
      gateCall({ service: 'states', action: 'SendTaskSuccess', input });
      return sendTaskSuccess(input);
    });
    this.mocks = [ses, sns, sm, sfn];
  }

  uninstall(): void {
    for (const m of this.mocks) m.restore();
    this.mocks = [];
  }

  /** The next `times` calls to `service` fail with `error`. */
  failNext(service: 'ses' | 'sns' | 'secretsmanager', error: string, message = 'simulated failure', times = 1): void {
    this.faults.set(service, { error, message, times });
  }

  /** The SNS messages, parsed. */
  alerts(): any[] {
    return this.published.map((p) => JSON.parse(p.Message!));
  }

  private maybeFail(service: 'ses' | 'sns' | 'secretsmanager'): void {
    const f = this.faults.get(service);
    if (!f || f.times <= 0) return;
    f.times -= 1;
    throw fault(f.error, f.message);
  }
}
