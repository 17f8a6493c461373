import type { Selectable } from 'kysely';
import type { WebhookDelivery } from './webhook-delivery.js';
import type { WebhookDeliveryTable } from './webhook-delivery.table.js';

export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;

export function toWebhookDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpoint: row.endpoint,
    eventType: row.event_type,
    calendarId: row.calendar_id,
    auditSeq: row.audit_seq,
    body: row.body,
    createdAt: row.created_at,
    status: row.status,
    attempts: row.attempts,
    nextAt: row.next_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
  };
}
