import type { PoolSettings } from '../config/config.types.js';
import type { OnMigrated } from './migrate.js';
import { openPostgresStore } from './postgres.store.js';
import { openSqliteStore } from './sqlite.store.js';
import type { Store } from './store.js';

/** Opens the store a database URL names, migrated to the latest schema; `onMigrated` hears what that did. */
export async function openStore(url: string, pool: PoolSettings, onMigrated?: OnMigrated): Promise<Store> {
  if (url.startsWith('sqlite:')) return openSqliteStore(url.slice('sqlite:'.length), onMigrated);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresStore(url, pool, onMigrated);
  throw new Error(`unsupported database URL "${url.split(':')[0]}:": use sqlite:PATH or postgres://...`);
}
