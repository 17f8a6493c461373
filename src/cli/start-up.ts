/** What the commands open at start-up, and what they tell the operator about it. */
import type { Config } from '../config/config.types.js';
import type { MigrationReport } from '../store/migrate.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/** Opens the config's database, migrated to the latest schema, with what migrating it did. */
export async function openDatabase(config: Config): Promise<{ store: Store; migrated: MigrationReport }> {
  let migrated: MigrationReport = { applied: [], all: [] };
  const store = await openStore(config.database, config.databasePool, (report) => (migrated = report));
  return { store, migrated };
}

/** One line that says what migrating did, naming the migrations. */
export function migrationSummary({ applied, all }: MigrationReport): string {
  if (applied.length === 0) return `database is up to date, nothing to apply (latest migration ${all.at(-1)})`;
  const names = applied.join(', ');
  if (applied.length === all.length) return `created the database schema: applied ${names}`;
  return `applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${names}`;
}

/** Said at start, and after a reload, whenever no key is configured. */
export const NO_SIGNING_KEY =
  'NO SIGNING KEY CONFIGURED: unsigned requests are accepted. Set signing_keys (TELLI_API_KEY) before going live.';

/** Whether requests must be signed, and with how many keys; never the keys. */
export function signingSummary(config: Config): string {
  const keys = config.signingKeys.length;
  if (keys === 0) return 'request signing OFF: no signing key configured, unsigned requests are accepted';
  return `request signing on: ${keys} key${keys === 1 ? '' : 's'}, unsigned or wrongly signed requests get 401`;
}

/** Whether the business's API is served, and to how many tokens; never the tokens. */
export function adminSummary(config: Config): string {
  if (!config.admin)
    return 'admin API off: no admin section, /api/v1, /openapi.json, /docs and the dashboard /admin answer 404';
  const tokens = config.admin.tokens.length;
  return `admin API on: ${tokens} token${tokens === 1 ? '' : 's'}, /api/v1 needs one as a bearer token; docs at /docs; dashboard at /admin`;
}

/** Where events go, by host only: a URL may hold a secret. */
export function webhooksSummary(config: Config): string {
  if (config.webhooks.length === 0) return 'webhooks off: no endpoint configured';
  const hosts = config.webhooks.map((endpoint) => new URL(endpoint.url).host).join(', ');
  return `webhooks on: ${config.webhooks.length} endpoint${config.webhooks.length === 1 ? '' : 's'} (${hosts})`;
}
