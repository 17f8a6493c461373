import type { OutboxRouter } from './outbox.js';
import { fanOutTransaction } from './outbox.transaction.js';
import type { Runner } from './runner.js';
import type { StoreQueries } from './store-queries.js';

/** The outbox: the audit trail's entries not yet turned into the messages they cause. */
export interface OutboxStore {
  /** Fans out up to `limit` of the oldest pending entries through `route`; resolves to how many. */
  fanOut(route: OutboxRouter, limit: number, now: number): Promise<number>;
}

export function outboxStore(runner: Runner, queries: StoreQueries): OutboxStore {
  return {
    fanOut: async (route, limit, now) => (await runner.transact(fanOutTransaction(queries, route, limit, now))).result,
  };
}
