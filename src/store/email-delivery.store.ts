import { pageOf } from './delivery-page.js';
import type {
  EmailDelivery,
  EmailDeliveryFilter,
  EmailDeliveryPage,
  EmailOutcome,
  EmailRetry,
} from './email-delivery.js';
import type { EmailDeliveryQueries } from './email-delivery.queries.js';
import { toEmailDelivery } from './email-delivery.row.js';
import { claimDue } from './leased-queue.store.js';
import type { Runner } from './runner.js';

/** The e-mail deliveries: the outbox worker leases, sends and settles them; the business's API lists and retries them. */
export interface EmailDeliveryStore {
  /** Mails due now, each leased to this process until `leaseUntil`, so that no other sends it meanwhile. */
  claimEmailDeliveries(now: number, leaseUntil: number, limit: number): Promise<EmailDelivery[]>;
  emailAttempted(id: string, outcome: EmailOutcome, now: number): Promise<void>;
  /** Newest first, a page of at most `limit`, keyset on (created_at, id). */
  emailDeliveries(filter: EmailDeliveryFilter): Promise<EmailDeliveryPage>;
  /** Makes a failed mail pending and due now; any other is left as it is. Undefined for an unknown id. */
  retryEmailDelivery(id: string, now: number): Promise<EmailRetry | undefined>;
  /** When the oldest pending mail other than a reminder was written; undefined when none is pending. */
  oldestPendingEmail(): Promise<number | undefined>;
}

export function emailDeliveryStore(runner: Runner, queries: EmailDeliveryQueries): EmailDeliveryStore {
  return {
    claimEmailDeliveries: async (now, leaseUntil, limit) =>
      (await claimDue(runner, queries, now, leaseUntil, limit)).map(toEmailDelivery),
    emailAttempted: async (id, outcome, now) => {
      await runner.atomically([queries.attempted(id, outcome, now)]);
    },
    emailDeliveries: async (filter) => pageOf(await runner.read(queries.list(filter)), filter.limit, toEmailDelivery),
    retryEmailDelivery: async (id, now) => {
      const [retried, [row]] = await runner.atomically([queries.retryFailed(id, now), queries.byId(id)]);
      return row && { retried: retried.length > 0, delivery: toEmailDelivery(row) };
    },
    oldestPendingEmail: async () => (await runner.read(queries.oldestPending()))[0]?.created_at,
  };
}
