import { formatPath } from './config-error.js';
import type { Config } from './config.types.js';

/** A setting that is valid but probably not meant; the config loads, and the commands show it. */
export interface ConfigWarning {
  readonly keyPath: string;
  readonly message: string;
}

/** What `validate-config` and `serve` warn about in a loaded config. */
export function configWarnings(config: Config): ConfigWarning[] {
  const minutes = (ms: number) => `${ms / 60_000} min`;
  return config.calendars.flatMap((calendar, index) => {
    const blocked = calendar.bufferBefore + calendar.duration + calendar.bufferAfter;
    if (calendar.interval >= blocked) return [];
    return {
      keyPath: formatPath(['calendars', index, 'interval']),
      message:
        `${minutes(calendar.interval)} is shorter than duration + buffer_before + buffer_after ` +
        `(${minutes(blocked)}): a booking also takes the next offered start on its resource`,
    };
  });
}
