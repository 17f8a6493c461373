import type { CompiledQuery } from 'kysely';
import type { BookingQueries } from './booking.queries.js';
import { toBlockedRange, toBooking, toBusyRange, type Row } from './booking.rows.js';
import type { BusyQueries } from './busy.queries.js';
import type { WritebackQueries } from './writeback.queries.js';
import {
  blockedRangeOf,
  type BookingChange,
  type BookingPlan,
  type BookingQuery,
  type BookingSnapshot,
} from './store.js';

/**
 * The steps of a booking transaction, shared by every dialect: which queries build the snapshot,
 * how their rows become one, and which writes a plan needs. Each store only runs them, SQLite
 * synchronously and PostgreSQL asynchronously.
 */

export interface SnapshotQueries {
  readonly nearby: CompiledQuery;
  readonly busy: CompiledQuery;
  readonly contactBookings: CompiledQuery;
  readonly lastAssigned: CompiledQuery;
}

export function snapshotQueries(
  queries: BookingQueries,
  busyQueries: BusyQueries,
  query: BookingQuery,
): SnapshotQueries {
  return {
    nearby: queries.activeBlocked(query.calendarId, query.window.start, query.window.end),
    busy: busyQueries.busy(query.calendarId, query.window.start, query.window.end),
    contactBookings: queries.contactBookings(query),
    lastAssigned: queries.lastAssigned(query.calendarId),
  };
}

export function toSnapshot(
  query: BookingQuery,
  rows: {
    nearby: readonly Row[];
    busy: readonly Row[];
    contactBookings: readonly Row[];
    lastAssigned: readonly Row[];
  },
): BookingSnapshot {
  const lastAssigned = new Map(rows.lastAssigned.map((row) => [String(row.resource_id), Number(row.assigned_at)]));
  return {
    nearby: rows.nearby.map(toBlockedRange),
    busy: rows.busy.map(toBusyRange),
    contactBookings: rows.contactBookings.map(toBooking),
    lastAssigned,
  };
}

/** The plan's writes, the calendar's version bump last; none when the plan writes nothing. */
export function planWrites(
  queries: BookingQueries,
  writebackQueries: WritebackQueries,
  query: BookingQuery,
  plan: BookingPlan<unknown>,
): CompiledQuery[] {
  const writes: CompiledQuery[] = [];
  const replaced = (plan.replace ?? []).map((booking) => booking.id);
  if (replaced.length > 0) writes.push(queries.replace(replaced, query.now));
  if (plan.insert) {
    writes.push(queries.insert(plan.insert));
    writes.push(queries.assigned(query.calendarId, plan.insert.resourceId, plan.insert.createdAt));
  }
  if (writes.length > 0 && plan.writebacks?.length) writes.push(writebackQueries.queue(plan.writebacks, query.now));
  if (writes.length > 0) writes.push(queries.bumpVersion(query.calendarId));
  return writes;
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
    replaced: (plan.replace ?? []).map(blockedRangeOf),
  };
}

export function markOf(rows: readonly Row[]): string {
  return String(rows[0]?.version ?? 0);
}
