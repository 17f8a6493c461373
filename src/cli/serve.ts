import pino from 'pino';
import { configWarnings } from '../config/config-warnings.js';
import { holdConfig } from '../config/live-config.js';
import { buildApp } from '../http/app.js';
import type { LineStream } from '../http/request-log.js';
import { batched } from '../shared/batch.js';
import { createSync } from '../sources/sync.service.js';
import { createReloader, logMisfits } from './reload.js';
import { resolveConfig, type ServeFlags } from './settings.js';
import {
  adminSummary,
  migrationSummary,
  NO_SIGNING_KEY,
  openDatabase,
  signingSummary,
  webhooksSummary,
} from './start-up.js';

/**
 * Starts the server; SIGTERM and SIGINT let in-flight requests finish and close the database,
 * SIGHUP reloads the config file (see reload.ts).
 */
export async function serve(flags: ServeFlags): Promise<void> {
  const { config, path } = resolveConfig(flags);
  const { store, migrated } = await openDatabase(config);
  const holder = holdConfig(config);
  const app = buildApp({
    config: holder,
    store,
    logger: { level: process.env.LOG_LEVEL ?? 'info', stream: stdoutLog() },
  });
  const sync = createSync({ config, store, log: app.log, onBusyChanged: app.availability.applyBusy });
  // Sync stops before the database closes.
  app.addHook('onClose', () => sync.stop());
  app.addHook('onClose', () => store.close());
  const calendars = config.calendars.map((calendar) => calendar.id);
  app.log.info({ config: path, calendars }, 'config loaded');
  app.log.info({ migrations: migrated.applied }, migrationSummary(migrated));
  for (const warning of configWarnings(config)) app.log.warn({ key: warning.keyPath }, warning.message);
  if (config.signingKeys.length === 0) {
    app.log.warn(NO_SIGNING_KEY);
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
  const reload = createReloader({ flags, holder, reconfigure: sync.reconfigure, store, log: app.log, now: Date.now });
  process.on('SIGHUP', () => {
    if (closing) return;
    app.log.info({ signal: 'SIGHUP' }, 'reloading the config file');
    void reload();
  });
  const address = await app.listen({ port: config.port, host: config.host });
  sync.start();
  await logMisfits(config, { store, log: app.log, now: Date.now });
  app.outbox.start();
  app.log.info({ address, calendars, database: config.database.split(':')[0] }, 'slotline ready');
}

/** Log lines held while stdout does not take them; past this, lines are dropped rather than memory grown. */
const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/** How long a log line may wait for others to be written with it. */
const LOG_BATCH_MS = 20;

/**
 * stdout, written asynchronously and in batches: the lines logged within LOG_BATCH_MS (under load,
 * the lines of hundreds of requests) go out in one write. A write is a system call and a hand-off
 * to a worker thread, which cost more than the line itself: under load, a write per line (or per
 * turn of the event loop) showed in /available's profile. Written synchronously, a line would
 * cost a system call in the request, and a full pipe (a log collector that falls behind) would put
 * the whole process to sleep for 100 ms at a time. What is queued is written out on exit.
 */
function stdoutLog(): LineStream {
  const destination = pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES });
  // In the order they were logged; a request's line is made here, when its batch goes out.
  const lines = batched<string | (() => string)>(
    (batch) => destination.write(batch.map((line) => (typeof line === 'string' ? line : line())).join('')),
    LOG_BATCH_MS,
  );
  // The destination writes what it holds on exit; the lines still waiting go to it first.
  process.on('exit', () => {
    lines.flush();
    try {
      destination.flushSync();
    } catch {
      // stdout is gone or will not take more: nothing is left to tell it.
    }
  });
  return { write: lines.add, writeLater: lines.add };
}
