import type { Interval } from '../engine/interval.js';
import type { BookingStatus } from './booking.table.js';
import type { BusyRange } from './source.js';
import type { Writeback } from './writeback.js';

export interface Booking {
  readonly id: string;
  readonly calendarId: string;
  readonly resourceId: string;
  readonly start: number;
  readonly end: number;
  readonly blockedStart: number;
  readonly blockedEnd: number;
  readonly contactKey: string;
  readonly contactId: string | null;
  readonly externalContactId: string | null;
  readonly contactDetails: unknown;
  readonly status: BookingStatus;
  readonly createdAt: number;
  readonly cancelledAt: number | null;
}

export type NewBooking = Omit<Booking, 'status' | 'cancelledAt'>;

/** A booking as the business sees it: also who made it and why it was cancelled. */
export interface BookingRecord extends Booking {
  readonly createdBy: string;
  readonly cancelReason: string | null;
}

/** Which bookings to list, by (start, id): starting in [from, to), after the cursor, at most `limit` (1 or more). */
export interface BookingFilter {
  readonly calendarId?: string;
  readonly resourceId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly status: BookingStatus | 'all';
  /** Matched against the contact's search keys (search-keys.ts). */
  readonly q?: string;
  readonly after?: BookingCursor;
  readonly limit: number;
}

/** Where a page of bookings ended: the (start, id) of its last booking. */
export interface BookingCursor {
  readonly start: number;
  readonly id: string;
}

/**
 * A booking as the business's lists show it (the API, the dashboard): its record without what only
 * availability and booking read (the blocked range, the contact key).
 */
export type ListedBooking = Omit<BookingRecord, 'blockedStart' | 'blockedEnd' | 'contactKey'>;

export interface BookingPage {
  readonly bookings: ListedBooking[];
  /** The `after` of the next page; absent on the last page. */
  readonly next?: BookingCursor;
}

export function blockedRangeOf(booking: NewBooking): BlockedRange {
  return {
    bookingId: booking.id,
    resourceId: booking.resourceId,
    start: booking.start,
    blockedStart: booking.blockedStart,
    blockedEnd: booking.blockedEnd,
  };
}

/** What an active booking keeps from others. */
export interface BlockedRange {
  readonly bookingId: string;
  readonly resourceId: string;
  readonly start: number;
  readonly blockedStart: number;
  readonly blockedEnd: number;
}

/** What a booking decision sees, read inside the transaction that applies it. */
export interface BookingSnapshot {
  /** Active bookings of the calendar whose blocked range overlaps the asked window. */
  readonly nearby: readonly BlockedRange[];
  /** Busy time of the calendar's resources overlapping the asked window. */
  readonly busy: readonly BusyRange[];
  /** The contact's active bookings in the calendar that have not ended yet. */
  readonly contactBookings: readonly Booking[];
  /** When each resource of the calendar last received a booking. */
  readonly lastAssigned: ReadonlyMap<string, number>;
}

/** The writes a decision asks for, and what to answer once they are durable. */
export interface BookingPlan<T> {
  readonly insert?: NewBooking;
  /** Active bookings to mark replaced. */
  readonly replace?: readonly Booking[];
  /** Queued with the booking, carried out in the background. */
  readonly writebacks?: readonly Writeback[];
  readonly result: T;
}

/**
 * What a committed booking changed, so that what was read at `markBefore` can be brought to
 * `markAfter` without reading it again.
 */
export interface BookingChange {
  readonly calendarId: string;
  readonly markBefore: string;
  readonly markAfter: string;
  readonly inserted?: BlockedRange;
  /** Ranges no longer blocked: bookings replaced or cancelled. */
  readonly removed: readonly BlockedRange[];
}

export interface BookingResult<T> {
  readonly result: T;
  /** Present when the booking wrote something. */
  readonly change?: BookingChange;
}

export interface BookingQuery {
  readonly calendarId: string;
  /**
   * The local date of the start when `max_per_day` caps the calendar's bookings: bookings of one
   * resource and day are then decided one at a time (booking.transaction.ts `resourceDayLock`).
   */
  readonly cappedDay?: string;
  /** The start asked for: callers of one start are decided one at a time (`startLock`). */
  readonly start: number;
  readonly contactKey: string;
  /** The bookings and busy time the decision reads: those overlapping it (`decisionScope`, booking.service.ts). */
  readonly window: Interval;
  readonly now: number;
  /** Who books, for `created_by` and the audit trail: `telli` unless given. */
  readonly actor?: string;
  /** The calendar's country, in which a national phone number of the contact is read (shared/phone-number.ts). */
  readonly country: string | undefined;
}

/** What the contact lookup reads about a phone number. */
export interface PhoneBookings {
  /** The booking made last with the number, in any status and calendar. */
  readonly latest?: BookingRecord;
  /** Its active bookings that start after now, soonest first. */
  readonly upcoming: readonly { readonly calendarId: string; readonly start: number }[];
}

/** An operator's cancel of one booking. */
export interface CancelQuery {
  readonly bookingId: string;
  /** The admin token's name, for the audit trail. */
  readonly actor: string;
  readonly reason: string | null;
  readonly now: number;
  /** The CalDAV sources the booking was written to: each gets a delete queued. */
  readonly writtenTo: (booking: Booking) => readonly string[];
}

/** An operator's move of one booking, decided under the locks a /book of the target would take. */
export interface MoveQuery {
  readonly bookingId: string;
  readonly calendarId: string;
  /** The booking's contact: its lock is the first one /book takes. */
  readonly contactKey: string;
  /** The local date of the target's start under a cap, as in BookingQuery. */
  readonly cappedDay?: string;
  /** The target's start. */
  readonly start: number;
  /** What the target's decision must see (`decisionScope` of the target, booking.service.ts). */
  readonly window: Interval;
  readonly now: number;
  /** The admin token's name, for the audit trail. */
  readonly actor: string;
}

/** Where a booking is, as a move changes it. */
export type Placement = Pick<Booking, 'resourceId' | 'start' | 'end' | 'blockedStart' | 'blockedEnd'>;

/** A move's decision: where to (absent: the booking stays), the write-backs to queue, and the answer. */
export interface MovePlan<T> {
  readonly to?: Placement;
  readonly writebacks?: readonly Writeback[];
  readonly result: T;
}

/** What a move found and did: the booking as it is afterwards (absent for an unknown id). */
export interface MoveResult<T> {
  readonly booking?: BookingRecord;
  /** The decision, when the booking was active and so was decided on. */
  readonly decision?: T;
  readonly change?: BookingChange;
}
