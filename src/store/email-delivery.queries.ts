import { Kysely, sql, type Dialect } from 'kysely';
import type { Database } from './database.js';
import { newestFirst } from './delivery-page.js';
import { jsonKeys, jsonRecords } from './json-batch.js';
import type { EmailDeliveryFilter, EmailOutcome, NewEmailDelivery } from './email-delivery.js';
import { leasedQueueQueries } from './leased-queue.queries.js';

/** Queries of the e-mail deliveries: written by the fan-out, leased and updated by the worker. */
export function emailDeliveryQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const one = (id: string) => db.updateTable('email_deliveries').where('id', '=', id);

  return {
    ...leasedQueueQueries(dialect, 'email_deliveries'),

    /** The deliveries as one JSON parameter (json-batch.ts): one statement text whatever their number. */
    insert: (deliveries: readonly NewEmailDelivery[]) =>
      db
        .insertInto('email_deliveries')
        .columns([
          'id',
          'booking_id',
          'calendar_id',
          'audit_seq',
          'kind',
          'recipient_role',
          'message',
          'remind_start',
          'status',
          'next_at',
          'created_at',
        ])
        .expression(
          sql`select value ->> 'id', value ->> 'bookingId', value ->> 'calendarId', cast(value ->> 'auditSeq' as bigint),
            value ->> 'kind', value ->> 'role', value ->> 'message', value ->> 'remindStart', 'pending',
            cast(value ->> 'dueAt' as bigint), cast(value ->> 'createdAt' as bigint)
          from ${jsonRecords(
            deliveries.map(({ mail, ...delivery }) => ({
              ...delivery,
              role: mail.role,
              message: JSON.stringify(mail),
            })),
          )}`,
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

    /**
     * The pending reminders of these bookings will not be sent: they were cancelled, replaced or
     * moved. The ids as one JSON parameter (json-batch.ts): one statement text whatever their number.
     */
    voidReminders: (bookingIds: readonly string[], now: number) =>
      db
        .updateTable('email_deliveries')
        .set({ status: 'skipped', sent_at: now })
        .where('kind', '=', 'booking.reminder')
        .where('status', '=', 'pending')
        .where('booking_id', 'in', sql<string>`(select key from ${jsonKeys(bookingIds)})`)
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
