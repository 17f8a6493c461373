import type { WebhookConfig } from '../config/config.types.js';
import { attemptAllDue, jittered } from '../outbox/retry.js';
import type { Saturated } from '../outbox/saturation.js';
import type { AttemptOutcome, WebhookDelivery } from '../store/webhook-delivery.js';
import type { WebhookDeliveryStore } from '../store/webhook-delivery.store.js';
import { ATTEMPT_TIMEOUT_MS, sendWebhook, type SendResult } from './webhook-sender.js';

/**
 * How long an attempt's lease lasts: longer than an attempt may take, short enough that an attempt
 * cut off by a crash is made again within 30 s.
 */
const LEASE_MS = 2 * ATTEMPT_TIMEOUT_MS;
/** Deliveries leased and attempted at once. */
const BATCH = 20;

export interface WebhookLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export type DeliveryOutcome = AttemptOutcome['kind'];

/**
 * Sends the pending webhook deliveries: each attempt under a lease, so on PostgreSQL with several
 * processes each attempt is made by one of them. A failure is retried on the endpoint's schedule
 * (with jitter; `Retry-After` on 429 and 503 wins), a 410 ends the delivery, and so does the end
 * of the schedule. Logs name an endpoint by its key and host, never its URL, which may hold a secret.
 */
export function createWebhookDelivery(options: {
  /** The endpoints in force, read at each attempt (a reload may change them). */
  readonly webhooks: () => readonly WebhookConfig[];
  readonly store: WebhookDeliveryStore;
  readonly log: WebhookLog;
  readonly clock: () => number;
  readonly onOutcome: (outcome: DeliveryOutcome) => void;
}) {
  const { store, log, clock } = options;
  const stopping = new AbortController();

  async function attempt(delivery: WebhookDelivery): Promise<number | undefined> {
    const endpoint = options.webhooks().find((configured) => configured.key === delivery.endpoint);
    const result: SendResult = endpoint
      ? await sendWebhook(endpoint, delivery, clock(), stopping.signal)
      : { error: 'the endpoint is no longer configured' };
    if ('aborted' in result) {
      await store.releaseWebhookDelivery(delivery.id, clock());
      return undefined;
    }
    const now = clock();
    const outcome = endpoint ? outcomeOf(result, delivery.attempts, endpoint.retrySchedule, now) : gaveUp(result);
    await store.webhookAttempted(delivery.id, outcome, now);
    options.onOutcome(outcome.kind);
    const fields = {
      delivery: delivery.id,
      event: delivery.eventType,
      endpoint: delivery.endpoint,
      host: endpoint && new URL(endpoint.url).host,
      status: outcome.status,
      attempts: delivery.attempts + 1,
    };
    if (outcome.kind === 'retry') {
      log.info(
        { ...fields, error: outcome.error, retry_at: new Date(outcome.retryAt).toISOString() },
        'webhook attempt failed; will retry',
      );
      return outcome.retryAt;
    }
    if (outcome.kind === 'failed')
      log.warn({ ...fields, error: outcome.error }, 'webhook delivery failed; no more attempts');
    return undefined;
  }

  return {
    /**
     * Attempts every delivery due now, a batch at a time while the process is not `saturated`;
     * resolves to the earliest retry it scheduled, so the worker can wake for it.
     */
    flush: (saturated: Saturated) =>
      attemptAllDue(
        BATCH,
        async () => {
          if (stopping.signal.aborted) return [];
          const now = clock();
          const claimed = await store.claimWebhookDeliveries(now, now + LEASE_MS, BATCH);
          return claimed.map((delivery) => () => attempt(delivery));
        },
        saturated,
      ),
    /** Aborts the attempts in flight; their deliveries are due again at once, for the next process. */
    abort(): void {
      stopping.abort();
    },
  };
}

/** What an answer means for the delivery, after `attemptsBefore` attempts on this schedule. */
export function outcomeOf(
  result: Exclude<SendResult, { aborted: true }>,
  attemptsBefore: number,
  schedule: readonly number[],
  now: number,
  random: () => number = Math.random,
): AttemptOutcome {
  if ('status' in result && result.status >= 200 && result.status < 300) {
    return { kind: 'delivered', status: result.status };
  }
  if ('status' in result && result.status === 410) {
    return { kind: 'failed', status: 410, error: 'the endpoint answered 410 Gone: no more attempts' };
  }
  const wait = schedule[attemptsBefore];
  if (wait === undefined) {
    const failed = gaveUp(result);
    return { ...failed, error: `${failed.error}; the retry schedule is used up` };
  }
  const honoured =
    'status' in result && (result.status === 429 || result.status === 503) ? result.retryAfter : undefined;
  return {
    kind: 'retry',
    status: 'status' in result ? result.status : null,
    error: 'status' in result ? `answered ${result.status}` : result.error,
    retryAt: now + (honoured ?? jittered(wait, random)),
  };
}

function gaveUp(result: Exclude<SendResult, { aborted: true }>): AttemptOutcome & { kind: 'failed' } {
  return 'status' in result
    ? { kind: 'failed', status: result.status, error: `answered ${result.status}` }
    : { kind: 'failed', status: null, error: result.error };
}
