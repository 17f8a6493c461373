import type { Selectable } from 'kysely';
import type { Mail } from '../notify/mail-event.js';
import type { EmailDelivery } from './email-delivery.js';
import type { EmailDeliveryTable } from './email-delivery.table.js';

export type EmailDeliveryRow = Selectable<EmailDeliveryTable>;

export function toEmailDelivery(row: EmailDeliveryRow): EmailDelivery {
  return {
    id: row.id,
    bookingId: row.booking_id,
    calendarId: row.calendar_id,
    auditSeq: row.audit_seq,
    kind: row.kind,
    mail: JSON.parse(row.message) as Mail,
    remindStart: row.remind_start,
    dueAt: row.next_at,
    createdAt: row.created_at,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    sentAt: row.sent_at,
  };
}
