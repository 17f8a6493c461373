import { randomUUID } from 'node:crypto';
import type { CalendarConfig } from '../config/config.types.js';
import type { LiveConfig } from '../config/live-config.js';
import { datesBetween } from '../engine/local-date.js';
import { localDateOf } from '../engine/zone.js';
import type { BookingRecord } from '../store/booking.js';
import type { TimeOff, TimeOffFilter } from '../store/time-off.js';
import type { TimeOffStore } from '../store/time-off.store.js';

/** Longest time off one entry may hold: adding it locks each of its days (see TimeOffStore.addTimeOff). */
export const MAX_TIME_OFF_DAYS = 366;
const DAY_MS = 86_400_000;

export interface TimeOffRequest {
  readonly calendarId: string;
  /** Absent: the whole calendar. */
  readonly resourceId?: string;
  readonly start: number;
  readonly end: number;
  readonly note: string | null;
}

export type AddTimeOffOutcome =
  | { readonly status: 'added'; readonly timeOff: TimeOff; readonly conflicts: readonly BookingRecord[] }
  /** The request names something that does not exist or a range that is no range; `field` says which. */
  | { readonly status: 'invalid'; readonly field: 'calendar' | 'resource' | 'end_iso'; readonly detail: string };

export interface TimeOffService {
  /** Closes the time for `actor`. Bookings already in it stay booked and are answered as conflicts. */
  add(request: TimeOffRequest, actor: string): Promise<AddTimeOffOutcome>;
  /** Opens the time again; undefined for an unknown id. */
  remove(id: string, actor: string): Promise<TimeOff | undefined>;
  list(filter: TimeOffFilter): Promise<TimeOff[]>;
}

export interface TimeOffDeps {
  readonly config: LiveConfig;
  readonly store: TimeOffStore;
  readonly now: () => number;
}

/**
 * Time off the business enters. It is busy time: the store reads it with the busy time of
 * calendars elsewhere, and each change moves the calendar's change mark, so every process's
 * availability reads it again at its next request.
 */
export function createTimeOff({ config, store, now }: TimeOffDeps): TimeOffService {
  return {
    async add(request, actor) {
      const calendar = config.calendar(request.calendarId);
      if (!calendar) return invalid('calendar', 'No such calendar.');
      const { resourceId = null } = request;
      if (resourceId !== null && !calendar.resources.some((resource) => resource.id === resourceId)) {
        return invalid('resource', `No resource ${resourceId} in calendar ${calendar.id}.`);
      }
      if (request.end <= request.start) return invalid('end_iso', '`end_iso` must be after `start_iso`.');
      if (request.end - request.start > MAX_TIME_OFF_DAYS * DAY_MS) {
        return invalid('end_iso', `Time off spans at most ${MAX_TIME_OFF_DAYS} days; enter a longer one in parts.`);
      }
      const timeOff: TimeOff = {
        id: randomUUID(),
        calendarId: calendar.id,
        resourceId,
        start: request.start,
        end: request.end,
        note: request.note,
        createdAt: now(),
        createdBy: actor,
      };
      const { conflicts } = await store.addTimeOff({ timeOff, days: daysOfBookingsOverlapping(calendar, timeOff) });
      return { status: 'added', timeOff, conflicts };
    },
    remove: (id, actor) => store.removeTimeOff({ id, actor, now: now() }),
    list: (filter) => store.timeOffs(filter),
  };
}

const invalid = (field: 'calendar' | 'resource' | 'end_iso', detail: string): AddTimeOffOutcome => ({
  status: 'invalid',
  field,
  detail,
});

/**
 * The local dates on which a booking overlapping the range may start: a booking is decided under
 * the lock of its start's date, and one that starts before the range may reach into it.
 */
function daysOfBookingsOverlapping(calendar: CalendarConfig, range: { start: number; end: number }): string[] {
  const reach = calendar.duration + calendar.bufferBefore + calendar.bufferAfter;
  return datesBetween(
    localDateOf(calendar.timezone, range.start - reach),
    localDateOf(calendar.timezone, range.end + calendar.bufferBefore),
  );
}
