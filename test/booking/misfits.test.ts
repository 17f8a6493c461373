import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bookingsOutsideHours, type BookedTime } from '../../src/booking/misfits.js';
import { parseConfig } from '../../src/config/config.loader.js';
import type { CalendarConfig } from '../../src/config/config.types.js';
import { everyDay, minutes } from '../engine/fixtures.js';

const at = (text: string) => Date.parse(text);
/** Monday 2026-12-07, 08:00 in Berlin. */
const NOW = at('2026-12-07T07:00:00Z');

/** Berlin, 30-minute slots; anna keeps the calendar's hours, ben has his own and a day off. */
function physio(hours: Record<string, string[]>, overrides: Record<string, string[]> = {}): CalendarConfig {
  const config = parseConfig(
    stringify({
      calendars: [
        {
          id: 'physio',
          timezone: 'Europe/Berlin',
          duration: '30m',
          hours,
          overrides,
          resources: [
            { id: 'anna' },
            { id: 'ben', hours: { 'mon-fri': ['12:00-18:00'] }, overrides: { '2026-12-09': [] } },
          ],
        },
      ],
    }),
    {},
  );
  return config.calendars[0]!;
}

let next = 0;
/** A 30-minute booking at a UTC instant (Berlin is UTC+1 in December). */
function booking(resourceId: string, startUtc: string, extra: Partial<BookedTime> = {}): BookedTime {
  const start = at(startUtc);
  return { id: `b${++next}`, resourceId, start, end: start + minutes(30), ...extra };
}

const ids = (misfits: { booking: BookedTime }[]) => misfits.map((misfit) => misfit.booking.id);

describe('bookingsOutsideHours', () => {
  it('should report nothing when every booking lies inside its resource hours', () => {
    const calendar = physio({ 'mon-fri': ['09:00-17:00'] });
    const bookings = [
      booking('anna', '2026-12-07T08:00:00Z'), // 09:00-09:30 local
      booking('anna', '2026-12-07T15:30:00Z'), // 16:30-17:00, ends with the day
      booking('ben', '2026-12-08T11:00:00Z'), // 12:00-12:30
    ];
    expect(bookingsOutsideHours(calendar, bookings, NOW)).toEqual([]);
  });

  it('should report bookings that shortened hours no longer hold, by their resource hours', () => {
    const calendar = physio({ 'mon-fri': ['09:00-12:00'] });
    const morning = booking('anna', '2026-12-07T08:00:00Z');
    const afternoon = booking('anna', '2026-12-07T13:00:00Z'); // 14:00 local
    const overEnd = booking('anna', '2026-12-07T10:45:00Z'); // 11:45-12:15 local: half outside
    const benAfternoon = booking('ben', '2026-12-07T13:00:00Z'); // ben's own hours still hold it
    const misfits = bookingsOutsideHours(calendar, [morning, afternoon, overEnd, benAfternoon], NOW);
    expect(misfits).toEqual([
      { booking: afternoon, reason: 'outside_hours' },
      { booking: overEnd, reason: 'outside_hours' },
    ]);
  });

  it('should report bookings on a closed date: a calendar holiday and a resource day off', () => {
    const calendar = physio({ 'mon-fri': ['09:00-17:00'] }, { '2026-12-08': [] });
    const holiday = booking('anna', '2026-12-08T09:00:00Z');
    const benOff = booking('ben', '2026-12-09T12:00:00Z');
    const benWorks = booking('ben', '2026-12-10T12:00:00Z');
    expect(ids(bookingsOutsideHours(calendar, [holiday, benOff, benWorks], NOW))).toEqual([holiday.id, benOff.id]);
  });

  it('should report a booking whose resource the config no longer has', () => {
    const calendar = physio({ 'mon-fri': ['09:00-17:00'] });
    const gone = booking('carla', '2026-12-07T08:00:00Z');
    expect(bookingsOutsideHours(calendar, [gone], NOW)).toEqual([{ booking: gone, reason: 'unknown_resource' }]);
  });

  it('should leave out past, cancelled and replaced bookings', () => {
    const calendar = physio({ 'mon-fri': ['09:00-10:00'] });
    const past = booking('anna', '2026-12-04T13:00:00Z');
    const begun = booking('anna', '2026-12-07T06:45:00Z'); // started before now
    const cancelled = booking('anna', '2026-12-07T13:00:00Z', { status: 'cancelled' });
    const replaced = booking('anna', '2026-12-07T14:00:00Z', { status: 'replaced' });
    const active = booking('anna', '2026-12-07T15:00:00Z', { status: 'active' });
    expect(ids(bookingsOutsideHours(calendar, [past, begun, cancelled, replaced, active], NOW))).toEqual([active.id]);
  });

  it('should judge by wall time across a daylight-saving change, as the slot grid does', () => {
    // Berlin falls back on 2026-10-25: 01:00-04:00 local lasts four hours of real time.
    const calendar = { timezone: 'Europe/Berlin', resources: [{ id: 'night', schedule: everyDay(['01:00-04:00']) }] };
    const now = at('2026-10-24T00:00:00Z');
    const inRepeatedHour = booking('night', '2026-10-25T01:00:00Z'); // 02:00 local, the second time
    const lastSlot = booking('night', '2026-10-25T02:30:00Z'); // 03:30-04:00 local
    const afterClose = booking('night', '2026-10-25T03:00:00Z'); // 04:00 local
    const misfits = bookingsOutsideHours(calendar, [inRepeatedHour, lastSlot, afterClose], now);
    expect(ids(misfits)).toEqual([afterClose.id]);
  });
});
