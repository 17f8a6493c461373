import type { Selectable } from 'kysely';
import type { AuditEntry } from './audit.js';
import type { AuditEntryTable } from './audit.table.js';

export type AuditEntryRow = Selectable<AuditEntryTable>;

export function toAuditEntry(row: AuditEntryRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    calendarId: row.calendar_id,
    bookingId: row.booking_id,
    timeOffId: row.time_off_id,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
  };
}
