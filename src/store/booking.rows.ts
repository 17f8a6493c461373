import type { WritebackAction } from './booking.table.js';
import type { BlockedRange, Booking, BusyRange, SourceState, Writeback } from './store.js';

/** Rows as the drivers return them; bigint columns may arrive as strings, hence Number(). */
export type Row = Record<string, unknown>;

export function toBooking(row: Row): Booking {
  return {
    id: String(row.id),
    calendarId: String(row.calendar_id),
    resourceId: String(row.resource_id),
    start: Number(row.start_at),
    end: Number(row.end_at),
    blockedStart: Number(row.blocked_start),
    blockedEnd: Number(row.blocked_end),
    contactKey: String(row.contact_key),
    contactId: row.contact_id === null ? null : String(row.contact_id),
    externalContactId: row.external_contact_id === null ? null : String(row.external_contact_id),
    contactDetails: JSON.parse(String(row.contact_details)),
    status: row.status as Booking['status'],
    createdAt: Number(row.created_at),
    cancelledAt: row.cancelled_at === null ? null : Number(row.cancelled_at),
  };
}

export function toBlockedRange(row: Row): BlockedRange {
  return {
    bookingId: String(row.id),
    resourceId: String(row.resource_id),
    start: Number(row.start_at),
    blockedStart: Number(row.blocked_start),
    blockedEnd: Number(row.blocked_end),
  };
}

export function toBusyRange(row: Row): BusyRange {
  return { resourceId: String(row.resource_id), start: Number(row.start_at), end: Number(row.end_at) };
}

export function toSourceState(row: Row): SourceState {
  const instant = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    sourceId: String(row.source_id),
    syncedAt: instant(row.synced_at),
    attemptedAt: instant(row.attempted_at),
    failures: Number(row.failures),
    error: row.error === null ? null : String(row.error),
    tag: row.tag === null ? null : String(row.tag),
  };
}

export function toWriteback(row: Row): Writeback {
  return {
    bookingId: String(row.booking_id),
    sourceId: String(row.source_id),
    action: row.action as WritebackAction,
  };
}
