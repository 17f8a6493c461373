import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { introspectingOnly } from '../../src/store/migrate.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { freshDatabase, type Dialect } from '../dialects.js';

/** A fresh database migrated up to `migration` only, as an older Slotline left it; destroy `db` when done with it. */
export async function databaseAt(dialect: Dialect, migration: string): Promise<{ url: string; db: Kysely<any> }> {
  const url = freshDatabase(dialect);
  if (dialect === 'sqlite') {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.slice(7)) }) });
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo(migration);
    if (error) throw error;
    return { url, db };
  }
  const schema = new URL(url).searchParams.get('schema')!;
  const pool = new pg.Pool({ connectionString: url.split('?')[0], options: `-c search_path=${schema},public` });
  const db = new Kysely<any>({ dialect: introspectingOnly(schema, new PostgresDialect({ pool })) });
  await db.schema.createSchema(schema).execute();
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
  const { error } = await migrator.migrateTo(migration);
  if (error) throw error;
  return { url, db };
}
