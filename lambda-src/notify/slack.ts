import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Slack incoming webhooks. A webhook URL is a credential: it is never logged,
 * and never put in an error message. Webhooks are named by their position
 * ("Slack webhook 2 of 3").
 */

let client: SecretsManagerClient | undefined;

/**
 * The webhook URLs in a secret or variable. Accepted formats:
 * - a JSON array of URLs: `["https://hooks.slack.com/services/...", "..."]`;
 * - a JSON object (the console's key/value secret): every value that is a URL, or an array of URLs;
 * - plain text: URLs separated by commas, spaces or new lines.
 */
export function parseWebhookUrls(value: string | undefined): string[] {
  const text = (value ?? '').trim();
  if (!text) return [];
  if (text.startsWith('[') || text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('the Slack webhook list looks like JSON but does not parse; use a JSON array of URLs or comma-separated URLs');
    }
    const values = Array.isArray(parsed) ? parsed : Object.values(parsed as Record<string, unknown>);
    return values.flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.trim())
      .filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

/** https, or http to the local machine only (tests). */
export function isWebhookUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}

/** Read the webhook URLs from Secrets Manager at run time. */
export async function webhookUrlsFromSecret(secretId: string): Promise<string[]> {
  client ??= new SecretsManagerClient({});
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return parseWebhookUrls(out.SecretString);
}

export interface WebhookResult {
  /** "Slack webhook 2 of 3" */
  readonly channel: string;
  readonly ok: boolean;
  /** Why it failed: an HTTP status or an error name, never the URL. */
  readonly reason?: string;
}

/** Why a fetch failed, without anything that could carry the URL. */
function failure(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time';
  return e?.cause?.code ?? e?.cause?.name ?? e?.name ?? 'network error';
}

/**
 * Post `payload` to every webhook, concurrently, each with its own timeout.
 * One failing webhook never stops the others.
 */
export async function postToWebhooks(urls: string[], payload: unknown, timeoutMs: number): Promise<WebhookResult[]> {
  const body = JSON.stringify(payload);
  return Promise.all(urls.map(async (url, i): Promise<WebhookResult> => {
    const channel = `Slack webhook ${i + 1} of ${urls.length}`;
    if (!isWebhookUrl(url)) return { channel, ok: false, reason: 'not an https URL' };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      // Drain the body so the connection is released.
      await res.text().catch(() => undefined);
      return res.ok ? { channel, ok: true } : { channel, ok: false, reason: `HTTP ${res.status}` };
    } catch (err) {
      return { channel, ok: false, reason: failure(err) };
    }
  }));
}
