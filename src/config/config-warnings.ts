import { formatPath } from './config-error.js';
import type { CalendarConfig, Config } from './config.types.js';

/** A setting that is valid but probably not meant; the config loads, and the commands show it. */
export interface ConfigWarning {
  readonly keyPath: string;
  readonly message: string;
}

const DAY_MS = 86_400_000;

/**
 * Resources times days of horizon beyond which a listing of all of a calendar's days takes more
 * than 200 ms on a small machine: the engine looks at every resource on every day once when it
 * lists a calendar's slots after start or after another process's booking (bench/README.md,
 * engine phase (e): 50 resources over 730 days, 36,500, take 35-130 ms in the engine alone).
 */
export const MAX_RESOURCE_DAYS = 50_000;

/** What `validate-config` and `serve` warn about in a loaded config. */
export function configWarnings(config: Config): ConfigWarning[] {
  return config.calendars.flatMap((calendar, index) => [
    ...intervalWarning(calendar, index),
    ...sizeWarning(calendar, index),
  ]);
}

const minutes = (ms: number) => `${ms / 60_000} min`;

function intervalWarning(calendar: CalendarConfig, index: number): ConfigWarning[] {
  const blocked = calendar.bufferBefore + calendar.duration + calendar.bufferAfter;
  if (calendar.interval >= blocked) return [];
  return [
    {
      keyPath: formatPath(['calendars', index, 'interval']),
      message:
        `${minutes(calendar.interval)} is shorter than duration + buffer_before + buffer_after ` +
        `(${minutes(blocked)}): a booking also takes the next offered start on its resource`,
    },
  ];
}

function sizeWarning(calendar: CalendarConfig, index: number): ConfigWarning[] {
  const days = Math.ceil(calendar.horizon / DAY_MS);
  const resourceDays = calendar.resources.length * days;
  if (resourceDays <= MAX_RESOURCE_DAYS) return [];
  const count = (n: number) => n.toLocaleString('en-US');
  return [
    {
      keyPath: formatPath(['calendars', index, 'horizon']),
      message:
        `${count(calendar.resources.length)} resources over ${count(days)} days are ${count(resourceDays)} ` +
        `resource-days, more than ${count(MAX_RESOURCE_DAYS)}: /available after a start or another ` +
        `process's booking can take longer than 200 ms; shorten the horizon or split the resources over calendars`,
    },
  ];
}
