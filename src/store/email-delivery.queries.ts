import { Kysely, sql, type Dialect } from 'kysely';
import type { Database } from './database.js';
import { newestFirst } from './delivery-page.js';
import type { EmailDeliveryFilter, EmailOutcome, NewEmailDelivery } from './email-delivery.js';
import { leasedQueueQueries } from './leased-queue.queries.js';

/** Queries of the e-mail deliveries: written by the fan-out, leased and updated by the worker. */
export function emailDeliveryQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const one = (id: string) => db.updateTable('email_deliveries').where('id', '=', id);

  return {
    ...leasedQueueQueries(dialect, 'email_deliveries'),

    insert: (deliveries: readonly NewEmailDelivery[]) =>
      db
        .insertInto('email_deliveries')
        .values(
          deliveries.map((delivery) => ({
            id: delivery.id,
            booking_id: delivery.bookingId,
            calendar_id: delivery.calendarId,
            audit_seq: delivery.auditSeq,
            kind: delivery.kind,
            recipient_role: delivery.mail.role,
            message: JSON.stringify(delivery.mail),
            remind_start: delivery.remindStart,
            status: 'pending' as const,
            next_at: delivery.dueAt,
            created_at: delivery.createdAt,
          })),
        )
        .compile(),

    list: (filter: EmailDeliveryFilter) =>
      db.selectFrom('email_deliveries').selectAll().$call(newestFirst(filter)).compile(),

    byId: (id: string) => db.selectFrom('email_deliveries').selectAll().where('id', '=', id).compile(),

    /** A failed mail, due now; its attempts stay, so the retry schedule goes on where it ended. */
    retryFailed: (id: string, now: number) =>
      db
        .updateTable('email_deliveries')
        .set({ status: 'pending', next_at: now, sent_at: null })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .returningAll()
        .compile(),

    /** Reminders wait for their time by design: the oldest of the other pending mails tells whether mail flows. */
    oldestPending: () =>
      db
        .selectFrom('email_deliveries')
        .select('created_at')
        .where('status', '=', 'pending')
        .where('kind', '!=', 'booking.reminder')
        .orderBy('created_at')
        .limit(1)
        .compile(),

    /** The pending reminders of these bookings will not be sent: they were cancelled, replaced or moved. */
    voidReminders: (bookingIds: readonly string[], now: number) =>
      db
        .updateTable('email_deliveries')
        .set({ status: 'skipped', sent_at: now })
        .where('kind', '=', 'booking.reminder')
        .where('status', '=', 'pending')
        .where('booking_id', 'in', bookingIds)
        .compile(),

    attempted: (id: string, outcome: EmailOutcome, now: number) =>
      one(id)
        .set({
          // A skipped reminder was not attempted.
          ...(outcome.kind !== 'skipped' && { attempts: sql<number>`attempts + 1` }),
          status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
          last_error: 'error' in outcome ? outcome.error : null,
          ...(outcome.kind === 'retry' ? { next_at: outcome.retryAt } : { sent_at: now }),
        })
        .compile(),
  };
}

export type EmailDeliveryQueries = ReturnType<typeof emailDeliveryQueries>;
