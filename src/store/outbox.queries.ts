import { Kysely, sql, type Dialect } from 'kysely';
import type { Database } from './database.js';
import { jsonKeys } from './json-batch.js';

/** Queries of the outbox: the audit entries not yet fanned out, and the bookings they concern. */
export function outboxQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const pending = (limit: number) =>
    db.selectFrom('audit_entries').where('fanned_out_at', 'is', null).orderBy('seq').limit(limit);

  return {
    pending: (limit: number) => pending(limit).selectAll().compile(),

    /**
     * The bookings of the first `limit` pending entries. Read with a margin over the entries read
     * (twice as many), so that the booking a `booking.replaced` names as `replaced_by`, whose
     * `booking.created` entry follows it in the same change, is among them.
     */
    bookings: (limit: number) =>
      db
        .selectFrom('bookings')
        .selectAll()
        .where('id', 'in', pending(limit).select('booking_id').where('booking_id', 'is not', null))
        .compile(),

    /** The seqs as one JSON parameter (json-batch.ts): one statement text whatever the batch size. */
    fannedOut: (seqs: readonly number[], now: number) =>
      db
        .updateTable('audit_entries')
        .set({ fanned_out_at: now })
        .where('seq', 'in', sql<number>`(select cast(key as bigint) from ${jsonKeys(seqs)})`)
        .compile(),
  };
}

export type OutboxQueries = ReturnType<typeof outboxQueries>;
