import type { Generated } from 'kysely';
import type { MailEventType } from '../notify/mail-event.js';

export type EmailDeliveryStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** One mail to one recipient: written by the outbox fan-out, sent by the outbox worker. */
export interface EmailDeliveryTable {
  id: string;
  booking_id: string;
  calendar_id: string;
  /** The audit entry that caused it (for a reminder: the booking's creation or move). */
  audit_seq: number;
  kind: MailEventType;
  /** The caller (`contact`) or the staff member (`resource`). */
  recipient_role: 'contact' | 'resource';
  /** The `Mail` as JSON, rendered at fan-out: what the change was when it was made. */
  message: string;
  /** A reminder: the start (start_iso) it reminds of; it is skipped when the booking no longer starts then. */
  remind_start: string | null;
  status: EmailDeliveryStatus;
  attempts: Generated<number>;
  /** When the next attempt is due (a reminder: its due time); also the lease while one process sends it. */
  next_at: number;
  /** Why the last attempt failed: the step and the SMTP reply code, never the server's text. */
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}
