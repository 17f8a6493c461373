import { configWarnings } from '../config/config-warnings.js';
import { buildApp } from '../http/app.js';
import { createSync } from '../sources/sync.service.js';
import { resolveConfig, type ServeFlags } from './settings.js';
import { adminSummary, migrationSummary, openDatabase, signingSummary, webhooksSummary } from './start-up.js';

/** Starts the server; SIGTERM and SIGINT let in-flight requests finish and close the database. */
export async function serve(flags: ServeFlags): Promise<void> {
  const { config, path } = resolveConfig(flags);
  const { store, migrated } = await openDatabase(config);
  const app = buildApp({ config, store, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  const sync = createSync({ config, store, log: app.log });
  // Sync stops before the database closes.
  app.addHook('onClose', () => sync.stop());
  app.addHook('onClose', () => store.close());
  const calendars = config.calendars.map((calendar) => calendar.id);
  app.log.info({ config: path, calendars }, 'config loaded');
  app.log.info({ migrations: migrated.applied }, migrationSummary(migrated));
  for (const warning of configWarnings(config)) app.log.warn({ key: warning.keyPath }, warning.message);
  if (config.signingKeys.length === 0) {
    app.log.warn(
      'NO SIGNING KEY CONFIGURED: unsigned requests are accepted. Set signing_keys (TELLI_API_KEY) before going live.',
    );
  } else {
    app.log.info({ signing_keys: config.signingKeys.length }, signingSummary(config));
  }
  app.log.info({ admin_tokens: config.admin?.tokens.length ?? 0 }, adminSummary(config));
  app.log.info({ webhooks: config.webhooks.length }, webhooksSummary(config));
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  const address = await app.listen({ port: config.port, host: config.host });
  sync.start();
  app.outbox.start();
  app.log.info({ address, calendars, database: config.database.split(':')[0] }, 'slotline ready');
}
