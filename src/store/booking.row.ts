import type { Selectable } from 'kysely';
import type { BlockedRange, Booking, BookingRecord, ListedBooking } from './booking.js';
import type { BookingTable } from './booking.table.js';

/** A bookings row as both dialects return it (PostgreSQL's bigint columns are parsed to numbers). */
export type BookingRow = Selectable<BookingTable>;

/**
 * One object literal, not `{ ...toListedBooking(row), blockedStart, blockedEnd, contactKey }`: a
 * spread made a booking's mapping ten times slower (the bookings list's profile, bench/README.md),
 * so this and `toListedBooking` each spell out their fields.
 */
export function toBookingRecord(row: BookingRow): BookingRecord {
  return {
    id: row.id,
    calendarId: row.calendar_id,
    resourceId: row.resource_id,
    start: row.start_at,
    end: row.end_at,
    blockedStart: row.blocked_start,
    blockedEnd: row.blocked_end,
    contactKey: row.contact_key,
    contactId: row.contact_id,
    externalContactId: row.external_contact_id,
    contactDetails: JSON.parse(row.contact_details),
    status: row.status,
    createdAt: row.created_at,
    cancelledAt: row.cancelled_at,
    createdBy: row.created_by,
    cancelReason: row.cancel_reason,
  };
}

/**
 * The columns of a listed booking: a page of bookings reads no more, since each column of each row
 * is a value better-sqlite3 makes, and the four others (the blocked range, the contact key and
 * phone number) were a sixth of a day list's read.
 */
export const LISTED_COLUMNS = [
  'id',
  'calendar_id',
  'resource_id',
  'start_at',
  'end_at',
  'contact_id',
  'external_contact_id',
  'contact_details',
  'status',
  'created_at',
  'cancelled_at',
  'created_by',
  'cancel_reason',
] as const;

export function toListedBooking(row: Pick<BookingRow, (typeof LISTED_COLUMNS)[number]>): ListedBooking {
  return {
    id: row.id,
    calendarId: row.calendar_id,
    resourceId: row.resource_id,
    start: row.start_at,
    end: row.end_at,
    contactId: row.contact_id,
    externalContactId: row.external_contact_id,
    contactDetails: JSON.parse(row.contact_details),
    status: row.status,
    createdAt: row.created_at,
    cancelledAt: row.cancelled_at,
    createdBy: row.created_by,
    cancelReason: row.cancel_reason,
  };
}

/** A record is a booking: its two more fields cost nothing to carry. */
export const toBooking: (row: BookingRow) => Booking = toBookingRecord;

export function toBlockedRange(
  row: Pick<BookingRow, 'id' | 'resource_id' | 'start_at' | 'blocked_start' | 'blocked_end'>,
): BlockedRange {
  return {
    bookingId: row.id,
    resourceId: row.resource_id,
    start: row.start_at,
    blockedStart: row.blocked_start,
    blockedEnd: row.blocked_end,
  };
}
