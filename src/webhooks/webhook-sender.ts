import { createHmac } from 'node:crypto';
import type { WebhookConfig } from '../config/config.types.js';
import { errorMessage } from '../shared/error-message.js';

/** An attempt that takes longer than this has failed (Standard Webhooks' guidance). */
export const ATTEMPT_TIMEOUT_MS = 15_000;
/** The longest `Retry-After` honoured; a larger one is cut to this. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** What the endpoint answered: its status (and `Retry-After` in ms, when it gave one), or why it did not answer. */
export type SendResult =
  { readonly status: number; readonly retryAfter?: number } | { readonly error: string } | { readonly aborted: true };

/** The Standard Webhooks headers of one attempt: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`. */
export function signedHeaders(secret: string, id: string, now: number, body: string): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  const signature = createHmac('sha256', Buffer.from(secret, 'base64'))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

/**
 * One attempt: `POST` of the body, signed for this moment. Redirects are not followed (an
 * endpoint that moved answers 3xx, which is a failure). `stop` aborts it when the process stops.
 */
export async function sendWebhook(
  endpoint: WebhookConfig,
  message: { readonly id: string; readonly body: string },
  now: number,
  stop: AbortSignal,
): Promise<SendResult> {
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Slotline-Webhooks',
        ...signedHeaders(endpoint.secret, message.id, now, message.body),
      },
      body: message.body,
      redirect: 'manual',
      signal: AbortSignal.any([stop, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
    });
    await response.body?.cancel();
    const retryAfter = retryAfterOf(response.headers.get('retry-after'), now);
    return retryAfter === undefined ? { status: response.status } : { status: response.status, retryAfter };
  } catch (error) {
    if (stop.aborted) return { aborted: true };
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a TLS error, ...).
    const cause = (error as { cause?: unknown }).cause;
    return { error: cause === undefined ? errorMessage(error) : `${errorMessage(error)}: ${errorMessage(cause)}` };
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
function retryAfterOf(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}
