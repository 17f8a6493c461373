import { Kysely, PostgresAdapter, sql, type Dialect, type Insertable, type Updateable } from 'kysely';
import type { BookingFilter, NewBooking, Placement } from './booking.js';
import { LISTED_COLUMNS } from './booking.row.js';
import type { BookingStatus, BookingTable } from './booking.table.js';
import { compiledOnce } from './compiled-once.js';
import type { Database } from './database.js';
import type { VersionBump } from './runner.js';
import { searchTerms } from './search-keys.js';

/**
 * Every booking query, compiled by the dialect's own compiler: once, where its SQL text is the
 * same for all arguments (compiled-once.ts), else on every call. A store executes them its own
 * way: SQLite synchronously inside one transaction, others asynchronously.
 */
export function bookingQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const active = () => db.selectFrom('bookings').where('status', '=', 'active');
  /**
   * Active bookings of a calendar whose blocked range overlaps [from, to), bounded on both sides:
   * such a booking ends after `from` and before `to` plus the calendar's longest blocked range
   * (kept by every bump of its change mark), so the index by blocked end reads that stretch only.
   * On PostgreSQL the overlap is also written as the exclusion constraint's range test: planner
   * statistics from before a calendar filled up make it pick the constraint's GiST index, and
   * with this test that index reads narrowly too (docs/ARCHITECTURE.md, "Reading a window").
   */
  const blockedIn = (calendarId: string, from: number, to: number) =>
    active()
      .where('calendar_id', '=', calendarId)
      .where('blocked_end', '>', from)
      .where(
        'blocked_end',
        '<',
        sql<number>`${to} + coalesce((select longest_blocked from booking_versions where calendar_id = ${calendarId}), 0)`,
      )
      .where('blocked_start', '<', to)
      .$if(postgres, (query) =>
        query.where(sql<boolean>`int8range(blocked_start, blocked_end) && int8range(${from}, ${to})`),
      );
  /** Ids of the bookings whose search keys match `q`: one index range lookup per term. */
  const matching = (q: string) => {
    const { ranges, exact } = searchTerms(q);
    return db
      .selectFrom('booking_search_keys')
      .select('booking_id')
      .where((eb) =>
        eb.or([
          ...ranges.map(([from, to]) => eb.and([eb('key', '>=', from), eb('key', '<', to)])),
          ...(exact.length > 0 ? [eb('key', 'in', exact)] : []),
        ]),
      );
  };

  const insertBooking = compiledOnce((row: Insertable<BookingTable>) =>
    db.insertInto('bookings').values(row).compile(),
  );
  const moveBooking = compiledOnce((id: string, placement: Updateable<BookingTable>) =>
    db.updateTable('bookings').set(placement).where('id', '=', id).where('status', '=', 'active').compile(),
  );
  const bump = compiledOnce((calendarId: string, blocked: number) =>
    db
      .insertInto('booking_versions')
      .values({ calendar_id: calendarId, version: 1, longest_blocked: blocked })
      .onConflict((conflict) =>
        conflict.column('calendar_id').doUpdateSet({
          version: sql<number>`booking_versions.version + 1`,
          longest_blocked: postgres
            ? sql<number>`greatest(booking_versions.longest_blocked, ${blocked})`
            : sql<number>`max(booking_versions.longest_blocked, ${blocked})`,
        }),
      )
      .returning('version')
      .compile(),
  );

  return {
    activeBlocked: compiledOnce((calendarId: string, from: number, to: number) =>
      blockedIn(calendarId, from, to)
        .select(['id', 'resource_id', 'start_at', 'blocked_start', 'blocked_end'])
        .compile(),
    ),

    /**
     * Active bookings whose own time (buffers left out) overlaps [from, to), on one resource or,
     * for null, on any; by start. The blocked range bounds it first, for the index.
     */
    activeOverlapping: (calendarId: string, resourceId: string | null, from: number, to: number) =>
      blockedIn(calendarId, from, to)
        .selectAll()
        .$if(resourceId !== null, (query) => query.where('resource_id', '=', resourceId!))
        .where('end_at', '>', from)
        .where('start_at', '<', to)
        .orderBy('start_at')
        .orderBy('id')
        .compile(),

    /** The contact's active bookings in the calendar that end after `now`. */
    contactBookings: compiledOnce((calendarId: string, contactKey: string, now: number) =>
      active()
        .selectAll()
        .where('calendar_id', '=', calendarId)
        .where('contact_key', '=', contactKey)
        .where('end_at', '>', now)
        .compile(),
    ),

    lastAssigned: compiledOnce((calendarId: string) =>
      db
        .selectFrom('resource_assignments')
        .select(['resource_id', 'assigned_at'])
        .where('calendar_id', '=', calendarId)
        .compile(),
    ),

    assigned: compiledOnce((calendarId: string, resourceId: string, at: number) =>
      db
        .insertInto('resource_assignments')
        .values({ calendar_id: calendarId, resource_id: resourceId, assigned_at: at })
        .onConflict((conflict) => conflict.columns(['calendar_id', 'resource_id']).doUpdateSet({ assigned_at: at }))
        .compile(),
    ),

    insert: (booking: NewBooking, createdBy: string, phone: string | null) =>
      insertBooking({
        id: booking.id,
        calendar_id: booking.calendarId,
        resource_id: booking.resourceId,
        start_at: booking.start,
        end_at: booking.end,
        blocked_start: booking.blockedStart,
        blocked_end: booking.blockedEnd,
        contact_key: booking.contactKey,
        contact_id: booking.contactId,
        external_contact_id: booking.externalContactId,
        contact_details: JSON.stringify(booking.contactDetails ?? {}),
        status: 'active',
        created_at: booking.createdAt,
        cancelled_at: null,
        created_by: createdBy,
        phone_e164: phone,
      }),

    /** Keys of distinct values: at most 64 rows (search-keys.ts), so as many shapes. */
    insertSearchKeys: compiledOnce((rows: readonly Insertable<Database['booking_search_keys']>[]) =>
      db.insertInto('booking_search_keys').values(rows).compile(),
    ),

    replace: compiledOnce((ids: readonly string[], at: number) =>
      db
        .updateTable('bookings')
        .set({ status: 'replaced', cancelled_at: at })
        .where('id', 'in', ids)
        .where('status', '=', 'active')
        .compile(),
    ),

    move: (id: string, to: Placement) =>
      moveBooking(id, {
        resource_id: to.resourceId,
        start_at: to.start,
        end_at: to.end,
        blocked_start: to.blockedStart,
        blocked_end: to.blockedEnd,
      }),

    cancel: compiledOnce((id: string, at: number, reason: string | null) =>
      db
        .updateTable('bookings')
        .set({ status: 'cancelled', cancelled_at: at, cancel_reason: reason })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .compile(),
    ),

    version: compiledOnce((calendarId: string) =>
      db.selectFrom('booking_versions').select('version').where('calendar_id', '=', calendarId).compile(),
    ),

    /** Every calendar's change mark, for the marks SQLite keeps in memory (sqlite.marks.ts). */
    everyVersion: compiledOnce(() => db.selectFrom('booking_versions').select(['calendar_id', 'version']).compile()),

    /**
     * Returns the new version; the row stays locked until commit, so versions follow commit order.
     * `blocked` is the length of the blocked range the change writes (0 for none): the calendar's
     * longest one, which bounds window reads, grows with it. On PostgreSQL the store announces the
     * new version to the listening processes after the commit (postgres.marks.ts).
     */
    bumpVersion: (calendarId: string, blocked = 0): VersionBump => ({ calendarId, query: bump(calendarId, blocked) }),

    /** The booking made last with a phone number (index bookings_by_phone, read backwards, no sort). */
    latestOfPhone: compiledOnce((phone: string) =>
      db
        .selectFrom('bookings')
        .selectAll()
        .where('phone_e164', '=', phone)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .compile(),
    ),

    /** The number's active bookings that start after `now`: a few rows of the same index range. */
    upcomingOfPhone: compiledOnce((phone: string, now: number) =>
      active()
        .select(['calendar_id', 'start_at'])
        .where('phone_e164', '=', phone)
        .where('start_at', '>', now)
        .orderBy('start_at')
        .orderBy('id')
        .compile(),
    ),

    byId: compiledOnce((id: string) => db.selectFrom('bookings').selectAll().where('id', '=', id).compile()),

    activeSince: compiledOnce((calendarId: string, since: number) =>
      active()
        .selectAll()
        .where('calendar_id', '=', calendarId)
        .where('end_at', '>', since)
        // Bookings at one start in the order they were made, whatever index the planner picks.
        .orderBy('start_at')
        .orderBy('created_at')
        .orderBy('id')
        .compile(),
    ),

    /** One row more than the limit, to tell whether another page follows. */
    list: (filter: BookingFilter) =>
      db
        .selectFrom('bookings')
        .select(LISTED_COLUMNS)
        .$if(filter.calendarId !== undefined, (query) => query.where('calendar_id', '=', filter.calendarId!))
        .$if(filter.resourceId !== undefined, (query) => query.where('resource_id', '=', filter.resourceId!))
        .$if(filter.from !== undefined, (query) => query.where('start_at', '>=', filter.from!))
        .$if(filter.to !== undefined, (query) => query.where('start_at', '<', filter.to!))
        .$if(filter.status !== 'all', (query) => query.where('status', '=', filter.status as BookingStatus))
        .$if(filter.q !== undefined, (query) => query.where('id', 'in', matching(filter.q!)))
        .$if(filter.after !== undefined, (query) =>
          query.where((eb) => eb(eb.refTuple('start_at', 'id'), '>', eb.tuple(filter.after!.start, filter.after!.id))),
        )
        .orderBy('start_at')
        .orderBy('id')
        .limit(filter.limit + 1)
        .compile(),

    all: compiledOnce((calendarId: string) =>
      db
        .selectFrom('bookings')
        .selectAll()
        .where('calendar_id', '=', calendarId)
        .orderBy('created_at')
        .orderBy('id')
        .compile(),
    ),
  };
}

export type BookingQueries = ReturnType<typeof bookingQueries>;
