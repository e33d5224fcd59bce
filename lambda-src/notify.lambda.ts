import { sendEmail } from './notify/email';
import { buildFleetAlert, FleetNotifyEvent } from './notify/fleet';
import { Alert, buildAlert, clean, NotifyEvent, renderEmail, renderSlack, renderSns } from './notify/render';
import { postToWebhooks, webhookUrlsFromSecret, parseWebhookUrls } from './notify/slack';
import { publishAlert } from './notify/sns';
import { PipelineError } from './rds/errors';
import { log, logged } from './rds/log';

/** The longest one Slack post may take. */
const SLACK_TIMEOUT_MS = 10_000;

interface ChannelResult {
  readonly channel: string;
  readonly ok: boolean;
  readonly reason?: string;
}

/** An AWS error as a short reason: name and message, one line. */
function reason(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return clean(`${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, 300);
}

async function channel(name: string, send: () => Promise<void>): Promise<ChannelResult[]> {
  try {
    await send();
    return [{ channel: name, ok: true }];
  } catch (err) {
    return [{ channel: name, ok: false, reason: reason(err) }];
  }
}

async function slack(alert: Alert, env: NodeJS.ProcessEnv): Promise<ChannelResult[]> {
  const results: ChannelResult[] = [];
  const urls: string[] = [];
  try {
    urls.push(...parseWebhookUrls(env.SLACK_WEBHOOK_URLS));
  } catch (err) {
    results.push({ channel: 'Slack webhook list', ok: false, reason: (err as Error).message });
  }
  if (env.SLACK_WEBHOOK_SECRET_ARN) {
    try {
      const fromSecret = await webhookUrlsFromSecret(env.SLACK_WEBHOOK_SECRET_ARN);
      if (fromSecret.length === 0) results.push({ channel: 'Slack webhook secret', ok: false, reason: 'the secret holds no webhook URL' });
      urls.push(...fromSecret);
    } catch (err) {
      // Parse errors and AWS errors alike: neither carries a URL.
      results.push({ channel: 'Slack webhook secret', ok: false, reason: reason(err) });
    }
  }
  if (urls.length > 0) results.push(...await postToWebhooks(urls, renderSlack(alert), SLACK_TIMEOUT_MS));
  return results;
}

/**
 * Send the alert of a finished execution to every configured channel: the SNS
 * topic, email through SES, Slack webhooks. All channels are tried; if any
 * fails the handler fails with `AlertNotSent` naming them, after the others
 * were sent. The state machine catches that: an alert that cannot be sent
 * never changes how the execution ends.
 *
 * Configuration (set by the construct): ALERT_TOPIC_ARN, ALERT_SENDER_EMAIL,
 * ALERT_RECIPIENT_EMAILS (comma-separated), SLACK_WEBHOOK_SECRET_ARN,
 * SLACK_WEBHOOK_URLS (JSON array).
 */
export const handler = logged('notify', async (event: NotifyEvent | FleetNotifyEvent): Promise<{ sent: string[]; suppressed?: string }> => {
  const env = process.env;
  const alert = 'fleet' in event ? buildFleetAlert(event) : buildAlert(event);
  // A fleet's target: the fleet sends one alert for all its targets, unless this one needs attention (a failed rollback).
  if ((event.job as { fleet?: unknown } | undefined)?.fleet !== undefined && !alert.needsAttention) {
    return { sent: [], suppressed: 'a fleet target: the fleet sends one alert for every target' };
  }
  const jobs: Promise<ChannelResult[]>[] = [];
  if (env.ALERT_TOPIC_ARN) {
    const sns = renderSns(alert);
    jobs.push(channel('SNS topic', () => publishAlert(env.ALERT_TOPIC_ARN!, sns.subject, sns.message, alert.kind)));
  }
  const recipients = (env.ALERT_RECIPIENT_EMAILS ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  if (env.ALERT_SENDER_EMAIL && recipients.length > 0) {
    jobs.push(channel('email', () => sendEmail(env.ALERT_SENDER_EMAIL!, recipients, renderEmail(alert))));
  }
  jobs.push(slack(alert, env));
  const results = (await Promise.all(jobs)).flat();

  const sent = results.filter((r) => r.ok).map((r) => r.channel);
  const failed = results.filter((r) => !r.ok);
  for (const r of results) {
    log(r.ok ? 'INFO' : 'ERROR', {
      handler: 'notify',
      message: r.ok ? 'alert sent' : 'alert not sent',
      channel: r.channel,
      ...(r.reason ? { reason: r.reason } : {}),
      kind: alert.kind,
      identifier: alert.identifier,
      execution: alert.execution.arn,
    });
  }
  if (failed.length > 0) {
    throw new PipelineError('AlertNotSent',
      `The alert was not sent to ${failed.map((f) => `${f.channel} (${f.reason})`).join(', ')}`
      + (sent.length ? `; it was sent to ${sent.join(', ')}.` : '.'));
  }
  return { sent };
});
