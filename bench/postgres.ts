/**
 * The PostgreSQL side of the bench: a fresh schema per run in the server at BENCH_POSTGRES_URL
 * (default: the local PostgreSQL 15), the bench's own connection to it for seeding and checks, the
 * database backends serving our Slotline processes (their CPU is part of what we measure), and
 * dropping the schema at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { errorMessage } from '../src/shared/error-message.js';
import { marksNotice } from '../src/store/postgres.marks.js';
import { tcpClientPorts } from './machine-load.js';
import type { Server } from './servers.js';

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The run's PostgreSQL schema and the bench's connection to it. */
export interface BenchDatabase {
  readonly client: pg.Client;
  readonly schema: string;
  /** Slotline's --database URL: the server, with `?schema=` the run's schema. */
  readonly url: string;
  readonly version: string;
  readonly port: number;
}

/**
 * Connects to the server and picks a fresh schema name; Slotline creates and migrates the schema.
 * Returns undefined (and why) when the server cannot be reached, so the rest of the bench still runs.
 */
export async function openBenchDatabase(): Promise<BenchDatabase | { unavailable: string }> {
  const schema = `slotline_bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({
    connectionString: POSTGRES_URL,
    connectionTimeoutMillis: 5_000,
    options: `-c search_path=${schema},public`,
  });
  try {
    await client.connect();
  } catch (error) {
    return { unavailable: errorMessage(error) };
  }
  client.on('error', () => {});
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', schema);
  const { rows } = await client.query<{ server_version: string }>('show server_version');
  return {
    client,
    schema,
    url: url.toString(),
    version: rows[0]?.server_version ?? 'unknown',
    port: Number(url.port || 5432),
  };
}

/**
 * Process ids of the PostgreSQL processes working for `servers`: the client backends whose client
 * port is one of the servers' connections, and the server's own background processes (WAL writer,
 * checkpointer, …), which our writes keep busy. Client backends of anybody else stay "other".
 */
export async function backendPids(database: BenchDatabase, servers: readonly Server[]): Promise<number[]> {
  const ports = new Set(
    tcpClientPorts(
      servers.map((server) => server.pid),
      database.port,
    ),
  );
  const { rows } = await database.client.query<{ pid: number; client_port: number; backend_type: string }>(
    'select pid, client_port, backend_type from pg_stat_activity where pid <> pg_backend_pid()',
  );
  return rows
    .filter((row) => (row.backend_type === 'client backend' ? ports.has(row.client_port) : true))
    .map((row) => row.pid);
}

/**
 * Empties a calendar between two storms, as a fresh database copy does on SQLite, and moves its
 * change mark and notifies it, as Slotline's own writes do, so the servers' caches read it again.
 * Call it while no request is in flight.
 */
export async function clearCalendar(database: BenchDatabase, calendarId: string): Promise<void> {
  await database.client.query('begin');
  await database.client.query('delete from bookings where calendar_id = $1', [calendarId]);
  const { rows } = await database.client.query<{ version: number }>(
    'update booking_versions set version = version + 1 where calendar_id = $1 returning version::int as version',
    [calendarId],
  );
  await database.client.query('commit');
  await database.client.query(marksNotice(database.schema, new Map(rows.map((row) => [calendarId, row.version]))));
}

/** Drops the run's schema and closes the connection; never throws, returns what went wrong. */
export async function closeBenchDatabase(database: BenchDatabase): Promise<string | undefined> {
  try {
    await database.client.query(`drop schema if exists "${database.schema}" cascade`);
    return undefined;
  } catch (error) {
    return `could not drop schema ${database.schema}: ${errorMessage(error)}`;
  } finally {
    await database.client.end().catch(() => {});
  }
}
