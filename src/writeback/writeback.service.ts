import { bookingObject, bookingUid } from '../booking-ical/booking-event.js';
import { deleteEvent, putEvent } from '../caldav/caldav.js';
import type { CalendarConfig, Config, SourceConfig } from '../config/config.types.js';
import { errorMessage } from '../shared/error-message.js';
import type { BookingStore } from '../store/booking.store.js';
import type { WritebackStore } from '../store/writeback.store.js';

/** How often queued write-backs are looked for, and the longest wait between two tries of one. */
const WRITEBACK_EVERY_MS = 5_000;
const WRITEBACK_MAX_RETRY_MS = 3_600_000;
/** The first retry after a failure; each further failure doubles it. */
const FIRST_RETRY_MS = 15_000;

export interface WritebackLog {
  warn(fields: object, message: string): void;
}

/**
 * Writes bookings back to the CalDAV calendars configured with `write_bookings`: the booking
 * service queues a write-back in the same transaction as the booking, and this carries it out
 * later, so a slow or failing calendar never holds up or undoes a booking.
 */
export function createWriteback(options: {
  config: Config;
  /** Each write-back reads the booking it writes. */
  store: WritebackStore & Pick<BookingStore, 'bookingById'>;
  log: WritebackLog;
  now: () => number;
}) {
  const { store, log, now } = options;
  let targets = writeTargets(options.config);
  let started = false;
  let timer: NodeJS.Timeout | undefined;

  /** Flushes every few seconds while started and some source takes bookings. */
  function keepFlushing(): void {
    if (started && targets.size > 0 && !timer) {
      timer = setInterval(() => {
        flush().catch((error: unknown) => log.warn({ err: error }, 'write-backs could not run'));
      }, WRITEBACK_EVERY_MS);
      timer.unref();
    } else if ((!started || targets.size === 0) && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  /**
   * Carries out queued write-backs: a booking becomes an event in the resource's CalDAV calendar,
   * a replaced one is removed. A failure is retried later and never touches the booking itself.
   */
  async function flush(): Promise<number> {
    const at = now();
    let done = 0;
    for (const writeback of await store.claimWritebacks(at, at + 60_000, 20)) {
      const target = targets.get(writeback.sourceId);
      try {
        if (target) {
          const booking = await store.bookingById(writeback.bookingId);
          // The event belongs where the booking is now, whatever order its puts and deletes run in:
          // a booking replaced, cancelled or moved to another resource since has its delete queued,
          // and one moved back here has its put queued again.
          const belongsHere = booking?.status === 'active' && booking.resourceId === target.resourceId;
          if (writeback.action === 'put' && belongsHere) {
            await putEvent(target.source, bookingUid(booking.id), bookingObject(target.calendar, booking));
          } else if (writeback.action === 'delete' && !belongsHere) {
            await deleteEvent(target.source, bookingUid(writeback.bookingId));
          }
        }
        await store.writebackDone(writeback, now());
        done++;
      } catch (error) {
        const reason = errorMessage(error);
        const retryIn = Math.min(WRITEBACK_MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** writeback.attempts);
        await store.writebackFailed(writeback, reason, now() + retryIn);
        log.warn({ source: writeback.sourceId, action: writeback.action, reason }, 'write-back failed; will retry');
      }
    }
    return done;
  }

  return {
    flush,
    /** Flushes every few seconds until `stop`; does nothing while no source takes bookings. */
    start(): void {
      started = true;
      keepFlushing();
    },
    stop(): void {
      started = false;
      keepFlushing();
    },
    /** Writes to the sources of `config` from now on (a reload); a queued write to a source gone is dropped. */
    reconfigure(config: Config): void {
      targets = writeTargets(config);
      keepFlushing();
    },
  };
}

/** The CalDAV sources that take bookings, by source id. */
function writeTargets(
  config: Config,
): Map<string, { calendar: CalendarConfig; resourceId: string; source: SourceConfig }> {
  return new Map(
    config.calendars.flatMap((calendar) =>
      calendar.resources.flatMap((resource) =>
        resource.sources
          .filter((source) => source.writeBookings)
          .map((source) => [source.id, { calendar, resourceId: resource.id, source }] as const),
      ),
    ),
  );
}
