import type { AuditAction } from './audit.table.js';
import type { DeliveryFilter, DeliveryPage } from './delivery-page.js';
import type { WebhookDeliveryStatus } from './webhook-delivery.table.js';

export type { WebhookDeliveryStatus } from './webhook-delivery.table.js';

/** A message for one endpoint, as the fan-out writes it. */
export interface NewWebhookDelivery {
  readonly id: string;
  readonly endpoint: string;
  readonly eventType: AuditAction;
  readonly calendarId: string;
  readonly auditSeq: number;
  readonly body: string;
  readonly createdAt: number;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly nextAt: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
}

/** What one attempt came to; `status` is the HTTP status, null when there was no answer. */
export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'retry'; readonly status: number | null; readonly error: string; readonly retryAt: number }
  | { readonly kind: 'failed'; readonly status: number | null; readonly error: string };

export type WebhookDeliveryFilter = DeliveryFilter<WebhookDeliveryStatus>;
export type WebhookDeliveryPage = DeliveryPage<WebhookDelivery>;
