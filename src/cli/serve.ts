import { configWarnings } from '../config/config.loader.js';
import { buildApp } from '../http/app.js';
import { createSync } from '../sources/sync.service.js';
import { openStore } from '../store/open-store.js';
import { resolveConfig, type ServeFlags } from './settings.js';

/** Starts the server; SIGTERM and SIGINT let in-flight requests finish and close the database. */
export async function serve(flags: ServeFlags): Promise<void> {
  const config = resolveConfig(flags);
  const store = await openStore(config.database, config.databasePool);
  const app = buildApp({ config, store, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  const sync = createSync({ config, store, log: app.log });
  // Sync stops before the database closes.
  app.addHook('onClose', () => sync.stop());
  app.addHook('onClose', () => store.close());
  for (const warning of configWarnings(config)) app.log.warn({ key: warning.keyPath }, warning.message);
  if (config.signingKeys.length === 0) {
    app.log.warn(
      'NO SIGNING KEY CONFIGURED: unsigned requests are accepted. Set signing_keys (TELLI_API_KEY) before going live.',
    );
  }
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
  await app.listen({ port: config.port, host: config.host });
  sync.start();
  const calendars = config.calendars.map((calendar) => calendar.id);
  app.log.info({ calendars, database: config.database.split(':')[0] }, 'slotline ready');
}
