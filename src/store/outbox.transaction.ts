import type { CompiledQuery } from 'kysely';
import { toAuditEntry } from './audit.row.js';
import { toBookingRecord } from './booking.row.js';
import type { OutboxEvent, OutboxRouter } from './outbox.js';
import type { RowsByName, Transaction } from './runner.js';
import type { StoreQueries } from './store-queries.js';

/**
 * One fan-out step: the oldest pending audit entries, in `seq` order, become their messages, and
 * are marked done in the same transaction, so an entry is fanned out exactly once whatever
 * crashes. On PostgreSQL one process at a time (an advisory lock); the others wait, then find
 * nothing left. Results in the number of entries fanned out.
 */
export function fanOutTransaction(
  queries: StoreQueries,
  route: OutboxRouter,
  limit: number,
  now: number,
): Transaction<FanOutReads, number> {
  return {
    locks: ['outbox fan-out'],
    reads: { entries: queries.outbox.pending(limit), bookings: queries.outbox.bookings(2 * limit) },
    plan: (rows) => {
      const events = toEvents(rows);
      if (events.length === 0) return { result: 0 };
      const { webhooks, emails } = route(events, now);
      const writes: CompiledQuery[] = [];
      if (webhooks.length > 0) writes.push(queries.webhookDeliveries.insert(webhooks));
      // Void before inserting: a reminder written now (for a moved booking's new time) stays.
      if (emails.voidReminders.length > 0)
        writes.push(queries.emailDeliveries.voidReminders(emails.voidReminders, now));
      if (emails.deliveries.length > 0) writes.push(queries.emailDeliveries.insert(emails.deliveries));
      writes.push(
        queries.outbox.fannedOut(
          events.map((event) => event.entry.seq),
          now,
        ),
      );
      return { writes: { writes }, result: events.length };
    },
  };
}

type FanOutReads = {
  entries: ReturnType<StoreQueries['outbox']['pending']>;
  bookings: ReturnType<StoreQueries['outbox']['bookings']>;
};

function toEvents(rows: RowsByName<FanOutReads>): OutboxEvent[] {
  const bookings = new Map(rows.bookings.map((row) => [row.id, toBookingRecord(row)]));
  return rows.entries.map(toAuditEntry).map((entry) => {
    const replacedBy = entry.after?.replaced_by;
    return {
      entry,
      booking: entry.bookingId === null ? undefined : bookings.get(entry.bookingId),
      replacement: replacedBy === undefined ? undefined : bookings.get(replacedBy),
    };
  });
}
