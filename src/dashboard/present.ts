import { offsetAt, wallTimeInstant } from '../engine/zone.js';
import type { ListedBooking } from '../store/booking.js';
import { STRINGS } from './strings.js';

/**
 * The wall time of an instant in a zone, as an ISO date-time with no offset (`2026-12-02T10:00:00`):
 * the calendar component shows such "floating" times as they are, whatever the browser's zone.
 */
export function floating(zone: string, instant: number): string {
  return new Date(instant + offsetAt(zone, instant)).toISOString().slice(0, 19);
}

/** `HH:MM`, local to the zone. */
export function localTime(zone: string, instant: number): string {
  return floating(zone, instant).slice(11, 16);
}

/** `YYYY-MM-DD HH:MM`, local to the zone. */
export function localDateTime(zone: string, instant: number): string {
  return floating(zone, instant).slice(0, 16).replace('T', ' ');
}

/** The zone's offset at an instant as `+01:00`. */
export function offsetText(zone: string, instant: number): string {
  const minutes = Math.round(offsetAt(zone, instant) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0');
  return `${sign}${hours}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;
}

/** What to call a booking's contact: the name they gave, else their id, else a placeholder. */
export function contactName(booking: ListedBooking): string {
  const details = booking.contactDetails;
  const name =
    typeof details === 'object' && details !== null ? (details as Record<string, unknown>)['name'] : undefined;
  if (typeof name === 'string' && name.trim() !== '') return name.trim();
  return booking.contactId ?? booking.externalContactId ?? STRINGS.unnamed;
}

export function bookingPath(id: string): string {
  return `/admin/bookings/${encodeURIComponent(id)}`;
}

/** A calendar's day (or, with `view` week, its week) in the dashboard. */
export function calendarPath(id: string, date?: string, view: 'day' | 'week' = 'day'): string {
  const query = new URLSearchParams({ ...(date && { date }), ...(view === 'week' && { view }) }).toString();
  return `/admin/calendars/${encodeURIComponent(id)}${query && `?${query}`}`;
}

/** The form to add time off to a calendar, starting on `date`. */
export function timeOffPath(calendarId: string, date?: string): string {
  return `/admin/calendars/${encodeURIComponent(calendarId)}/time-off${date ? `?date=${date}` : ''}`;
}

/** The instant of a local date (`YYYY-MM-DD`) and time (`HH:MM`) in the zone; undefined when either is no such thing. */
export function instantOf(zone: string, date: string, time: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return undefined;
  const wall = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(wall) || new Date(wall).toISOString().slice(0, 16) !== `${date}T${time}`) return undefined;
  return wallTimeInstant(zone, wall);
}
