import { Kysely, sql, type Dialect } from 'kysely';
import type { Database } from './database.js';
import { leasedQueueQueries } from './leased-queue.queries.js';
import type { ClaimedWriteback, Writeback } from './writeback.js';

/** Queries of the write-back queue: bookings to put into, or delete from, CalDAV calendars. */
export function writebackQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const one = (writeback: Writeback) =>
    db
      .updateTable('writebacks')
      .where('booking_id', '=', writeback.bookingId)
      .where('source_id', '=', writeback.sourceId)
      .where('action', '=', writeback.action);
  /** The row as it was leased: a row queued again since then is another generation, left alone. */
  const leased = (writeback: ClaimedWriteback) => one(writeback).where('generation', '=', writeback.generation);

  return {
    ...leasedQueueQueries(dialect, 'writebacks'),

    queue: (writebacks: readonly Writeback[], now: number) =>
      db
        .insertInto('writebacks')
        .values(
          writebacks.map((writeback) => ({
            booking_id: writeback.bookingId,
            source_id: writeback.sourceId,
            action: writeback.action,
            next_at: now,
          })),
        )
        // Queued again (a moved booking's put): the row is due once more, from its first attempt.
        .onConflict((conflict) =>
          conflict.columns(['booking_id', 'source_id', 'action']).doUpdateSet({
            next_at: now,
            done_at: null,
            error: null,
            attempts: 0,
            generation: sql<number>`writebacks.generation + 1`,
          }),
        )
        .compile(),

    done: (writeback: ClaimedWriteback, now: number) => leased(writeback).set({ done_at: now, error: null }).compile(),

    failed: (writeback: ClaimedWriteback, error: string, retryAt: number) =>
      leased(writeback)
        .set({ attempts: sql<number>`attempts + 1`, error, next_at: retryAt })
        .compile(),
  };
}

export type WritebackQueries = ReturnType<typeof writebackQueries>;
