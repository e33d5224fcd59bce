import { Annotations, Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { checkProps } from './errors';

/**
 * Where alerts go. Every failed execution (refused input, failed pipeline,
 * failed rollback) sends one alert, to the construct's SNS topic always, and
 * by email and to Slack when configured; with `notifyOnSuccess`, successes do too.
 */
export interface AlertOptions {
  /**
   * The address alert emails are sent from, through Amazon SES. It (or its
   * domain) must be a verified SES identity in the stack's account and Region.
   * Give `recipientEmails` with it.
   * @default - no email alerts
   */
  readonly senderEmail?: string;
  /**
   * Who receives the alert emails. While the account is in the SES sandbox,
   * every recipient must be a verified identity too.
   * @default - no email alerts
   */
  readonly recipientEmails?: string[];
  /**
   * A Secrets Manager secret holding the Slack incoming-webhook URLs
   * (recommended): a JSON array of URLs (`["https://hooks.slack.com/services/..."]`),
   * a JSON object whose values are URLs (the console's key/value form), or
   * URLs separated by commas or new lines. The alert handler reads it at run
   * time; the URLs never appear in the template, the environment or the logs.
   * @default - no Slack alerts from a secret
   */
  readonly slackWebhookSecret?: secretsmanager.ISecret;
  /**
   * Slack incoming-webhook URLs as plain strings, like the original Trapheus's
   * `SlackWebhookUrls` parameter. They end up in the CloudFormation template
   * and the function's environment, where anyone who can read the stack can
   * read them: prefer `slackWebhookSecret` (synth warns).
   * @default - no Slack alerts from plain URLs
   */
  readonly slackWebhookUrls?: string[];
  /**
   * Also send an alert when an execution succeeds.
   * @default false
   */
  readonly notifyOnSuccess?: boolean;
}

/** Props for `RestoreAlerts`. */
export interface RestoreAlertsProps extends AlertOptions {
  /** The `notify` handler, configured and granted here. */
  readonly notifyFunction: lambda.Function;
}

const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;

/**
 * The alert channels: the SNS topic (always), SES email and Slack webhooks,
 * and the notify function's configuration and least-privilege grants.
 */
export class RestoreAlerts extends Construct {
  /** Receives every alert as JSON (and the failure alarm's notifications). */
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: RestoreAlertsProps) {
    super(scope, id);
    checkProps(this, () => validateAlertOptions(props));
    const fn = props.notifyFunction;

    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Trapheus restore alerts', enforceSSL: true });
    fn.addEnvironment('ALERT_TOPIC_ARN', this.topic.topicArn);
    this.topic.grantPublish(fn);

    if (props.senderEmail && props.recipientEmails?.length) {
      fn.addEnvironment('ALERT_SENDER_EMAIL', props.senderEmail);
      fn.addEnvironment('ALERT_RECIPIENT_EMAILS', props.recipientEmails.join(','));
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: sesIdentityArns(this, props.senderEmail, props.recipientEmails),
      }));
    }

    if (props.slackWebhookSecret) {
      fn.addEnvironment('SLACK_WEBHOOK_SECRET_ARN', props.slackWebhookSecret.secretArn);
      props.slackWebhookSecret.grantRead(fn);
    }
    if (props.slackWebhookUrls?.length) {
      fn.addEnvironment('SLACK_WEBHOOK_URLS', Stack.of(this).toJsonString(props.slackWebhookUrls));
      Annotations.of(this).addWarningV2('trapheus-cdk:slackWebhookUrlsInTemplate',
        'slackWebhookUrls end up in plain text in the CloudFormation template and the alert function\'s environment, '
        + 'where anyone who can read the stack can post to your Slack channels. Store them in a Secrets Manager secret '
        + 'and pass it as slackWebhookSecret instead.');
    }
  }
}

/**
 * The SES identities the handler may send as: the sender address and its
 * domain (SES authorizes whichever identity is verified). While the account
 * is in the SES sandbox, SES also authorizes each recipient's identity, so
 * the recipients are listed too. Nothing else.
 */
function sesIdentityArns(scope: Construct, sender: string, recipients: string[]): string[] {
  const identities = new Set<string>();
  for (const address of [sender, ...recipients]) {
    identities.add(address);
    if (!Token.isUnresolved(address) && address.includes('@')) identities.add(address.split('@')[1]);
  }
  return [...identities].map((identity) => Arn.format({
    service: 'ses', resource: 'identity', resourceName: identity, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  }, Stack.of(scope)));
}

/** Refuse incomplete or malformed alert props at synth, naming the prop. */
export function validateAlertOptions(props: AlertOptions): void {
  const isLiteral = (v: string) => !Token.isUnresolved(v);
  const hasRecipients = (props.recipientEmails?.length ?? 0) > 0;
  if (props.senderEmail !== undefined && !hasRecipients) {
    throw new Error('senderEmail is set but recipientEmails is empty: give at least one recipient, or remove senderEmail');
  }
  if (hasRecipients && props.senderEmail === undefined) {
    throw new Error('recipientEmails is set but senderEmail is not: give the verified SES address to send from');
  }
  if (props.senderEmail !== undefined && isLiteral(props.senderEmail) && !EMAIL.test(props.senderEmail)) {
    throw new Error(`senderEmail "${props.senderEmail}" is not an email address`);
  }
  (props.recipientEmails ?? []).forEach((r, i) => {
    if (isLiteral(r) && !EMAIL.test(r)) throw new Error(`recipientEmails[${i}] "${r}" is not an email address`);
  });
  (props.slackWebhookUrls ?? []).forEach((u, i) => {
    if (!isLiteral(u)) return;
    let ok = false;
    try {
      const url = new URL(u);
      // http only to the local machine (tests).
      ok = url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
    } catch {
      ok = false;
    }
    // The URL is a credential: the message names its position only.
    if (!ok) throw new Error(`slackWebhookUrls[${i}] is not an https URL`);
  });
}
