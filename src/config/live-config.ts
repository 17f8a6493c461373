import type { CalendarConfig, Config } from './config.types.js';

/**
 * The config in force. A reload (SIGHUP) replaces it as a whole, so whoever serves requests reads
 * `current` when a request comes and keeps nothing derived from it past that request: the next
 * request after a reload sees the new config. What is worth deriving once per config goes through
 * `perConfig`.
 */
export interface LiveConfig {
  readonly current: Config;
  /** The current config's calendar with this id. */
  calendar(id: string): CalendarConfig | undefined;
}

export interface ConfigHolder extends LiveConfig {
  /** Puts `next` in force for every request that starts from now on. */
  replace(next: Config): void;
}

export function holdConfig(initial: Config): ConfigHolder {
  let current = initial;
  return {
    get current() {
      return current;
    },
    calendar: (id) => calendarsById(current).get(id),
    replace(next) {
      current = next;
    },
  };
}

/** Config as it is, or as a holder: a fixed config is a holder that is never replaced. */
export function liveConfigOf(config: Config | LiveConfig): LiveConfig {
  return 'current' in config ? config : holdConfig(config);
}

/** `derive` memoised per config object: computed again only after a reload replaced the config. */
export function perConfig<T>(derive: (config: Config) => T): (config: Config) => T {
  const made = new WeakMap<Config, T>();
  return (config) => {
    if (made.has(config)) return made.get(config)!;
    const value = derive(config);
    made.set(config, value);
    return value;
  };
}

/** A config's calendars by id. */
export const calendarsById = perConfig(
  (config) => new Map(config.calendars.map((calendar) => [calendar.id, calendar])),
);
