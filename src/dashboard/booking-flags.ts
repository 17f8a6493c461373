import { bookingsOutsideHours } from '../booking/misfits.js';
import type { CalendarConfig } from '../config/config.types.js';
import type { ListedBooking } from '../store/booking.js';
import { STRINGS } from './strings.js';

/** Time a resource (or, with no resource, the whole calendar) is closed, as the dashboard shows it. */
export interface TimeOffBlock {
  readonly id: string;
  readonly calendarId: string;
  readonly resourceId: string | null;
  readonly start: number;
  readonly end: number;
  readonly note: string | null;
}

/** Why a booking needs the front desk's attention, as labels; none for most. */
export type BookingFlags = ReadonlyMap<string, readonly string[]>;

/**
 * The labels of bookings that need attention: active ones on time off of their resource (or of
 * their whole calendar), and future active ones the hours no longer hold, as `booking/misfits.ts`
 * decides for the log at start and reload, so the dashboard and the log always agree.
 */
export function bookingFlags(
  calendar: CalendarConfig | undefined,
  bookings: readonly ListedBooking[],
  timeOff: readonly TimeOffBlock[],
  now: number,
): BookingFlags {
  const flags = new Map<string, string[]>();
  const add = (id: string, label: string) => flags.set(id, [...(flags.get(id) ?? []), label]);
  if (calendar) {
    for (const { booking, reason } of bookingsOutsideHours(calendar, bookings, now)) {
      add(booking.id, reason === 'outside_hours' ? STRINGS.outsideHours : STRINGS.resourceGone);
    }
  }
  for (const booking of bookings) {
    const onTimeOff = timeOff.some(
      (block) =>
        block.calendarId === booking.calendarId &&
        (block.resourceId === null || block.resourceId === booking.resourceId) &&
        block.start < booking.end &&
        booking.start < block.end,
    );
    if (booking.status === 'active' && onTimeOff) add(booking.id, STRINGS.onTimeOff);
  }
  return flags;
}
