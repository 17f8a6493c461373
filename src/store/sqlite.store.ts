import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import type { BookingPlan, BookingQuery, BookingResult, BookingSnapshot } from './booking.js';
import { changeOf, planWrites, snapshotQueries, toSnapshot } from './booking.transaction.js';
import type { Database } from './database.js';
import { migrate, type OnMigrated } from './migrate.js';
import type { RowsOf } from './runner.js';
import { storeOn, storeQueries, type Store } from './store.js';

/**
 * SQLite through one better-sqlite3 connection. A booking's check and insert run synchronously in
 * one BEGIN IMMEDIATE transaction: the write lock is taken before the check, so no other
 * process or request can book in between; WAL with synchronous=FULL makes it durable at commit.
 */
export async function openSqliteStore(path: string, onMigrated?: OnMigrated): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  const dialect = new SqliteDialect({ database: sqlite });
  const migrated = await migrate(new Kysely<Database>({ dialect }));
  onMigrated?.(migrated);

  const queries = storeQueries(dialect);
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (query: CompiledQuery) => {
    let statement = statements.get(query.sql);
    if (!statement) {
      statement = sqlite.prepare(query.sql);
      statements.set(query.sql, statement);
    }
    return statement;
  };
  // The driver's rows are untyped: they have the shape the query builder inferred.
  const rows = <R>(query: CompiledQuery<R>): R[] => {
    const statement = prepared(query);
    if (statement.reader) return statement.all(...query.parameters) as R[];
    statement.run(...query.parameters);
    return [];
  };

  const atomically = sqlite.transaction((batch: readonly CompiledQuery[]) => batch.map(rows));

  const bookInTransaction = sqlite.transaction(
    <T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>): BookingResult<T> => {
      const reads = snapshotQueries(queries, query);
      const plan = decide(
        toSnapshot({
          nearby: rows(reads.nearby),
          busy: rows(reads.busy),
          contactBookings: rows(reads.contactBookings),
          lastAssigned: rows(reads.lastAssigned),
        }),
      );
      const planned = planWrites(queries, query, plan);
      if (!planned) return { result: plan.result };
      planned.writes.forEach(rows);
      const [bumped] = rows(planned.bumpVersion);
      return { result: plan.result, change: changeOf(query, plan, bumped!.version) };
    },
  );

  // /readyz is polled by load balancers: prepare its query once.
  const alive = sqlite.prepare('select 1');

  return storeOn({
    queries,
    read: async (query) => rows(query),
    atomically: async <const Q extends readonly CompiledQuery[]>(batch: Q) => atomically.immediate(batch) as RowsOf<Q>,
    book: async <T>(query: BookingQuery, decide: (snapshot: BookingSnapshot) => BookingPlan<T>) =>
      bookInTransaction.immediate(query, decide) as BookingResult<T>,
    ping: async () => {
      alive.get();
    },
    close: async () => {
      sqlite.close();
    },
  });
}
