import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { bookingQueries } from './booking.queries.js';
import { toBlockedRange, toBooking, type Row } from './booking.rows.js';
import { changeOf, markOf, planWrites, snapshotQueries, toSnapshot } from './booking.transaction.js';
import type { Database } from './booking.table.js';
import { migrate } from './migrate.js';
import type { BookingPlan, BookingQuery, BookingResult, BookingSnapshot, Store } from './store.js';

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
  const all = (query: CompiledQuery) => prepared(query).all(...query.parameters) as Row[];
  const run = (query: CompiledQuery) => prepared(query).run(...query.parameters);

  const bookInTransaction = sqlite.transaction(
    <T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>): BookingResult<T> => {
      const reads = snapshotQueries(queries, query);
      const plan = decide(
        toSnapshot(query, {
          nearby: all(reads.nearby),
          contactBookings: all(reads.contactBookings),
          lastAssigned: reads.lastAssigned.map((read) => all(read)),
        }),
      );
      const writes = planWrites(queries, query, plan);
      if (writes.length === 0) return { result: plan.result };
      for (const write of writes.slice(0, -1)) run(write);
      const [bumped] = all(writes[writes.length - 1]!);
      return { result: plan.result, change: changeOf(query, plan, Number(bumped!.version)) };
    },
  );

  return {
    async activeBlocked(calendarId, from, to) {
      return all(queries.activeBlocked(calendarId, from, to)).map(toBlockedRange);
    },
    async book<T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>) {
      return bookInTransaction.immediate(query, decide) as BookingResult<T>;
    },
    async changeMark(calendarId) {
      return markOf(all(queries.version(calendarId)));
    },
    async bookings(calendarId) {
      return all(queries.all(calendarId)).map(toBooking);
    },
    async ping() {
      sqlite.prepare('select 1').get();
    },
    async close() {
      sqlite.close();
    },
  };
}
