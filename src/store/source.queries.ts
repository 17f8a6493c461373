import { Kysely, sql, type CompiledQuery, type Dialect } from 'kysely';
import type { Interval } from '../engine/interval.js';
import type { Database } from './database.js';
import type { SourceRef } from './source.js';

/** SQLite binds at most 32,766 values a statement: insert busy time in chunks well below that. */
const ROWS_PER_INSERT = 1_000;

/** Queries of busy time synced from other calendars, and of each source's sync state. */
export function sourceQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  return {
    /**
     * Busy time overlapping [from, to): synced from calendars elsewhere, and the time off the
     * business entered (a null resource: every resource of the calendar), in one statement.
     */
    busy: (calendarId: string, from: number, to: number) =>
      // Time off first: its nullable resource types the rows of both.
      db
        .selectFrom('time_off')
        .select(['resource_id', 'start_at', 'end_at'])
        .where('calendar_id', '=', calendarId)
        .where('end_at', '>', from)
        .where('start_at', '<', to)
        .unionAll(
          db
            .selectFrom('busy_intervals')
            .select(['resource_id', 'start_at', 'end_at'])
            .where('calendar_id', '=', calendarId)
            .where('end_at', '>', from)
            .where('start_at', '<', to),
        )
        .compile(),

    /** Delete the source's rows, then insert the new ones: run all of it in one transaction. */
    replace: (source: SourceRef, intervals: readonly Interval[]): CompiledQuery[] => {
      const rows = intervals.map((interval) => ({
        source_id: source.id,
        calendar_id: source.calendarId,
        resource_id: source.resourceId,
        start_at: interval.start,
        end_at: interval.end,
      }));
      const inserts: CompiledQuery[] = [];
      for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
        inserts.push(
          db
            .insertInto('busy_intervals')
            .values(rows.slice(at, at + ROWS_PER_INSERT))
            .compile(),
        );
      }
      return [db.deleteFrom('busy_intervals').where('source_id', '=', source.id).compile(), ...inserts];
    },

    synced: (sourceId: string, tag: string | null, now: number) =>
      db
        .insertInto('source_states')
        .values({ source_id: sourceId, synced_at: now, attempted_at: now, failures: 0, error: null, tag })
        .onConflict((conflict) =>
          conflict
            .column('source_id')
            .doUpdateSet({ synced_at: now, attempted_at: now, failures: 0, error: null, tag }),
        )
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
