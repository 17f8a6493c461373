import type { CompiledQuery } from 'kysely';
import type { NewAuditEntry } from './audit.js';
import {
  blockedRangeOf,
  type BlockedRange,
  type Booking,
  type BookingChange,
  type BookingPlan,
  type BookingQuery,
  type BookingRecord,
  type BookingSnapshot,
  type CancelQuery,
  type NewBooking,
} from './booking.js';
import { toBlockedRange, toBooking, toBookingRecord, type BookingRow } from './booking.row.js';
import { contactPhone } from '../shared/phone-number.js';
import type { PlannedWrites, RowsByName, Transaction } from './runner.js';
import { toBusyRange } from './source.row.js';
import { searchKeys } from './search-keys.js';
import type { StoreQueries } from './store-queries.js';

/**
 * The transactions that change bookings, shared by every dialect: which locks they take, which
 * queries they read, and which writes their plan needs. Each dialect only runs them (`Runner.transact`),
 * SQLite synchronously and PostgreSQL asynchronously.
 */

/** The lock a contact's bookings in a calendar are decided under, one at a time. */
export const contactLock = (calendarId: string, contactKey: string) => `contact ${calendarId} ${contactKey}`;

/**
 * The calendar's lock: every booking and move holds it shared, time off alone, so a booking
 * decided while time off is added either sees it or is among its conflicts.
 */
export const calendarLock = (calendarId: string) => `calendar ${calendarId}`;

/**
 * The lock the callers of one start are decided under, one after the other: a popular slot's
 * callers would otherwise all pick the same free resource, and all but one retry, again and again.
 * Bookings of other starts that overlap it are the exclusion constraint's to refuse.
 */
export const startLock = (calendarId: string, start: number) => `start ${calendarId} ${start}`;

/**
 * The lock a resource's bookings starting on one local date are decided under when `max_per_day`
 * caps them; without a cap, bookings take no such lock (the overlap guard decides between them).
 */
export const resourceDayLock = (calendarId: string, resourceId: string, day: string) =>
  `day ${calendarId} ${resourceId} ${day}`;

/**
 * A booking: under the contact's lock, its start's and the calendar's (shared), `decide` plans from the
 * snapshot, and under a cap again under the lock of the resource-day it books; the result is the
 * plan, so that the store can tell what it changed.
 */
export function bookingTransaction<T>(
  queries: StoreQueries,
  query: BookingQuery,
  decide: (snapshot: BookingSnapshot) => BookingPlan<T>,
): Transaction<SnapshotQueries, BookingPlan<T>> {
  return {
    locks: [contactLock(query.calendarId, query.contactKey), startLock(query.calendarId, query.start)],
    sharedLocks: [calendarLock(query.calendarId)],
    genericPlans: true,
    reads: snapshotQueries(queries, query),
    plan: (rows) => {
      const plan = decide(toSnapshot(rows));
      return { writes: planWrites(queries, query, plan), result: plan };
    },
    locksFor: (plan) =>
      query.cappedDay !== undefined && plan.insert
        ? [resourceDayLock(query.calendarId, plan.insert.resourceId, query.cappedDay)]
        : [],
  };
}

/** What a booking decision reads: the same for /book and for a move. */
export function snapshotQueries(queries: StoreQueries, query: BookingQuery) {
  return {
    nearby: queries.bookings.activeBlocked(query.calendarId, query.window.start, query.window.end),
    busy: queries.sources.busy(query.calendarId, query.window.start, query.window.end),
    contactBookings: queries.bookings.contactBookings(query.calendarId, query.contactKey, query.now),
    lastAssigned: queries.bookings.lastAssigned(query.calendarId),
  };
}

export type SnapshotQueries = ReturnType<typeof snapshotQueries>;

export function toSnapshot(rows: RowsByName<SnapshotQueries>): BookingSnapshot {
  return {
    nearby: rows.nearby.map(toBlockedRange),
    busy: rows.busy.map(toBusyRange),
    contactBookings: rows.contactBookings.map(toBooking),
    lastAssigned: new Map(rows.lastAssigned.map((row) => [row.resource_id, row.assigned_at])),
  };
}

/**
 * The plan's writes; none when the plan writes nothing. The replace goes first, on its own: the
 * replaced booking must no longer be active when the overlap guard checks the new one (a contact
 * may rebook into their own booking's time). The rest change rows of their own, independently.
 */
