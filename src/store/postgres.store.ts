import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { PoolSettings } from '../config/config.types.js';
import { errorMessage } from '../shared/error-message.js';
import type { Database } from './database.js';
import { introspectingOnly, migrate, type OnMigrated } from './migrate.js';
import { listenForMarks, markAnnouncer } from './postgres.marks.js';
import { bookingStatistics } from './postgres.statistics.js';
import { postgresRunner, sqlState } from './postgres.runner.js';
import { StoreUnavailableError } from './store-unavailable.error.js';
import { storeQueries } from './store-queries.js';
import { storeOn, type Store } from './store.js';

/** How often the mark listener reads every mark again, and how long it waits to reconnect. */
const MARKS_CHECK_MS = 5_000;
const MARKS_RETRY_MS = 1_000;
/** How long a moved mark waits to be announced with the others moved meanwhile (postgres.marks.ts). */
const MARKS_ANNOUNCE_MS = 10;

/**
 * PostgreSQL, for several Slotline processes on one database. The exclusion constraint
 * `bookings_no_overlap` makes overlapping active bookings on one resource impossible whatever
 * the processes do; advisory locks per contact, per start and (under a cap) per resource-day make
 * each booking decision see the bookings it competes with, so the constraint is a last guard
 * rather than the rule. Queries run as named prepared statements, each transaction's pipelined
 * (postgres.runner.ts).
 *
 * `?schema=NAME` in the URL keeps Slotline's tables in their own schema (created if missing).
 */
export async function openPostgresStore(url: string, settings: PoolSettings, onMigrated?: OnMigrated): Promise<Store> {
  const { connectionString, schema } = splitSchema(url);
  const connection = {
    connectionString,
    // btree_gist lives in public, so public stays on the path after our schema.
    options: schema ? `-c search_path=${quoteIdentifier(schema)},public` : undefined,
    types: { getTypeParser: bigintAsNumber },
  };
  const pool = new pg.Pool({
    ...connection,
    max: settings.max,
    connectionTimeoutMillis: settings.connectTimeout,
    idleTimeoutMillis: settings.idleTimeout,
    statement_timeout: settings.statementTimeout,
    // The server cancels slow statements; this catches a network that stops answering altogether.
    query_timeout: settings.statementTimeout + 1_000,
    // A transaction's statements go out together (postgres.runner.ts).
    pipeline: true,
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
  const marks = listenForMarks({
    connection: {
      ...connection,
      connectionTimeoutMillis: settings.connectTimeout,
      statement_timeout: settings.statementTimeout,
      query_timeout: settings.statementTimeout + 1_000,
      keepAlive: true,
      application_name: `slotline marks ${schema ?? 'public'}`,
    },
    schema: schema ?? 'public',
    checkEveryMs: MARKS_CHECK_MS,
    retryMs: MARKS_RETRY_MS,
  });
  const statistics = bookingStatistics(async () => {
    // Only the columns a calendar's reads are planned by (postgres.statistics.ts): the others
    // (ids, contacts, details) change no plan when a calendar fills, and sorting their samples
    // made most of the cost, which ran every 500 bookings (autovacuum still analyzes them all).
    await sql`analyze bookings (calendar_id, status, resource_id, start_at, end_at, blocked_start, blocked_end)`.execute(
      db,
    );
  });
  const announcer = markAnnouncer(pool, schema ?? 'public', MARKS_ANNOUNCE_MS);
  const runner = postgresRunner(pool, {
    committed: (calendarId, version) => {
      announcer.moved(calendarId, version);
      statistics.changed();
    },
  });

  return storeOn({
    queries,
    marks,
    read: (query) => unavailableOnOutage(() => runner.read(query)),
    atomically: (batch) => unavailableOnOutage(() => runner.atomically(batch)),
    transact: (run) => unavailableOnOutage(() => runner.transact(run)),
    ping: () =>
      unavailableOnOutage(async () => {
        await sql`select 1`.execute(db);
      }),
    close: async () => {
      await announcer.flush();
      await marks.close();
      await statistics.settled();
      await db.destroy();
    },
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
