import type {
  BlockedRange,
  Booking,
  BookingFilter,
  BookingPage,
  BookingPlan,
  BookingQuery,
  BookingChange,
  BookingRecord,
  BookingResult,
  BookingSnapshot,
  CancelQuery,
  PhoneBookings,
  MovePlan,
  MoveQuery,
  MoveResult,
} from './booking.js';
import { toBlockedRange, toBooking, toBookingRecord, toListedBooking } from './booking.row.js';
import { bookingTransaction, cancelTransaction, changeOf, removalOf } from './booking.transaction.js';
import { moveTransaction } from './move.transaction.js';
import type { Runner } from './runner.js';
import type { StoreQueries } from './store-queries.js';

/** Bookings: the booking transaction, the change mark, and what availability and the feeds read. */
export interface BookingStore {
  /** Active bookings of a calendar whose blocked range overlaps [from, to). */
  activeBlocked(calendarId: string, from: number, to: number): Promise<BlockedRange[]>;
  /**
   * Reads a snapshot, lets `decide` plan the writes, and applies them atomically, so no other
   * booking can slip in between the check and the insert. Durable when the promise resolves.
   */
  book<T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>): Promise<BookingResult<T>>;
  /**
   * Cancels an active booking in one transaction with its audit entry, the deletes of its CalDAV
   * write-backs and the calendar's change mark. Answers the booking as it now is (unchanged when
   * it was not active, absent for an unknown id), and the change when this call made one.
   */
  cancel(query: CancelQuery): Promise<{ booking?: BookingRecord; change?: BookingChange }>;
  /**
   * Moves an active booking where `decide` says, in one transaction with its audit entry, its
   * CalDAV write-backs and the calendar's change mark; `decide` sees the booking read again under
   * the locks, and the snapshot a /book of the target would. Nothing changes unless it decides so.
   */
  move<T>(
    query: MoveQuery,
    decide: (booking: BookingRecord, snapshot: BookingSnapshot) => MovePlan<T>,
  ): Promise<MoveResult<T>>;
  /**
   * The calendar's change mark: it moves with every booking committed in the calendar, by this
   * process or another. What cached availability is checked against.
   */
  changeMark(calendarId: string): Promise<string>;
  /**
   * The change mark of one calendar, or of every calendar together (no id), read from the
   * database: every commit made before the call, by any process, is in it, where `changeMark` may
   * be a moment behind another process's. What the bookings list's answers are kept under.
   */
  committedMark(calendarId?: string): Promise<string>;
  bookingById(id: string): Promise<BookingRecord | undefined>;
  /** Active bookings of a calendar that end after `since`, by start, then in the order they were made. */
  activeBookings(calendarId: string, since: number): Promise<Booking[]>;
  /** Every booking of a calendar, in any status, oldest first. */
  bookings(calendarId: string): Promise<Booking[]>;
  /** A page of bookings by (start, id), keyset on the cursor, with who made them and why they were cancelled. */
  listBookings(filter: BookingFilter): Promise<BookingPage>;
  /** The last booking made with a phone number (E.164), and its active bookings that start after `now`. */
  phoneBookings(phone: string, now: number): Promise<PhoneBookings>;
}

/**
 * Change marks a dialect knows without reading them from the bookings' database (PostgreSQL's
 * listener, postgres.marks.ts; SQLite's data version, sqlite.marks.ts); `read` answers undefined
 * when it cannot vouch for them.
 */
export interface KnownMarks {
  /** The newest committed version of the calendar known here, or undefined: ask the database. */
  read(calendarId: string): string | undefined;
  /** A version this process committed: known at once, whatever tells it of other processes' commits. */
  note(calendarId: string, version: number): void;
}

/** The booking store on a dialect's runner. */
export function bookingStore(runner: Runner, all: StoreQueries, marks?: KnownMarks): BookingStore {
  const queries = all.bookings;
  const committed = (calendarId: string, version: number | undefined) => {
    if (version !== undefined) marks?.note(calendarId, version);
  };
  const committedMark = async (calendarId?: string) => {
    if (calendarId !== undefined) {
      const [row] = await runner.read(queries.version(calendarId));
      return String(row?.version ?? 0);
    }
    const rows = await runner.read(queries.everyVersion());
    return JSON.stringify(rows.map((row) => [row.calendar_id, row.version]).sort());
  };
  return {
    activeBlocked: async (calendarId, from, to) =>
      (await runner.read(queries.activeBlocked(calendarId, from, to))).map(toBlockedRange),
    book: async (query, decide) => {
      const { result: plan, version } = await runner.transact(bookingTransaction(all, query, decide));
      committed(query.calendarId, version);
      return version === undefined
        ? { result: plan.result }
        : { result: plan.result, change: changeOf(query, plan, version) };
    },
    cancel: async (query) => {
      // The owner is read first for the lock; the transaction reads the booking again under it.
      const [owner] = await runner.read(queries.byId(query.bookingId));
      if (!owner) return {};
      const { result, version } = await runner.transact(
        cancelTransaction(all, query, { calendarId: owner.calendar_id, contactKey: owner.contact_key }),
      );
      committed(owner.calendar_id, version);
      const { booking, freed } = result;
      return freed && version !== undefined
        ? { booking, change: removalOf(owner.calendar_id, freed, version) }
        : { booking };
    },
    move: async (query, decide) => {
      const { result, version } = await runner.transact(moveTransaction(all, query, decide));
      committed(query.calendarId, version);
      const { booking, decision, moved } = result;
      if (!moved || version === undefined) return { booking, decision };
      const change = {
        calendarId: query.calendarId,
        markBefore: String(version - 1),
        markAfter: String(version),
        ...moved,
      };
      return { booking, decision, change };
    },
    changeMark: async (calendarId) => marks?.read(calendarId) ?? committedMark(calendarId),
    committedMark,
    bookingById: async (id) => (await runner.read(queries.byId(id))).map(toBookingRecord)[0],
    activeBookings: async (calendarId, since) =>
      (await runner.read(queries.activeSince(calendarId, since))).map(toBooking),
    bookings: async (calendarId) => (await runner.read(queries.all(calendarId))).map(toBooking),
    listBookings: async (filter) => {
      const rows = await runner.read(queries.list(filter));
      const bookings = rows.slice(0, filter.limit).map(toListedBooking);
      const last = bookings.at(-1);
      return rows.length > filter.limit && last ? { bookings, next: { start: last.start, id: last.id } } : { bookings };
    },
    phoneBookings: async (phone, now) => {
      const [latest, upcoming] = await Promise.all([
        runner.read(queries.latestOfPhone(phone)),
        runner.read(queries.upcomingOfPhone(phone, now)),
      ]);
      return {
        latest: latest.map(toBookingRecord)[0],
        upcoming: upcoming.map((row) => ({ calendarId: row.calendar_id, start: row.start_at })),
      };
    },
  };
}
