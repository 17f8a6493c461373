import { pageOf } from './delivery-page.js';
import { claimDue } from './leased-queue.store.js';
import type { Runner } from './runner.js';
import type {
  AttemptOutcome,
  WebhookDelivery,
  WebhookDeliveryFilter,
  WebhookDeliveryPage,
} from './webhook-delivery.js';
import type { WebhookDeliveryQueries } from './webhook-delivery.queries.js';
import { toWebhookDelivery } from './webhook-delivery.row.js';

/** The webhook deliveries: the worker leases and settles them, the business's API lists and re-arms them. */
export interface WebhookDeliveryStore {
  /** Deliveries due now, each leased to this process until `leaseUntil`, so that no other attempts it meanwhile. */
  claimWebhookDeliveries(now: number, leaseUntil: number, limit: number): Promise<WebhookDelivery[]>;
  webhookAttempted(id: string, outcome: AttemptOutcome, now: number): Promise<void>;
  /** Gives a lease back without counting an attempt. */
  releaseWebhookDelivery(id: string, now: number): Promise<void>;
  /** Newest first, a page of at most `limit`, keyset on (created_at, id). */
  webhookDeliveries(filter: WebhookDeliveryFilter): Promise<WebhookDeliveryPage>;
  /** Makes a delivery due now, pending again; undefined for an unknown id. */
  rearmWebhookDelivery(id: string, now: number): Promise<WebhookDelivery | undefined>;
  /** When the oldest pending delivery was written; undefined when none is pending. */
  oldestPendingWebhook(): Promise<number | undefined>;
}

export function webhookDeliveryStore(runner: Runner, queries: WebhookDeliveryQueries): WebhookDeliveryStore {
  return {
    claimWebhookDeliveries: async (now, leaseUntil, limit) =>
      (await claimDue(runner, queries, now, leaseUntil, limit)).map(toWebhookDelivery),
    webhookAttempted: async (id, outcome, now) => {
      await runner.atomically([queries.attempted(id, outcome, now)]);
    },
    releaseWebhookDelivery: async (id, now) => {
      await runner.atomically([queries.release({ id }, now)]);
    },
    webhookDeliveries: async (filter) =>
      pageOf(await runner.read(queries.list(filter)), filter.limit, toWebhookDelivery),
    rearmWebhookDelivery: async (id, now) => {
      const [rows] = await runner.atomically([queries.rearm(id, now)]);
      return rows[0] && toWebhookDelivery(rows[0]);
    },
    oldestPendingWebhook: async () => (await runner.read(queries.oldestPending()))[0]?.created_at,
  };
}
