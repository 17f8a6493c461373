import type { CalendarConfig } from '../config/config.types.js';
import type { Interval } from '../engine/interval.js';
import type { BusyRange } from '../store/store.js';
import { readEvents } from './caldav.js';
import { busyFromIcalObjects } from './ical-busy.js';
import { isOwnEvent } from './own-events.js';
import type { SyncLog } from './sync.service.js';

/** Per request; a read takes two requests, so a slow server costs at most twice this. */
const LIVE_TIMEOUT_MS = 1_000;

export type LiveBusy = (calendar: CalendarConfig, range: Interval) => Promise<BusyRange[]>;

/**
 * Asks the CalDAV calendars of a calendar's resources, right before a booking commits, what is
 * busy in the slot's range, so a meeting entered since the last sync is not double-booked. A
 * calendar that cannot answer in time is skipped, and then the synced data decides.
 */
export function liveBusyReader(log: SyncLog): LiveBusy {
  return async (calendar, range) => {
    const reads = calendar.resources.flatMap((resource) =>
      resource.sources
        .filter((source) => source.type === 'caldav')
        .map(async (source) => {
          try {
            const { objects } = await readEvents(source, range, { timeoutMs: LIVE_TIMEOUT_MS });
            const options = { window: range, zone: calendar.timezone, ignoreUid: isOwnEvent };
            return busyFromIcalObjects(objects, options).map((busy) => ({ resourceId: resource.id, ...busy }));
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            log.warn({ source: source.id, reason }, 'live check failed; the synced busy time decides');
            return [];
          }
        }),
    );
    return (await Promise.all(reads)).flat();
  };
}
