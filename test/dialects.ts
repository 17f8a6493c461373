import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The dialects the store and HTTP tests run on. `SLOTLINE_TEST_DIALECTS=sqlite` (or `postgres`)
 * narrows them. PostgreSQL comes from SLOTLINE_TEST_POSTGRES; each test database is a fresh
 * schema, dropped at the end. Without a reachable server the PostgreSQL tests are skipped, loudly,
 * except under CI=true, where that is a failure.
 */
export type Dialect = 'sqlite' | 'postgres';

export const POSTGRES_URL = process.env.SLOTLINE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

const wanted = (process.env.SLOTLINE_TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((name) => name.trim());

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (process.env.CI === 'true')
      throw new Error(`PostgreSQL at ${POSTGRES_URL} is unreachable under CI`, { cause: error });
    console.warn(`\n*** PostgreSQL at ${POSTGRES_URL} is unreachable: its tests are SKIPPED ***\n`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const DIALECTS: Dialect[] = [
  ...(wanted.includes('sqlite') ? (['sqlite'] as const) : []),
  ...(wanted.includes('postgres') && (await postgresReachable()) ? (['postgres'] as const) : []),
];

const folders: string[] = [];
const schemas: string[] = [];

/** A database URL nobody has used yet. */
export function freshDatabase(dialect: Dialect): string {
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'slotline-test-'));
    folders.push(folder);
    return `sqlite:${join(folder, 'slotline.db')}`;
  }
  const schema = `slotline_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  schemas.push(schema);
  return `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`;
}

export async function dropTestDatabases(): Promise<void> {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
