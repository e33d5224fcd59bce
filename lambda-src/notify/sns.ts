import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

let client: SNSClient | undefined;

/**
 * Publish the alert JSON to the construct's topic. The message attributes let
 * a subscription filter alerts (`source` = `trapheus-cdk`, `kind` = `failure`
 * or `success`) apart from the CloudWatch alarm's notifications.
 */
export async function publishAlert(topicArn: string, subject: string, message: string, kind: string): Promise<void> {
  client ??= new SNSClient({});
  await client.send(new PublishCommand({
    TopicArn: topicArn,
    Subject: subject,
    Message: message,
    MessageAttributes: {
      source: { DataType: 'String', StringValue: 'trapheus-cdk' },
      kind: { DataType: 'String', StringValue: kind },
    },
  }));
}
