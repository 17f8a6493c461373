import { Kysely, sql, type Dialect } from 'kysely';
import type { Database } from './database.js';

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

    /**
     * The seqs travel as the keys of one JSON object that the database unpacks (`json_each`, which
     * SQLite and PostgreSQL both read), so every batch size is one statement text: PostgreSQL
     * prepares it once per connection instead of one statement per size.
     */
    fannedOut: (seqs: readonly number[], now: number) =>
      db
        .updateTable('audit_entries')
        .set({ fanned_out_at: now })
        .where('seq', 'in', sql<number>`(select cast(key as bigint) from json_each(${jsonKeys(seqs)}))`)
        .compile(),
  };
}

export type OutboxQueries = ReturnType<typeof outboxQueries>;

/** `{"12":0,"15":0}`: the seqs as an object's keys, which `json_each` reads on both dialects (not an array's items). */
function jsonKeys(seqs: readonly number[]): string {
  return JSON.stringify(Object.fromEntries(seqs.map((seq) => [seq, 0])));
}
