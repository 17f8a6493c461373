import type { Mail } from '../notify/mail-event.js';
import type { DeliveryFilter, DeliveryPage } from './delivery-page.js';
import type { EmailDeliveryStatus, EmailDeliveryTable } from './email-delivery.table.js';

export type { EmailDeliveryStatus } from './email-delivery.table.js';

/** A mail as the fan-out writes it; `dueAt` is when it is first attempted. */
export interface NewEmailDelivery {
  readonly id: string;
  readonly bookingId: string;
  readonly calendarId: string;
  readonly auditSeq: number;
  readonly kind: EmailDeliveryTable['kind'];
  readonly mail: Mail;
  readonly remindStart: string | null;
  readonly dueAt: number;
  readonly createdAt: number;
}

export interface EmailDelivery extends NewEmailDelivery {
  readonly status: EmailDeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly sentAt: number | null;
}

/** What an e-mail channel's fan-out writes: new mails, and the bookings whose pending reminders are void. */
export interface EmailMessages {
  readonly deliveries: readonly NewEmailDelivery[];
  /** Cancelled, replaced or moved since their reminder was written; a moved one's new reminder is in `deliveries`. */
  readonly voidReminders: readonly string[];
}

/** What one attempt came to. */
export type EmailOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'retry'; readonly error: string; readonly retryAt: number }
  | { readonly kind: 'failed'; readonly error: string };

export type EmailDeliveryFilter = DeliveryFilter<EmailDeliveryStatus>;
export type EmailDeliveryPage = DeliveryPage<EmailDelivery>;

/** A retry asked for: only a failed mail is sent again; `retried` false leaves `delivery` as it was. */
export interface EmailRetry {
  readonly retried: boolean;
  readonly delivery: EmailDelivery;
}
