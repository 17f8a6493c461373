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
 * Brings the schema up to date. On PostgreSQL, processes starting together take turns under an
 * advisory lock, so one migrates and the others find nothing left to do.
 */
export async function migrate(db: Kysely<Database>, schema?: string): Promise<MigrationReport> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return migrateToLatest(db);
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
