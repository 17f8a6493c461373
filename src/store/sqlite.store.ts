import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type CompiledQuery } from 'kysely';
import { bookingQueries } from './booking.queries.js';
import { toBlockedRange, toBooking, toLastAssigned } from './booking.rows.js';
import type { Database } from './booking.table.js';
import { migrationProvider } from './migrations.js';
import type { BookingPlan, BookingQuery, BookingSnapshot, Store } from './store.js';

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

  const bookInTransaction = sqlite.transaction(
    <T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>): T => {
      const snapshot: BookingSnapshot = {
        nearby: all<never>(queries.activeBlocked(query.calendarId, query.window.start, query.window.end)).map(
          toBlockedRange,
        ),
        contactBookings: all<never>(queries.contactBookings(query)).map(toBooking),
        lastAssigned: toLastAssigned(all(queries.lastAssigned(query.calendarId))),
      };
      const plan = decide(snapshot);
      if (plan.replace?.length) run(queries.replace(plan.replace, query.now));
      if (plan.insert) run(queries.insert(plan.insert));
      return plan.result;
    },
  );

  return {
    async activeBlocked(calendarId, from, to) {
      return all<never>(queries.activeBlocked(calendarId, from, to)).map(toBlockedRange);
    },
    async book<T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>) {
      return bookInTransaction.immediate(query, decide) as T;
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
