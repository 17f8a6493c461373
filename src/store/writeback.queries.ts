import { Kysely, sql, type Dialect } from 'kysely';
import type { Database } from './database.js';
import type { Writeback } from './writeback.js';

/** Queries of the write-back queue: bookings to put into, or delete from, CalDAV calendars. */
export function writebackQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const one = (writeback: Writeback) =>
    db
      .updateTable('writebacks')
      .where('booking_id', '=', writeback.bookingId)
      .where('source_id', '=', writeback.sourceId)
      .where('action', '=', writeback.action);

  return {
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
        .onConflict((conflict) => conflict.columns(['booking_id', 'source_id', 'action']).doNothing())
        .compile(),

    due: (now: number, limit: number) =>
      db
        .selectFrom('writebacks')
        .select(['booking_id', 'source_id', 'action', 'attempts'])
        .where('done_at', 'is', null)
        .where('next_at', '<=', now)
        .orderBy('next_at')
        .limit(limit)
        .compile(),

    /** Returns a row only when this caller got the lease. */
    lease: (writeback: Writeback, now: number, until: number) =>
      one(writeback)
        .set({ next_at: until })
        .where('done_at', 'is', null)
        .where('next_at', '<=', now)
        .returning('booking_id')
        .compile(),

    done: (writeback: Writeback, now: number) => one(writeback).set({ done_at: now, error: null }).compile(),

    failed: (writeback: Writeback, error: string, retryAt: number) =>
      one(writeback)
        .set({ attempts: sql<number>`attempts + 1`, error, next_at: retryAt })
        .compile(),
  };
}

export type WritebackQueries = ReturnType<typeof writebackQueries>;
