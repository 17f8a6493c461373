import { Kysely, sql, type Dialect } from 'kysely';
import type { Database } from './database.js';
import { newestFirst } from './delivery-page.js';
import { jsonRecords } from './json-batch.js';
import { leasedQueueQueries } from './leased-queue.queries.js';
import type { AttemptOutcome, NewWebhookDelivery, WebhookDeliveryFilter } from './webhook-delivery.js';

/** Queries of the webhook deliveries: written by the fan-out, leased and updated by the worker. */
export function webhookDeliveryQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const one = (id: string) => db.updateTable('webhook_deliveries').where('id', '=', id);

  return {
    ...leasedQueueQueries(dialect, 'webhook_deliveries'),

    /** The deliveries as one JSON parameter (json-batch.ts): one statement text whatever their number. */
    insert: (deliveries: readonly NewWebhookDelivery[]) =>
      db
        .insertInto('webhook_deliveries')
        .columns([
          'id',
          'endpoint',
          'event_type',
          'calendar_id',
          'audit_seq',
          'body',
          'status',
          'next_at',
          'created_at',
        ])
        .expression(
          sql`select value ->> 'id', value ->> 'endpoint', value ->> 'eventType', value ->> 'calendarId',
            cast(value ->> 'auditSeq' as bigint), value ->> 'body', 'pending',
            cast(value ->> 'createdAt' as bigint), cast(value ->> 'createdAt' as bigint)
          from ${jsonRecords(deliveries)}`,
        )
        .compile(),

    attempted: (id: string, outcome: AttemptOutcome, now: number) =>
      one(id)
        .set({
          attempts: sql<number>`attempts + 1`,
          last_status: outcome.status,
          last_error: outcome.kind === 'delivered' ? null : outcome.error,
          status: outcome.kind === 'retry' ? 'pending' : outcome.kind,
          ...(outcome.kind === 'retry' && { next_at: outcome.retryAt }),
          ...(outcome.kind === 'delivered' && { delivered_at: now }),
        })
        .compile(),

    /** Due now, whatever became of it. */
    rearm: (id: string, now: number) =>
      one(id).set({ status: 'pending', next_at: now, delivered_at: null }).returningAll().compile(),

    byId: (id: string) => db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).compile(),

    list: (filter: WebhookDeliveryFilter) =>
      db.selectFrom('webhook_deliveries').selectAll().$call(newestFirst(filter)).compile(),

    oldestPending: () =>
      db
        .selectFrom('webhook_deliveries')
        .select('created_at')
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .limit(1)
        .compile(),
  };
}

export type WebhookDeliveryQueries = ReturnType<typeof webhookDeliveryQueries>;
