/** Config reload on SIGHUP, and the start-up and reload report of bookings the hours no longer hold. */
import { bookingsOutsideHours } from '../booking/misfits.js';
import { ConfigError } from '../config/config-error.js';
import { configWarnings } from '../config/config-warnings.js';
import type { Config } from '../config/config.types.js';
import type { ConfigHolder } from '../config/live-config.js';
import { formatInstant } from '../contract/timestamp.js';
import { errorMessage } from '../shared/error-message.js';
import type { BookingStore } from '../store/booking.store.js';
import { resolveConfig, type ServeFlags } from './settings.js';
import { NO_SIGNING_KEY } from './start-up.js';

export interface ReloadLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The most misfits one log line names; the count is always whole. */
const MISFITS_NAMED = 200;

/**
 * What a reload may change of the running process: everything but what it bound at start (its
 * socket, its database, and whether the admin routes exist). Answers `next` with those kept as
 * they were at start, and the keys, as the file names them, whose change needs a restart.
 */
export function runtimeChanges(atStart: Config, next: Config): { config: Config; restartNeeded: string[] } {
  const restartNeeded = [
    ...(next.port !== atStart.port ? ['port'] : []),
    ...(next.host !== atStart.host ? ['host'] : []),
    ...(next.database !== atStart.database ? ['database'] : []),
    ...(JSON.stringify(next.databasePool) !== JSON.stringify(atStart.databasePool) ? ['database_pool'] : []),
    // The API's routes are declared at start; without them there, new tokens would open nothing.
    ...(next.admin && !atStart.admin ? ['admin'] : []),
  ];
  const config = Object.freeze({
    ...next,
    port: atStart.port,
    host: atStart.host,
    database: atStart.database,
    databasePool: atStart.databasePool,
    admin: atStart.admin ? next.admin : undefined,
  });
  return { config, restartNeeded };
}

export interface ReloadDeps {
  /** How the process found its config at start: the same file, flags and environment. */
  readonly flags: ServeFlags;
  readonly holder: ConfigHolder;
  /** Also given the new config: syncs of sources added or removed. */
  readonly reconfigure: (config: Config) => Promise<void>;
  readonly store: Pick<BookingStore, 'activeBookings'>;
  readonly log: ReloadLog;
  readonly now: () => number;
}

/**
 * Reads the config file again and puts it in force for the next request; a file that does not
 * load is logged with its key path and changes nothing. Reloads run one at a time, in order.
 */
export function createReloader(deps: ReloadDeps): () => Promise<void> {
  const { flags, holder, log } = deps;
  const atStart = holder.current;
  let queue = Promise.resolve();

  const reload = async () => {
    let loaded: { config: Config; path: string };
    try {
      loaded = resolveConfig(flags);
    } catch (error) {
      const fields =
        error instanceof ConfigError ? { key: error.keyPath, reason: error.reason } : { reason: errorMessage(error) };
      log.error(fields, 'config reload failed: the config in force stays');
      return;
    }
    const { config, restartNeeded } = runtimeChanges(atStart, loaded.config);
    for (const key of restartNeeded) {
      log.warn({ key }, `restart needed: ${key} changed in the config file; the running value stays until a restart`);
    }
    holder.replace(config);
    for (const warning of configWarnings(config)) log.warn({ key: warning.keyPath }, warning.message);
    if (config.signingKeys.length === 0) log.warn({}, NO_SIGNING_KEY);
    log.info(
      {
        config: loaded.path,
        calendars: config.calendars.map((calendar) => calendar.id),
        signing_keys: config.signingKeys.length,
        admin_tokens: config.admin?.tokens.length ?? 0,
      },
      'config reloaded',
    );
    try {
      await deps.reconfigure(config);
    } catch (error) {
      log.warn({ err: error }, 'sources could not be brought in line with the reloaded config');
    }
    await logMisfits(config, deps);
  };

  return () => (queue = queue.then(reload));
}

/**
 * Logs, once, the active future bookings that their calendar's hours no longer hold: how many,
 * and their ids with calendar, resource and start (nothing about the contact). The business
 * moves or cancels them.
 */
export async function logMisfits(
  config: Config,
  { store, log, now }: Pick<ReloadDeps, 'store' | 'log' | 'now'>,
): Promise<void> {
  const at = now();
  try {
    const misfits = [];
    for (const calendar of config.calendars) {
      const bookings = await store.activeBookings(calendar.id, at);
      for (const { booking, reason } of bookingsOutsideHours(calendar, bookings, at)) {
        misfits.push({
          id: booking.id,
          calendar: calendar.id,
          resource: booking.resourceId,
          start: formatInstant(booking.start),
          reason,
        });
      }
    }
    if (misfits.length === 0) {
      log.info({ misfits: 0 }, 'every future booking lies within its calendar hours');
      return;
    }
    log.warn(
      { misfits: misfits.length, bookings: misfits.slice(0, MISFITS_NAMED) },
      'future bookings outside their calendar hours: move or cancel them',
    );
  } catch (error) {
    log.warn({ err: error }, 'could not look for bookings outside their calendar hours');
  }
}
