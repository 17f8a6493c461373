import { Migrator, PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from './booking.table.js';
import { migrationProvider } from './migrations.js';

/** Any fixed number shared by every Slotline process: the key of the migration lock. */
const MIGRATION_LOCK = 5_107_461;

/**
 * Brings the schema up to date. On PostgreSQL, processes starting together take turns under an
 * advisory lock, so one migrates and the others find nothing left to do.
 */
export async function migrate(db: Kysely<Database>, schema?: string): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return migrateToLatest(db);
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      // Under the lock too: `create schema if not exists` is not safe against a concurrent twin.
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(connection);
      // Named, or Kysely may take another schema's migration table for ours.
      await migrateToLatest(connection, schema ?? 'public');
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}

async function migrateToLatest(db: Kysely<Database>, migrationTableSchema?: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider, migrationTableSchema }).migrateToLatest();
  if (error) throw error;
}
