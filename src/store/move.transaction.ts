import type { CompiledQuery } from 'kysely';
import type { BookingChange, BookingRecord, BookingSnapshot, MovePlan, MoveQuery, Placement } from './booking.js';
import {
  calendarLock,
  contactLock,
  resourceDayLock,
  snapshotQueries,
  startLock,
  toSnapshot,
  type SnapshotQueries,
} from './booking.transaction.js';
import { toBlockedRange, toBookingRecord, type BookingRow } from './booking.row.js';
import type { Transaction } from './runner.js';
import type { StoreQueries } from './store-queries.js';

/** What a move transaction found and did, before the commit's version is known. */
export interface MoveOutcome<T> {
  readonly booking?: BookingRecord;
  readonly decision?: T;
  /** Set when the booking moved: the range it left and the one it took. */
  readonly moved?: Pick<BookingChange, 'inserted' | 'removed'>;
}

/**
 * A move of one booking, under the locks a /book of its target would take: its contact's, its
 * target start's, the calendar's (shared), and under a cap the lock of the resource-day it moves to. Inside, the
 * booking is read again:
 * only an active one is decided on, from the same snapshot /book reads, and `decide` is given the
 * booking so that its own range does not stand in its way. PostgreSQL's exclusion constraint
 * stays the last guard.
 */
export function moveTransaction<T>(
  queries: StoreQueries,
  move: MoveQuery,
  decide: (booking: BookingRecord, snapshot: BookingSnapshot) => MovePlan<T>,
): Transaction<SnapshotQueries & { booking: CompiledQuery<BookingRow> }, MoveOutcome<T>> {
  const target = {
    calendarId: move.calendarId,
    cappedDay: move.cappedDay,
    start: move.start,
    contactKey: move.contactKey,
    window: move.window,
    now: move.now,
    country: undefined,
  };
  return {
    locks: [contactLock(move.calendarId, move.contactKey), startLock(move.calendarId, move.start)],
    sharedLocks: [calendarLock(move.calendarId)],
    genericPlans: true,
    reads: { ...snapshotQueries(queries, target), booking: queries.bookings.byId(move.bookingId) },
    plan: (rows) => {
      const [row] = rows.booking;
      if (!row) return { result: {} };
      const booking = toBookingRecord(row);
      if (booking.status !== 'active') return { result: { booking } };
      const plan = decide(booking, toSnapshot(rows));
      if (!plan.to) return { result: { booking, decision: plan.result } };
      const moved: BookingRecord = { ...booking, ...plan.to };
      const independent = [
        queries.bookings.move(booking.id, plan.to),
        queries.audit.record([
          {
            at: move.now,
            actor: move.actor,
            action: 'booking.moved',
            calendarId: booking.calendarId,
            bookingId: booking.id,
            timeOffId: null,
            before: placementFields(booking),
            after: placementFields(plan.to),
          },
        ]),
      ];
      if (plan.writebacks?.length) independent.push(queries.writebacks.queue(plan.writebacks, move.now));
      return {
        writes: {
          writes: [],
          independent,
          bumpVersion: queries.bookings.bumpVersion(booking.calendarId, plan.to.blockedEnd - plan.to.blockedStart),
        },
        result: {
          booking: moved,
          decision: plan.result,
          moved: {
            removed: [toBlockedRange(row)],
            inserted: {
              bookingId: booking.id,
              resourceId: plan.to.resourceId,
              start: plan.to.start,
              blockedStart: plan.to.blockedStart,
              blockedEnd: plan.to.blockedEnd,
            },
          },
        },
      };
    },
    locksFor: ({ moved }) =>
      move.cappedDay !== undefined && moved?.inserted
        ? [resourceDayLock(move.calendarId, moved.inserted.resourceId, move.cappedDay)]
        : [],
  };
}

function placementFields(placement: Placement) {
  return {
    start_iso: new Date(placement.start).toISOString(),
    end_iso: new Date(placement.end).toISOString(),
    resource: placement.resourceId,
  };
}
