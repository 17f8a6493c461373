import {
  Migrator,
  PostgresAdapter,
  sql,
  type DatabaseIntrospector,
  type Dialect,
  type Kysely,
  type TableMetadata,
} from 'kysely';
import type { Database } from './database.js';
import { migrationProvider } from './migrations.js';

/** Any fixed number shared by every Slotline process: the key of the migration lock. */
const MIGRATION_LOCK = 5_107_461;

/** What bringing the schema up to date did. */
export interface MigrationReport {
  /** The migrations this run applied, by name, in order; empty when the schema was up to date. */
  readonly applied: readonly string[];
  /** Every migration the schema has now, by name, in order. */
  readonly all: readonly string[];
}

/** Told what opening a database did to its schema. */
export type OnMigrated = (report: MigrationReport) => void;

/**
 * Brings the schema up to date. Processes starting together take turns, so one migrates and the
 * others find nothing left to do: on PostgreSQL under an advisory lock, on SQLite under the
 * database's write lock.
 */
export async function migrate(db: Kysely<Database>, schema?: string): Promise<MigrationReport> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return migrateSqlite(db);
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      // Under the lock too: `create schema if not exists` is not safe against a concurrent twin.
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(connection);
      // Named, or Kysely may take another schema's migration table for ours.
      return await migrateToLatest(connection, schema ?? 'public');
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}

/**
 * Kysely's migrator takes no lock on SQLite and runs each statement on its own. Inside one
 * BEGIN IMMEDIATE, the write lock is held before the migrator reads what was applied: a second
 * process waits for it (the connection's busy timeout), then finds everything applied; and a
 * migration that fails leaves nothing half done.
 */
async function migrateSqlite(db: Kysely<Database>): Promise<MigrationReport> {
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const report = await migrateToLatest(connection);
      await sql`commit`.execute(connection);
      return report;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

async function migrateToLatest(db: Kysely<Database>, migrationTableSchema?: string): Promise<MigrationReport> {
  const { error, results = [] } = await new Migrator({
    db,
    provider: migrationProvider,
    migrationTableSchema,
  }).migrateToLatest();
  if (error) throw error;
  return {
    applied: results.map((result) => result.migrationName),
    all: Object.keys(await migrationProvider.getMigrations()).sort(),
  };
}

/**
 * The dialect with an introspector that sees only `schema`. Kysely's migrator finds its own tables
 * through the introspector, whose PostgreSQL query reads every schema of the database and fails
 * when another deployment (or test) drops one of them meanwhile.
 */
export function introspectingOnly(schema: string, dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => dialect.createDriver(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => ownSchemaIntrospector(db, schema),
  };
}

function ownSchemaIntrospector(db: Kysely<unknown>, schema: string): DatabaseIntrospector {
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = ${schema} and c.relkind in ('r', 'p', 'v')`.execute(db);
    return rows.map(({ name, kind }) => ({ name, schema, isView: kind === 'v', columns: [] }));
  };
  return {
    getSchemas: async () =>
      (
        await sql<{
          name: string;
        }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db)
      ).rows,
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
}
