import type { Interval } from '../engine/interval.js';
import type { BookingStatus, WritebackAction } from './booking.table.js';

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

/** Time a resource is busy in a calendar elsewhere. */
export interface BusyRange {
  readonly resourceId: string;
  readonly start: number;
  readonly end: number;
}

/** A calendar elsewhere, as the store knows it. */
export interface SourceRef {
  readonly id: string;
  readonly calendarId: string;
  readonly resourceId: string;
}

export interface SourceState {
  readonly sourceId: string;
  /** Last successful sync; null when it never succeeded. */
  readonly syncedAt: number | null;
  readonly attemptedAt: number | null;
  /** Failed attempts since the last success. */
  readonly failures: number;
  readonly error: string | null;
  readonly tag: string | null;
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

/** A booking to write to, or remove from, a calendar elsewhere. */
export interface Writeback {
  readonly bookingId: string;
  readonly sourceId: string;
  readonly action: WritebackAction;
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
  readonly replaced: readonly BlockedRange[];
}

export interface BookingResult<T> {
  readonly result: T;
  /** Present when the booking wrote something. */
  readonly change?: BookingChange;
}

export interface BookingQuery {
  readonly calendarId: string;
  /** The local date of the start: bookings of one calendar and day are decided one at a time. */
  readonly day: string;
  readonly contactKey: string;
  readonly window: Interval;
  readonly now: number;
}

/** The database cannot be reached, or stays too busy to decide: a passing condition, not a bug. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Storage behind the booking service. Each dialect keeps the guarantee its own way; callers see
 * the same behaviour everywhere.
 */
export interface Store {
  /** Active bookings of a calendar whose blocked range overlaps [from, to). */
  activeBlocked(calendarId: string, from: number, to: number): Promise<BlockedRange[]>;
  /**
   * Reads a snapshot, lets `decide` plan the writes, and applies them atomically, so no other
   * booking can slip in between the check and the insert. Durable when the promise resolves.
   */
  book<T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>): Promise<BookingResult<T>>;
  /**
   * The calendar's change mark: it moves with every booking committed in the calendar, by this
   * process or another. What cached availability is checked against.
   */
  changeMark(calendarId: string): Promise<string>;
  /** Busy time of a calendar's resources overlapping [from, to). */
  busy(calendarId: string, from: number, to: number): Promise<BusyRange[]>;
  /**
   * Replaces a source's busy time, in one transaction that also moves the calendar's change mark
   * and, given `synced`, records a successful sync.
   */
  replaceBusy(
    source: SourceRef,
    intervals: readonly Interval[],
    synced?: { readonly tag: string | null; readonly at: number },
  ): Promise<void>;
  /** Records a successful sync that found the source unchanged. */
  recordSyncUnchanged(sourceId: string, tag: string | null, now: number): Promise<void>;
  /**
   * Records a failed sync; the source keeps its last good busy time, and no process may claim it
   * before `retryAt`.
   */
  recordSyncFailure(sourceId: string, error: string, now: number, retryAt: number): Promise<void>;
  /** Whether this process may sync the source now: one process holds it until `until`. */
  claimSync(sourceId: string, now: number, until: number): Promise<boolean>;
  sourceStates(): Promise<SourceState[]>;
  /**
   * Write-backs due now, each leased to this process until `leaseUntil` so that no other takes
   * it meanwhile.
   */
  claimWritebacks(now: number, leaseUntil: number, limit: number): Promise<(Writeback & { attempts: number })[]>;
  writebackDone(writeback: Writeback, now: number): Promise<void>;
  writebackFailed(writeback: Writeback, error: string, retryAt: number): Promise<void>;
  bookingById(id: string): Promise<Booking | undefined>;
  /** Active bookings of a calendar that end after `since`, by start. */
  activeBookings(calendarId: string, since: number): Promise<Booking[]>;
  /** Every booking of a calendar, in any status, oldest first. */
  bookings(calendarId: string): Promise<Booking[]>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
