import type { CompiledQuery } from 'kysely';
import type { NewAuditEntry } from './audit.js';
import {
  blockedRangeOf,
  type Booking,
  type BookingChange,
  type BookingPlan,
  type BookingQuery,
  type BookingSnapshot,
  type NewBooking,
} from './booking.js';
import { toBlockedRange, toBooking } from './booking.row.js';
import type { RowOf } from './runner.js';
import { toBusyRange } from './source.row.js';
import { searchKeys } from './search-keys.js';
import type { StoreQueries } from './store.js';

/**
 * The steps of a booking transaction, shared by every dialect: which queries build the snapshot,
 * how their rows become one, and which writes a plan needs. Each store only runs them, SQLite
 * synchronously and PostgreSQL asynchronously.
 */

export function snapshotQueries(queries: StoreQueries, query: BookingQuery) {
  return {
    nearby: queries.bookings.activeBlocked(query.calendarId, query.window.start, query.window.end),
    busy: queries.sources.busy(query.calendarId, query.window.start, query.window.end),
    contactBookings: queries.bookings.contactBookings(query),
    lastAssigned: queries.bookings.lastAssigned(query.calendarId),
  };
}

type SnapshotQueries = ReturnType<typeof snapshotQueries>;

/** The rows each snapshot query returned. */
export type SnapshotRows = { readonly [K in keyof SnapshotQueries]: readonly RowOf<SnapshotQueries[K]>[] };

export function toSnapshot(rows: SnapshotRows): BookingSnapshot {
  return {
    nearby: rows.nearby.map(toBlockedRange),
    busy: rows.busy.map(toBusyRange),
    contactBookings: rows.contactBookings.map(toBooking),
    lastAssigned: new Map(rows.lastAssigned.map((row) => [row.resource_id, row.assigned_at])),
  };
}

/** The writes of a plan, and the calendar's version bump to run after them. */
export interface PlannedWrites {
  readonly writes: readonly CompiledQuery[];
  /** Run after the writes: returns the calendar's new version, for the change. */
  readonly bumpVersion: CompiledQuery<{ version: number }>;
}

/** The plan's writes; none when the plan writes nothing. */
export function planWrites(
  queries: StoreQueries,
  query: BookingQuery,
  plan: BookingPlan<unknown>,
): PlannedWrites | undefined {
  const writes: CompiledQuery[] = [];
  const actor = query.actor ?? 'telli';
  const replaced = (plan.replace ?? []).map((booking) => booking.id);
  if (replaced.length > 0) writes.push(queries.bookings.replace(replaced, query.now));
  if (plan.insert) {
    writes.push(queries.bookings.insert(plan.insert, actor));
    const keys = searchKeys(plan.insert);
    if (keys.length > 0) writes.push(queries.bookings.insertSearchKeys(plan.insert.id, keys));
    writes.push(queries.bookings.assigned(query.calendarId, plan.insert.resourceId, plan.insert.createdAt));
  }
  if (writes.length === 0) return undefined;
  writes.push(queries.audit.record(auditEntriesOf(query, plan, actor)));
  if (plan.writebacks?.length) writes.push(queries.writebacks.queue(plan.writebacks, query.now));
  return { writes, bumpVersion: queries.bookings.bumpVersion(query.calendarId) };
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
    after: { status: 'replaced' },
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
    replaced: (plan.replace ?? []).map(blockedRangeOf),
  };
}
