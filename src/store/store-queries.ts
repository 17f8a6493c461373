import type { Dialect } from 'kysely';
import { auditQueries, type AuditQueries } from './audit.queries.js';
import { bookingQueries, type BookingQueries } from './booking.queries.js';
import { emailDeliveryQueries, type EmailDeliveryQueries } from './email-delivery.queries.js';
import { outboxQueries, type OutboxQueries } from './outbox.queries.js';
import { sourceQueries, type SourceQueries } from './source.queries.js';
import { timeOffQueries, type TimeOffQueries } from './time-off.queries.js';
import { webhookDeliveryQueries, type WebhookDeliveryQueries } from './webhook-delivery.queries.js';
import { writebackQueries, type WritebackQueries } from './writeback.queries.js';

export interface StoreQueries {
  readonly bookings: BookingQueries;
  readonly sources: SourceQueries;
  readonly writebacks: WritebackQueries;
  readonly audit: AuditQueries;
  readonly timeOff: TimeOffQueries;
  readonly outbox: OutboxQueries;
  readonly webhookDeliveries: WebhookDeliveryQueries;
  readonly emailDeliveries: EmailDeliveryQueries;
}

/** Every query, compiled by the dialect's own compiler. */
export function storeQueries(dialect: Dialect): StoreQueries {
  return {
    bookings: bookingQueries(dialect),
    sources: sourceQueries(dialect),
    writebacks: writebackQueries(dialect),
    audit: auditQueries(dialect),
    timeOff: timeOffQueries(dialect),
    outbox: outboxQueries(dialect),
    webhookDeliveries: webhookDeliveryQueries(dialect),
    emailDeliveries: emailDeliveryQueries(dialect),
  };
}
