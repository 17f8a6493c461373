import type { CalendarConfig } from '../config/config.types.js';
import type { Interval } from '../engine/interval.js';
import { errorMessage } from '../shared/error-message.js';
import type { BusyRange } from '../store/source.js';
import { createBusyExpander } from './busy-expander.js';
import { readEvents } from '../caldav/caldav.js';
import type { SyncLog } from './sync.service.js';

/** Per request; a read takes two requests, so a slow server costs at most twice this. */
const LIVE_TIMEOUT_MS = 1_000;

export type LiveBusy = (calendar: CalendarConfig, range: Interval) => Promise<BusyRange[]>;

/**
 * Asks the CalDAV calendars of a calendar's resources, right before a booking commits, what is
 * busy in the slot's range, so a meeting entered since the last sync is not double-booked. A
 * calendar that cannot answer in time is skipped, and then the synced data decides.
 */
export function liveBusyReader(log: SyncLog): LiveBusy & { close(): Promise<void> } {
  // Off the main thread like every expansion, and within the same time as each request (a cold
  // worker's start as well: the caller is waiting).
  const expander = createBusyExpander({ budgetMs: LIVE_TIMEOUT_MS, startupMs: LIVE_TIMEOUT_MS });
  const read: LiveBusy = async (calendar, range) => {
    const reads = calendar.resources.flatMap((resource) =>
      resource.sources
        .filter((source) => source.type === 'caldav')
        .map(async (source) => {
          try {
            const limits = { timeoutMs: LIVE_TIMEOUT_MS, maxBytes: source.maxBytes };
            const { objects } = await readEvents(source, range, limits);
            const busy = await expander.expand({ texts: objects, window: range, zone: calendar.timezone });
            return busy.map((interval) => ({ resourceId: resource.id, sourceId: source.id, ...interval }));
          } catch (error) {
            const reason = errorMessage(error);
            log.warn({ source: source.id, reason }, 'live check failed; the synced busy time decides');
            return [];
          }
        }),
    );
    return (await Promise.all(reads)).flat();
  };
  return Object.assign(read, { close: () => expander.close() });
}
