import type { EmailDelivery, EmailOutcome } from './email-delivery.js';
import type { EmailDeliveryQueries } from './email-delivery.queries.js';
import { toEmailDelivery } from './email-delivery.row.js';
import { claimDue } from './leased-queue.store.js';
import type { Runner } from './runner.js';

/** The e-mail deliveries: the outbox worker leases, sends and settles them. */
export interface EmailDeliveryStore {
  /** Mails due now, each leased to this process until `leaseUntil`, so that no other sends it meanwhile. */
  claimEmailDeliveries(now: number, leaseUntil: number, limit: number): Promise<EmailDelivery[]>;
  emailAttempted(id: string, outcome: EmailOutcome, now: number): Promise<void>;
}

export function emailDeliveryStore(runner: Runner, queries: EmailDeliveryQueries): EmailDeliveryStore {
  return {
    claimEmailDeliveries: async (now, leaseUntil, limit) =>
      (await claimDue(runner, queries, now, leaseUntil, limit)).map(toEmailDelivery),
    emailAttempted: async (id, outcome, now) => {
      await runner.atomically([queries.attempted(id, outcome, now)]);
    },
  };
}
