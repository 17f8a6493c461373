import type { LeasedQueueQueries, QueueRow, QueueTable } from './leased-queue.queries.js';
import type { Runner } from './runner.js';

/**
 * The queue's rows due at `now`, each leased to this caller until `leaseUntil`, so that no other
 * process takes it meanwhile; a row another process leased first is left out.
 */
export async function claimDue<T extends QueueTable>(
  runner: Runner,
  queries: LeasedQueueQueries<T>,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<QueueRow<T>[]> {
  const claimed = [];
  for (const key of await runner.read(queries.due(now, limit))) {
    const [leased] = await runner.atomically([queries.lease(key, now, leaseUntil)]);
    if (leased[0]) claimed.push(leased[0]);
  }
  return claimed;
}
