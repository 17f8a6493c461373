import type { Generated } from 'kysely';
import type { AuditAction } from './audit.table.js';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint: written by the outbox fan-out, sent by the delivery worker. */
export interface WebhookDeliveryTable {
  /** `msg_<uuid>`: the `webhook-id` header, the same on every attempt. */
  id: string;
  /** The endpoint's key (`WebhookConfig.key`, a hash of its URL). */
  endpoint: string;
  event_type: AuditAction;
  calendar_id: string;
  /** The audit entry it tells about. */
  audit_seq: number;
  /** The JSON body, fixed at fan-out, so every attempt sends (and signs) the same bytes. */
  body: string;
  status: WebhookDeliveryStatus;
  attempts: Generated<number>;
  /** When the next attempt is due; also the lease while one process makes an attempt. */
  next_at: number;
  /** The HTTP status of the last attempt; null when it got no answer. */
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}
