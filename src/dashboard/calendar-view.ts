import type { CalendarConfig } from '../config/config.types.js';
import { addDays } from '../engine/local-date.js';
import { dayInstants, workingRanges } from '../engine/schedule.js';
import type { ListedBooking } from '../store/booking.js';
import type { BookingFlags, TimeOffBlock } from './booking-flags.js';
import { bookingPath, contactName, floating, localTime, offsetText } from './present.js';
import { STRINGS } from './strings.js';

export type ViewKind = 'day' | 'week';

/** An event as @event-calendar reads it; times are floating wall times of the calendar's zone. */
interface CalendarEvent {
  readonly id?: string;
  readonly resourceIds: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly title?: string;
  readonly display?: 'background';
  readonly classNames: readonly string[];
  readonly extendedProps?: {
    readonly href: string;
    readonly time: string;
    readonly name: string;
    readonly flags: string[];
  };
}

/** What the browser script hands to the calendar component, from the page's JSON block. */
export interface CalendarViewData {
  readonly view: 'resourceTimeGridDay' | 'resourceTimeGridWeek';
  readonly date: string;
  /** The calendar's UTC offset on that date, for the component's "today" and "now". */
  readonly timeZone: string;
  readonly slotMinTime: string;
  readonly slotMaxTime: string;
  readonly resources: readonly { readonly id: string; readonly title: string }[];
  readonly events: readonly CalendarEvent[];
}

/** The local dates a view shows: the day, or its week from Monday. */
export function viewDates(view: ViewKind, date: string): string[] {
  if (view === 'day') return [date];
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  const monday = addDays(date, -weekday);
  return Array.from({ length: 7 }, (_, index) => addDays(monday, index));
}

/** The instants of the dates shown: from the first date's start to the last one's end. */
export function viewRange(zone: string, dates: readonly string[]): { from: number; to: number } {
  return { from: dayInstants(zone, dates[0]!).start, to: dayInstants(zone, dates[dates.length - 1]!).end };
}

/**
 * The resource columns of the dates shown: each resource's open hours as background, time off as
 * blocked background on its resource's column (every column for the whole calendar's), and each
 * booking as an event linking to its page, marked with its flags (outside hours, on time off).
 */
export function calendarViewData(
  calendar: CalendarConfig,
  view: ViewKind,
  dates: readonly string[],
  bookings: readonly ListedBooking[],
  timeOff: readonly TimeOffBlock[],
  flags: BookingFlags,
): CalendarViewData {
  const zone = calendar.timezone;
  const resourceIds = calendar.resources.map((resource) => resource.id);
  const schedules = new Map(calendar.resources.map((resource) => [resource.id, resource.schedule]));
  const openPieces = (resourceId: string, date: string) =>
    workingRanges(schedules.get(resourceId)!, zone, date).flatMap((range) => range);

  const open: CalendarEvent[] = calendar.resources.flatMap((resource) =>
    dates.flatMap((date) =>
      openPieces(resource.id, date).map((piece) => ({
        resourceIds: [resource.id],
        start: floating(zone, piece.start),
        end: floating(zone, piece.end),
        display: 'background' as const,
        classNames: ['open-hours'],
      })),
    ),
  );
  const blocked: CalendarEvent[] = timeOff.map((block) => ({
    resourceIds: block.resourceId === null ? resourceIds : [block.resourceId],
    start: floating(zone, block.start),
    end: floating(zone, block.end),
    title: block.note ?? STRINGS.timeOff,
    display: 'background',
    classNames: ['time-off'],
  }));
  const booked: CalendarEvent[] = bookings.map((booking) => {
    const bookingFlags = flags.get(booking.id) ?? [];
    const time = localTime(zone, booking.start);
    const name = contactName(booking);
    return {
      id: booking.id,
      resourceIds: [booking.resourceId],
      start: floating(zone, booking.start),
      end: floating(zone, booking.end),
      title: `${time} ${name}`,
      classNames: ['booking', ...(bookingFlags.length > 0 ? ['flagged'] : [])],
      extendedProps: { href: bookingPath(booking.id), time, name, flags: [...bookingFlags] },
    };
  });

  const events = [...open, ...blocked, ...booked];
  return {
    view: view === 'day' ? 'resourceTimeGridDay' : 'resourceTimeGridWeek',
    date: dates[0]!,
    timeZone: offsetText(zone, dayInstants(zone, dates[0]!).start + 12 * 3_600_000),
    // Time off may reach over whole days; the hours worth showing are the open ones and the booked ones.
    ...visibleHours([...open, ...booked]),
    resources: calendar.resources.map((resource) => ({ id: resource.id, title: resource.name })),
    events,
  };
}

/** From an hour before the earliest start shown to an hour after the latest end; 08:00-18:00 when empty. */
function visibleHours(events: readonly CalendarEvent[]): { slotMinTime: string; slotMaxTime: string } {
  if (events.length === 0) return { slotMinTime: '08:00', slotMaxTime: '18:00' };
  const minuteOf = (wall: string) => Number(wall.slice(11, 13)) * 60 + Number(wall.slice(14, 16));
  const first = Math.min(...events.map((event) => minuteOf(event.start)));
  const last = Math.max(
    ...events.map((event) => (event.end.slice(0, 10) > event.start.slice(0, 10) ? 24 * 60 : minuteOf(event.end))),
  );
  const from = Math.max(0, Math.floor(first / 60) - 1);
  const to = Math.min(24, Math.ceil(last / 60) + 1);
  const hour = (value: number) => `${String(value).padStart(2, '0')}:00`;
  return { slotMinTime: hour(from), slotMaxTime: hour(to) };
}
