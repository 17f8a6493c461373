import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import type { Database } from './database.js';
import { migrate, type OnMigrated } from './migrate.js';
import { sqliteMarks } from './sqlite.marks.js';
import type { Reads, Rebuildable, RowsByName, RowsOf, Transacted, Transaction } from './runner.js';
import { storeQueries } from './store-queries.js';
import { storeOn, type Store } from './store.js';

/** How long a statement waits for another process's write lock. */
const BUSY_WAIT_MS = 5_000;
/** How long opening waits for another process's migration. */
const MIGRATION_WAIT_MS = 10 * 60_000;
/** How long a process waits before asking again to turn a new file to WAL. */
const WAL_RETRY_MS = 10;

/**
 * Turns the file to WAL (a no-op once it is). The change needs the file to itself; when two
 * processes open a new file together, both read it first, and SQLite answers one of them BUSY at
 * once rather than wait (busy_timeout) for a lock the other is waiting for too: that one retries.
 */
async function turnToWal(sqlite: BetterSqlite3.Database): Promise<void> {
  for (const deadline = Date.now() + MIGRATION_WAIT_MS; ; await sleep(WAL_RETRY_MS)) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!(error instanceof BetterSqlite3.SqliteError && error.code === 'SQLITE_BUSY') || Date.now() > deadline) {
        throw error;
      }
    }
  }
}

/**
 * SQLite through one better-sqlite3 connection. A transaction's reads, plan and writes (a
 * booking's check and insert) run synchronously in one BEGIN IMMEDIATE transaction: the write
 * lock is taken before the reads, so no other process or request can change anything in between; WAL with synchronous=FULL makes it durable at commit.
 * Transactions and atomic batches asked for at the same moment share one commit (`commitQueued`).
 * The change marks are held in memory and checked against the connection's data version (sqlite.marks.ts).
 */
