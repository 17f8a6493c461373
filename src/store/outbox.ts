import type { AuditEntry } from './audit.js';
import type { BookingRecord } from './booking.js';
import type { EmailMessages } from './email-delivery.js';
import type { NewWebhookDelivery } from './webhook-delivery.js';

/**
 * A committed change to tell others about: its audit entry, with the booking it concerns as that
 * booking's row is now (a later change may have touched it since: the entry's fields say what
 * this change made of it).
 */
export interface OutboxEvent {
  readonly entry: AuditEntry;
  /** Absent for time off. */
  readonly booking?: BookingRecord;
  /** booking.replaced: the booking that replaced it. */
  readonly replacement?: BookingRecord;
}

/**
 * What a batch of events fans out to, one list per channel. A channel adds its list here, its
 * insert to the fan-out's writes, and its router to the worker's.
 */
export interface OutboxMessages {
  readonly webhooks: readonly NewWebhookDelivery[];
  readonly emails: EmailMessages;
}

/** Turns events into messages; synchronous and pure, since it runs inside the fan-out's transaction. */
export type OutboxRouter = (events: readonly OutboxEvent[], now: number) => OutboxMessages;
