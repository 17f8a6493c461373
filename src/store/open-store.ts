import { openSqliteStore } from './sqlite.store.js';
import type { Store } from './store.js';

/** Opens the store a database URL names, migrated to the latest schema. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite:')) return openSqliteStore(url.slice('sqlite:'.length));
  throw new Error(`unsupported database URL: ${url.split(':')[0]}: (use sqlite:PATH)`);
}