export async function openSqliteStore(path: string, onMigrated?: OnMigrated): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  // A process that finds another migrating the file waits for it, however long the migration takes.
  sqlite.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
  await turnToWal(sqlite);
  sqlite.pragma('synchronous = FULL');
  const dialect = new SqliteDialect({ database: sqlite });
  const migrated = await migrate(new Kysely<Database>({ dialect }));
  sqlite.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  onMigrated?.(migrated);

  const queries = storeQueries(dialect);
  const statements = new Map<string, Prepared>();
  const prepared = (query: CompiledQuery): Prepared => {
    let known = statements.get(query.sql);
    if (!known) {
      known = prepare(sqlite, query.sql);
      statements.set(query.sql, known);
    }
    return known;
  };
  // The driver's rows are untyped: they have the shape the query builder inferred.
  const rows = <R>(query: CompiledQuery<R>): R[] => {
    const { statement, columns } = prepared(query);
    if (columns) return statement.all(...query.parameters).map((values) => rowOf(columns, values as unknown[])) as R[];
    statement.run(...query.parameters);
    return [];
  };

  const atomically = sqlite.transaction((batch: readonly CompiledQuery[]) => batch.map(rows));

  // Commits of rebuildable writes only (runner.ts) skip the fsync: synchronous=NORMAL, in WAL mode.
  const withoutFsync = sqlite.prepare('pragma synchronous = NORMAL');
  const withFsync = sqlite.prepare('pragma synchronous = FULL');
  const commitWith = <T>(rebuildable: boolean, commit: () => T): T => {
    if (!rebuildable) return commit();
    withoutFsync.run();
    try {
      return commit();
    } finally {
      withFsync.run();
    }
  };

  const transaction = sqlite.transaction(<R extends Reads, T>(run: Transaction<R, T>): Transacted<T> => {
    const read: Record<string, unknown[]> = {};
    for (const [name, query] of Object.entries(run.reads)) read[name] = rows(query);
    const { writes, result } = run.plan(read as RowsByName<R>);
    if (!writes) return { result };
    writes.writes.forEach(rows);
    writes.independent?.forEach(rows);
    if (!writes.bumpVersion) return { result };
    const [bumped] = rows(writes.bumpVersion.query);
    return { result, version: bumped!.version };
  });

  /**
   * Group commit: the transactions and atomic batches asked for while the event loop was busy (the
   * last commit's fsync blocks it) run one after another in one BEGIN IMMEDIATE, each in its own
   * savepoint (better-sqlite3 nests transaction functions so), and one COMMIT makes them all durable
   * before any of them is answered. Each still decides alone on what those before it wrote, so
   * the outcome is that of running them one by one; one that throws is rolled back to its
   * savepoint and fails alone. `synchronous=FULL` keeps its promise, at one fsync a batch. The
   * outbox's leases and attempts (`atomically`) share the bookings' commits so, instead of one
   * fsync each on the event loop.
   */
  type Settled = { readonly ok: unknown } | { readonly error: unknown };
  const batch = sqlite.transaction((works: readonly (() => unknown)[]): Settled[] =>
    works.map((work) => {
      try {
        return { ok: work() };
      } catch (error) {
        return { error };
      }
    }),
  );
  let queued: {
    work: () => unknown;
    rebuildable: boolean;
    resolve: (done: unknown) => void;
    reject: (error: unknown) => void;
  }[] = [];
  const commitQueued = () => {
    const taken = queued;
    queued = [];
    let settled: Settled[];
    try {
      // One durable transaction in the batch makes the whole commit durable.
      settled = commitWith(
        taken.every(({ rebuildable }) => rebuildable),
        () => batch.immediate(taken.map(({ work }) => work)),
      );
    } catch (error) {
      for (const { reject } of taken) reject(error);
      return;
    }
    settled.forEach((outcome, index) =>
      'ok' in outcome ? taken[index]!.resolve(outcome.ok) : taken[index]!.reject(outcome.error),
    );
  };
  /** Runs `work` in the next group commit; resolves once that commit is durable, or done if `rebuildable`. */
  const committed = <T>(work: () => T, { rebuildable = false }: Rebuildable = {}) =>
    new Promise<T>((resolve, reject) => {
      if (queued.length === 0) setImmediate(commitQueued);
      queued.push({ work, rebuildable, resolve: resolve as (done: unknown) => void, reject });
    });

  // /readyz is polled by load balancers: prepare its query once.
  const alive = sqlite.prepare('select 1');
  const dataVersion = sqlite.prepare('pragma data_version').pluck();

  return storeOn({
    queries,
    marks: sqliteMarks({
      dataVersion: () => Number(dataVersion.get()),
      everyMark: () => rows(queries.bookings.everyVersion()),
    }),
    read: async (query) => rows(query),
    atomically: <const Q extends readonly CompiledQuery[]>(statements: Q, options?: Rebuildable) =>
      committed(() => atomically(statements) as RowsOf<Q>, options),
    transact: <R extends Reads, T>(run: Transaction<R, T>) => committed(() => transaction(run) as Transacted<T>, run),
    ping: async () => {
      alive.get();
    },
    close: async () => {
      sqlite.close();
    },
  });
}

/** A statement and, for one that returns rows, its column names. */
interface Prepared {
  readonly statement: BetterSqlite3.Statement;
  readonly columns?: readonly string[];
}

/**
 * Reading statements return arrays (better-sqlite3's raw mode), made into rows here: the driver
 * builds each row object property by property in C++, which took two thirds of a 165-row read in
 * the bookings list's profile, and a plain loop gives every row of a statement the same shape.
 */
function prepare(sqlite: BetterSqlite3.Database, sql: string): Prepared {
  const statement = sqlite.prepare(sql);
  if (!statement.reader) return { statement };
  return { statement: statement.raw(true), columns: statement.columns().map((column) => column.name) };
}

function rowOf(columns: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let index = 0; index < columns.length; index += 1) row[columns[index]!] = values[index];
  return row;
}
