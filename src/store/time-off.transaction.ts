import type { CompiledQuery } from 'kysely';
import type { AuditFields } from './audit.js';
import type { BookingRecord } from './booking.js';
import { toBookingRecord, type BookingRow } from './booking.row.js';
import { dayLock } from './booking.transaction.js';
import type { Transaction } from './runner.js';
import type { StoreQueries } from './store-queries.js';
import type { NewTimeOffQuery, TimeOff, TimeOffRemoval } from './time-off.js';
import { toTimeOff, type TimeOffRow } from './time-off.row.js';

/**
 * Adding and removing time off, each one `Runner.transact` with its audit entry and the
 * calendar's change mark, shared by every dialect.
 */

/**
 * Adds time off and reads the bookings it overlaps. It takes the locks of every day whose
 * bookings it may overlap, so on PostgreSQL a booking decided at the same moment either sees the
 * time off or is among the conflicts: none slips in between unlisted.
 */
export function addTimeOffTransaction(
  queries: StoreQueries,
  { timeOff, days }: NewTimeOffQuery,
): Transaction<{ conflicts: CompiledQuery<BookingRow> }, BookingRecord[]> {
  return {
    locks: days.map((day) => dayLock(timeOff.calendarId, day)),
    reads: {
      conflicts: queries.bookings.activeOverlapping(timeOff.calendarId, timeOff.resourceId, timeOff.start, timeOff.end),
    },
    plan: (rows) => ({
      writes: {
        writes: [
          queries.timeOff.insert(timeOff),
          queries.audit.record([
            {
              ...auditEntry(timeOff, timeOff.createdBy, timeOff.createdAt),
              action: 'time_off.created',
              before: null,
              after: fieldsOf(timeOff),
            },
          ]),
        ],
        bumpVersion: queries.bookings.bumpVersion(timeOff.calendarId),
      },
      result: rows.conflicts.map(toBookingRecord),
    }),
  };
}

/** Removes time off; an unknown id (or one removed meanwhile) writes nothing and answers undefined. */
export function removeTimeOffTransaction(
  queries: StoreQueries,
  removal: TimeOffRemoval,
): Transaction<{ timeOff: CompiledQuery<TimeOffRow> }, TimeOff | undefined> {
  return {
    // Two removals of one time off wait for each other: the second finds it gone.
    locks: [`time_off ${removal.id}`],
    reads: { timeOff: queries.timeOff.byId(removal.id) },
    plan: (rows) => {
      const [row] = rows.timeOff;
      if (!row) return { result: undefined };
      const timeOff = toTimeOff(row);
      return {
        writes: {
          writes: [
            queries.timeOff.delete(timeOff.id),
            queries.audit.record([
              {
                ...auditEntry(timeOff, removal.actor, removal.now),
                action: 'time_off.deleted',
                before: fieldsOf(timeOff),
                after: null,
              },
            ]),
          ],
          bumpVersion: queries.bookings.bumpVersion(timeOff.calendarId),
        },
        result: timeOff,
      };
    },
  };
}

const auditEntry = (timeOff: TimeOff, actor: string, at: number) => ({
  at,
  actor,
  calendarId: timeOff.calendarId,
  bookingId: null,
  timeOffId: timeOff.id,
});

function fieldsOf(timeOff: TimeOff): AuditFields {
  return {
    start_iso: new Date(timeOff.start).toISOString(),
    end_iso: new Date(timeOff.end).toISOString(),
    resource: timeOff.resourceId,
    note: timeOff.note,
  };
}
