import { workingRanges, type Schedule } from '../engine/schedule.js';
import { localDateOf } from '../engine/zone.js';

/** What a misfit check needs of a calendar: its zone and each resource's hours (a `CalendarConfig` will do). */
export interface CalendarHours {
  readonly timezone: string;
  readonly resources: readonly { readonly id: string; readonly schedule: Schedule }[];
}

/** What a misfit check needs of a booking (a store `Booking` will do); without `status` it counts as active. */
export interface BookedTime {
  readonly id: string;
  readonly resourceId: string;
  readonly start: number;
  readonly end: number;
  readonly status?: string;
}

/**
 * Why a booking no longer fits: its resource's hours (weekly hours or a date's override, a
 * holiday say) do not hold it, or the config no longer has its resource.
 */
export type MisfitReason = 'outside_hours' | 'unknown_resource';

export interface Misfit<B extends BookedTime> {
  readonly booking: B;
  readonly reason: MisfitReason;
}

/**
 * The active bookings starting at or after `now` that the calendar's hours no longer hold, in the
 * order given. A booking fits when it lies wholly inside one working range of its resource on the
 * local date of its start, the rule slots are offered by (so a booking forced outside hours by an
 * operator is reported too). Pure: the caller reads the bookings and passes the clock.
 */
export function bookingsOutsideHours<B extends BookedTime>(
  calendar: CalendarHours,
  bookings: readonly B[],
  now: number,
): Misfit<B>[] {
  const schedules = new Map(calendar.resources.map((resource) => [resource.id, resource.schedule]));
  const misfits: Misfit<B>[] = [];
  for (const booking of bookings) {
    if ((booking.status ?? 'active') !== 'active' || booking.start < now) continue;
    const schedule = schedules.get(booking.resourceId);
    if (!schedule) misfits.push({ booking, reason: 'unknown_resource' });
    else if (!withinHours(schedule, calendar.timezone, booking)) misfits.push({ booking, reason: 'outside_hours' });
  }
  return misfits;
}

/** Whether [start, end) lies inside one piece of one of the day's working ranges. */
function withinHours(schedule: Schedule, zone: string, { start, end }: BookedTime): boolean {
  return workingRanges(schedule, zone, localDateOf(zone, start)).some((pieces) =>
    pieces.some((piece) => piece.start <= start && end <= piece.end),
  );
}
