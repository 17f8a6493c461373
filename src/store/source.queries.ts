import { Kysely, sql, type CompiledQuery, type Dialect } from 'kysely';
import type { Interval } from '../engine/interval.js';
import { compiledOnce } from './compiled-once.js';
import type { Database } from './database.js';
import type { BusyRead, SourceRef } from './source.js';

/** Queries of busy time synced from other calendars, and of each source's sync state. */
export function sourceQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  return {
    /**
     * Busy time overlapping [from, to): synced from calendars elsewhere, and the time off the
     * business entered (a null resource: every resource of the calendar; no source), in one statement.
     */
    busy: compiledOnce((calendarId: string, from: number, to: number) =>
      // Time off first: its nullable resource and source type the rows of both.
      db
        .selectFrom('time_off')
        .select(['resource_id', sql<string | null>`null`.as('source_id'), 'start_at', 'end_at'])
        .where('calendar_id', '=', calendarId)
        .where('end_at', '>', from)
        .where('start_at', '<', to)
        .unionAll(
          db
            .selectFrom('busy_intervals')
            .select(['resource_id', 'source_id', 'start_at', 'end_at'])
            .where('calendar_id', '=', calendarId)
            .where('end_at', '>', from)
            .where('start_at', '<', to),
        )
        .compile(),
    ),

    /**
     * Delete the source's rows that are not among `intervals`, then insert those of `intervals` not
     * yet there: run both in one transaction. A feed that changed mostly stays as it was, and
     * writing it whole again (every row deleted and inserted with its index entries) held the main
     * thread for 9-16 ms for a 1,060-interval feed with one event moved, against 4-5 ms
     * (bench/README.md, 2026-12-03). The intervals travel as one JSON text that the database
     * unpacks (`json_each` on an object, which SQLite and PostgreSQL both read): building and
     * binding a row at a time took a 40,000-event feed half a second on the main thread, and the
     * transaction holds it whole.
     */
    replace: (source: SourceRef, intervals: readonly Interval[]): CompiledQuery[] => {
      if (intervals.length === 0) return [db.deleteFrom('busy_intervals').where('source_id', '=', source.id).compile()];
      const byIndex = `{${intervals.map((interval, i) => `"${i}":[${interval.start},${interval.end}]`).join(',')}}`;
      const given = sql`select cast(value ->> 0 as bigint) as start_at, cast(value ->> 1 as bigint) as end_at
        from json_each(${byIndex})`;
      const deleted = sql`delete from busy_intervals
        where source_id = ${source.id} and (start_at, end_at) not in (${given})`.compile(db);
      const inserted = sql`insert into busy_intervals (source_id, calendar_id, resource_id, start_at, end_at)
        select cast(${source.id} as text), cast(${source.calendarId} as text), cast(${source.resourceId} as text),
          given.start_at, given.end_at
        from (${given}) as given
        where not exists (select 1 from busy_intervals as held
          where held.source_id = ${source.id} and held.start_at = given.start_at and held.end_at = given.end_at)`.compile(
        db,
      );
      return [deleted, inserted];
    },

    /** A successful sync; given `lastRead` (null: none), what its read wrote, else the last read's stays. */
    synced: (sourceId: string, tag: string | null, now: number, lastRead?: BusyRead | null) => {
      const state = syncedState(tag, now);
      const read =
        lastRead === undefined
          ? {}
          : {
              busy_until: lastRead?.until ?? null,
              busy_digest: lastRead?.digest ?? null,
              busy_zone: lastRead?.zone ?? null,
            };
      return db
        .insertInto('source_states')
        .values({ source_id: sourceId, ...state, ...read })
        .onConflict((conflict) => conflict.column('source_id').doUpdateSet({ ...state, ...read }))
        .compile();
    },

    /**
     * A successful sync whose read gave the busy time already written, as its digest says: returns a
     * row only then, so the comparison holds against what is written now, whoever wrote it.
     */
    confirmed: (sourceId: string, tag: string | null, now: number, read: BusyRead) =>
      db
        .updateTable('source_states')
        .set({ ...syncedState(tag, now), busy_until: read.until, busy_zone: read.zone })
        .where('source_id', '=', sourceId)
        .where('busy_digest', '=', read.digest)
        .returning('source_id')
        .compile(),

    /** The source's busy time was written without reading it (`on_stale: block`): the next sync reads it whole. */
    unread: (sourceId: string) =>
      db
        .updateTable('source_states')
        .set({ busy_until: null, busy_digest: null, busy_zone: null })
        .where('source_id', '=', sourceId)
        .compile(),

    // A failure keeps the lease until the retry is due, so that no process (this one or another)
    // tries the source before its backoff has passed.
    failed: (sourceId: string, error: string, now: number, retryAt: number) =>
      db
        .insertInto('source_states')
        .values({ source_id: sourceId, attempted_at: now, failures: 1, error, lease_until: retryAt })
        .onConflict((conflict) =>
          conflict.column('source_id').doUpdateSet({
            attempted_at: now,
            failures: sql<number>`source_states.failures + 1`,
            error,
            lease_until: retryAt,
          }),
        )
        .compile(),

    /** Takes the lease when it is free; returns a row only then. */
    claim: (sourceId: string, now: number, until: number) =>
      db
        .insertInto('source_states')
        .values({ source_id: sourceId, lease_until: until })
        .onConflict((conflict) =>
          conflict
            .column('source_id')
            .doUpdateSet({ lease_until: until })
            .where('source_states.lease_until', '<=', now),
        )
        .returning('source_id')
        .compile(),

    states: () => db.selectFrom('source_states').selectAll().compile(),
  };
}

export type SourceQueries = ReturnType<typeof sourceQueries>;

/** A source's state after a successful sync: synced now, no failures, the tag it read. */
function syncedState(tag: string | null, now: number) {
  return { synced_at: now, attempted_at: now, failures: 0, error: null, tag };
}
