import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type CompiledQuery } from 'kysely';
import { bookingQueries } from './booking.queries.js';
import { toBlockedRange, toBooking } from './booking.rows.js';
import type { Database } from './booking.table.js';
import { migrationProvider } from './migrations.js';
import {
  blockedRangeOf,
  type BookingPlan,
  type BookingQuery,
  type BookingResult,
  type BookingSnapshot,
  type Store,
} from './store.js';

/**
 * SQLite through one better-sqlite3 connection. A booking's check and insert run synchronously in
 * one BEGIN IMMEDIATE transaction: the write lock is taken before the check, so no other
 * process or request can book in between; WAL with synchronous=FULL makes it durable at commit.
 */
export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  const dialect = new SqliteDialect({ database: sqlite });
  await migrate(new Kysely<Database>({ dialect }));

  const queries = bookingQueries(dialect);
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (query: CompiledQuery) => {
    let statement = statements.get(query.sql);
    if (!statement) {
      statement = sqlite.prepare(query.sql);
      statements.set(query.sql, statement);
    }
    return statement;
  };
  const all = <R>(query: CompiledQuery) => prepared(query).all(...query.parameters) as R[];
  const run = (query: CompiledQuery) => prepared(query).run(...query.parameters);

  // data_version moves when another connection commits; our own commits are counted here.
  let ownWrites = 0;
  const dataVersion = sqlite.prepare('pragma data_version').pluck();

  const mark = () => `${ownWrites}:${dataVersion.get()}`;

  const bookInTransaction = sqlite.transaction(
    <T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>): BookingResult<T> => {
      const markBefore = mark();
      const snapshot: BookingSnapshot = {
        nearby: all<never>(queries.activeBlocked(query.calendarId, query.window.start, query.window.end)).map(
          toBlockedRange,
        ),
        contactBookings: all<never>(queries.contactBookings(query)).map(toBooking),
        lastAssigned: new Map(
          query.resourceIds.flatMap((resourceId) => {
            const [row] = all<{ last_created: number | null }>(queries.lastAssigned(query.calendarId, resourceId));
            return row?.last_created == null ? [] : [[resourceId, row.last_created] as const];
          }),
        ),
      };
      const { insert, replace = [], result } = decide(snapshot);
      if (replace.length > 0)
        run(
          queries.replace(
            replace.map((booking) => booking.id),
            query.now,
          ),
        );
      if (insert) run(queries.insert(insert));
      if (!insert && replace.length === 0) return { result };
      ownWrites++;
      const change = {
        calendarId: query.calendarId,
        markBefore,
        markAfter: mark(),
        inserted: insert && blockedRangeOf(insert),
        replaced: replace.map(blockedRangeOf),
      };
      return { result, change };
    },
  );

  return {
    async activeBlocked(calendarId, from, to) {
      return all<never>(queries.activeBlocked(calendarId, from, to)).map(toBlockedRange);
    },
    async book<T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>) {
      return bookInTransaction.immediate(query, decide) as BookingResult<T>;
    },
    async changeMark() {
      return mark();
    },
    async bookings(calendarId) {
      return all<never>(queries.all(calendarId)).map(toBooking);
    },
    async ping() {
      sqlite.prepare('select 1').get();
    },
    async close() {
      sqlite.close();
    },
  };
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) throw error;
}