function planWrites(queries: StoreQueries, query: BookingQuery, plan: BookingPlan<unknown>): PlannedWrites | undefined {
  const writes: CompiledQuery[] = [];
  const independent: CompiledQuery[] = [];
  const actor = query.actor ?? 'telli';
  const replaced = (plan.replace ?? []).map((booking) => booking.id);
  if (replaced.length > 0) writes.push(queries.bookings.replace(replaced, query.now));
  if (plan.insert) {
    independent.push(
      queries.bookings.insert(plan.insert, actor, contactPhone(plan.insert.contactDetails, query.country)),
    );
    const keys = searchKeys(plan.insert);
    const bookingId = plan.insert.id;
    if (keys.length > 0)
      independent.push(queries.bookings.insertSearchKeys(keys.map((key) => ({ booking_id: bookingId, key }))));
    independent.push(queries.bookings.assigned(query.calendarId, plan.insert.resourceId, plan.insert.createdAt));
  }
  if (writes.length + independent.length === 0) return undefined;
  independent.push(queries.audit.record(auditEntriesOf(query, plan, actor)));
  if (plan.writebacks?.length) independent.push(queries.writebacks.queue(plan.writebacks, query.now));
  const blocked = plan.insert ? plan.insert.blockedEnd - plan.insert.blockedStart : 0;
  return { writes, independent, bumpVersion: queries.bookings.bumpVersion(query.calendarId, blocked) };
}

/** One entry per booking the plan touches, in the order the plan writes them: replaced, then created. */
function auditEntriesOf(query: BookingQuery, plan: BookingPlan<unknown>, actor: string): NewAuditEntry[] {
  const entry = (booking: Booking | NewBooking) => ({
    at: query.now,
    actor,
    calendarId: query.calendarId,
    bookingId: booking.id,
    timeOffId: null,
  });
  const replaced = (plan.replace ?? []).map((booking): NewAuditEntry => ({
    ...entry(booking),
    action: 'booking.replaced',
    before: { status: 'active' },
    after: plan.insert ? { status: 'replaced', replaced_by: plan.insert.id } : { status: 'replaced' },
  }));
  if (!plan.insert) return replaced;
  const created: NewAuditEntry = {
    ...entry(plan.insert),
    action: 'booking.created',
    before: null,
    after: {
      start_iso: new Date(plan.insert.start).toISOString(),
      end_iso: new Date(plan.insert.end).toISOString(),
      resource: plan.insert.resourceId,
      status: 'active',
    },
  };
  return [...replaced, created];
}

/**
 * What the plan changed, given the version its commit bumped the calendar to. Versions follow
 * commit order (the bump holds the row lock to the commit), so the state just before this
 * booking is the version before.
 */
export function changeOf(query: BookingQuery, plan: BookingPlan<unknown>, version: number): BookingChange {
  return {
    calendarId: query.calendarId,
    markBefore: String(version - 1),
    markAfter: String(version),
    inserted: plan.insert && blockedRangeOf(plan.insert),
    removed: (plan.replace ?? []).map(blockedRangeOf),
  };
}

/** What a cancel found: the booking as it is after the transaction, absent for an unknown id. */
export interface Cancelled {
  readonly booking?: BookingRecord;
  /** The range it no longer blocks, when this transaction cancelled it. */
  readonly freed?: BlockedRange;
}

/**
 * A cancel, under the lock of the booking's contact (the one its rebooks take), so that a rebook
 * of the same contact never decides on a booking being cancelled. Only an active booking
 * changes: cancelling again, or cancelling a replaced booking, writes nothing.
 */
export function cancelTransaction(
  queries: StoreQueries,
  cancel: CancelQuery,
  owner: { readonly calendarId: string; readonly contactKey: string },
): Transaction<{ booking: CompiledQuery<BookingRow> }, Cancelled> {
  return {
    locks: [contactLock(owner.calendarId, owner.contactKey)],
    reads: { booking: queries.bookings.byId(cancel.bookingId) },
    plan: (rows) => {
      const [row] = rows.booking;
      if (!row) return { result: {} };
      const booking = toBookingRecord(row);
      if (booking.status !== 'active') return { result: { booking } };
      const cancelled: BookingRecord = {
        ...booking,
        status: 'cancelled',
        cancelledAt: cancel.now,
        cancelReason: cancel.reason,
      };
      const writebacks = cancel.writtenTo(booking).map((sourceId) => ({
        bookingId: booking.id,
        sourceId,
        action: 'delete' as const,
      }));
      const independent = [
        queries.bookings.cancel(booking.id, cancel.now, cancel.reason),
        queries.audit.record([
          {
            at: cancel.now,
            actor: cancel.actor,
            action: 'booking.cancelled',
            calendarId: booking.calendarId,
            bookingId: booking.id,
            timeOffId: null,
            before: { status: 'active' },
            after: { status: 'cancelled', cancel_reason: cancel.reason },
          },
        ]),
      ];
      if (writebacks.length > 0) independent.push(queries.writebacks.queue(writebacks, cancel.now));
      return {
        writes: { writes: [], independent, bumpVersion: queries.bookings.bumpVersion(booking.calendarId) },
        result: { booking: cancelled, freed: toBlockedRange(row) },
      };
    },
  };
}

/** A change that only frees a range, committed as `version` (see changeOf). */
export function removalOf(calendarId: string, freed: BlockedRange, version: number): BookingChange {
  return { calendarId, markBefore: String(version - 1), markAfter: String(version), removed: [freed] };
}
