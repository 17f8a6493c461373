import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { PoolSettings } from '../config/config.types.js';
import { errorMessage } from '../shared/error-message.js';
import type { Database } from './database.js';
import { introspectingOnly, migrate, type OnMigrated } from './migrate.js';
import type { Reads, RowsByName, RowsOf, Transacted, Transaction } from './runner.js';
import { StoreUnavailableError } from './store-unavailable.error.js';
import { storeQueries } from './store-queries.js';
import { storeOn, type Store } from './store.js';

/** Conflicts that a fresh attempt resolves: the overlap guard, serialisation failures, deadlocks. */
const RETRYABLE = new Set(['23P01', '40001', '40P01']);
const ATTEMPTS = 5;

/**
 * PostgreSQL, for several Slotline processes on one database. The exclusion constraint
 * `bookings_no_overlap` makes overlapping active bookings on one resource impossible whatever
 * the processes do; advisory locks per contact and per calendar day make each booking decision
 * see the bookings it competes with, so the constraint is a last guard rather than the rule.
 *
 * `?schema=NAME` in the URL keeps Slotline's tables in their own schema (created if missing).
 */
export async function openPostgresStore(url: string, settings: PoolSettings, onMigrated?: OnMigrated): Promise<Store> {
  const { connectionString, schema } = splitSchema(url);
  const pool = new pg.Pool({
    connectionString,
    max: settings.max,
    connectionTimeoutMillis: settings.connectTimeout,
    idleTimeoutMillis: settings.idleTimeout,
    statement_timeout: settings.statementTimeout,
    // The server cancels slow statements; this catches a network that stops answering altogether.
    query_timeout: settings.statementTimeout + 1_000,
    // btree_gist lives in public, so public stays on the path after our schema.
    options: schema ? `-c search_path=${quoteIdentifier(schema)},public` : undefined,
    types: { getTypeParser: bigintAsNumber },
  });
  // A connection that the server or the network drops must not crash the process: idle ones
  // report to the pool, checked-out ones to themselves. The query fails, the pool discards it.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const dialect = introspectingOnly(schema ?? 'public', new PostgresDialect({ pool }));
  const db = new Kysely<Database>({ dialect });
  try {
    const migrated = await migrate(db, schema);
    onMigrated?.(migrated);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const queries = storeQueries(dialect);
  const rows = async <R>(executor: Kysely<Database>, query: CompiledQuery<R>) =>
    (await executor.executeQuery(query)).rows;

  return storeOn({
    queries,
    read: (query) => unavailableOnOutage(() => rows(db, query)),
    atomically: <const Q extends readonly CompiledQuery[]>(batch: Q) =>
      unavailableOnOutage(() =>
        db.transaction().execute(async (trx) => {
          const results: unknown[][] = [];
          for (const query of batch) results.push(await rows(trx, query));
          return results as RowsOf<Q>;
        }),
      ),
    transact: <R extends Reads, T>(run: Transaction<R, T>) =>
      unavailableOnOutage(async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await db.transaction().execute(async (trx): Promise<Transacted<T>> => {
              for (const key of run.locks) await lock(trx, key);
              const read: Record<string, unknown[]> = {};
              for (const [name, query] of Object.entries(run.reads)) read[name] = await rows(trx, query);
              const { writes, result } = run.plan(read as RowsByName<R>);
              if (!writes) return { result };
              for (const write of writes.writes) await rows(trx, write);
              if (!writes.bumpVersion) return { result };
              const [bumped] = await rows(trx, writes.bumpVersion);
              return { result, version: bumped!.version };
            });
          } catch (error) {
            if (!RETRYABLE.has(sqlState(error) ?? '')) throw error;
            if (attempt === ATTEMPTS) {
              throw new StoreUnavailableError(`transaction still conflicted after ${ATTEMPTS} attempts`, {
                cause: error,
              });
            }
          }
        }
      }),
    ping: () =>
      unavailableOnOutage(async () => {
        await sql`select 1`.execute(db);
      }),
    close: () => db.destroy(),
  });
}

/**
 * The driver's type parsers, with bigint (int8) read as a number rather than a string: the store's
 * bigint columns hold epoch milliseconds and counters, far below 2^53. Set on this pool only, so
 * other users of pg in the process keep the default.
 */
const bigintAsNumber = ((oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.INT8 && format !== 'binary'
    ? Number
    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

/** A transaction-scoped advisory lock on a text key: decisions on one key wait for each other. */
async function lock(trx: Kysely<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

/** Takes `schema` out of the URL's query: it is Slotline's setting, not the driver's. */
function splitSchema(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Connection failures become StoreUnavailableError, which callers answer as "try again later".
 * SQLSTATE class 08 is a connection exception, 57P0x a server shutting down, 53300 too many
 * connections; the rest are the driver's own words for a lost or refused connection.
 */
async function unavailableOnOutage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    const state = sqlState(error) ?? '';
    const message = errorMessage(error);
    const lost =
      state.startsWith('08') ||
      state.startsWith('57P0') ||
      state === '53300' ||
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(state) ||
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(
        message,
      );
    if (lost) throw new StoreUnavailableError('the database cannot be reached', { cause: error });
    throw error;
  }
}
