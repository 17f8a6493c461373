import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { busyFromIcal, busyFromIcalObjects, IcalParseError, type BusyOptions } from '../../src/sources/ical-busy.js';
import type { Interval } from '../../src/engine/interval.js';
import {
  APPLE_START_OFF_RULE,
  CALDAV_OBJECTS,
  CUSTOM_ZONE_UNDEFINED,
  EDGES_AND_ENDLESS,
  ENDLESS_SINCE_2010,
  FLOATING,
  GOOGLE_WEEKLY_BERLIN,
  HTML_LOGIN_PAGE,
  NEW_YORK_DST_EDGES,
  NEW_YORK_WITH_VTIMEZONE,
  NEW_YORK_WITHOUT_VTIMEZONE,
  NEXTCLOUD_ALL_DAY,
  NEXTCLOUD_RDATE,
  OUTLOOK_CUSTOM_ZONE,
  OUTLOOK_STATUSES,
  OUTLOOK_WINDOWS_ZONE_WITHOUT_VTIMEZONE,
  START_ONLY,
  TRUNCATED,
  VCARD,
  WITH_OWN_BOOKING,
} from './fixtures.js';

const at = (iso: string) => Date.parse(iso);

/** Busy time as readable ISO pairs. */
const iso = (intervals: readonly Interval[]) =>
  intervals.map(({ start, end }) => [new Date(start).toISOString(), new Date(end).toISOString()]);

const options = (from: string, to: string, zone = 'Europe/Berlin'): BusyOptions => ({
  window: { start: at(from), end: at(to) },
  zone,
});

describe('busyFromIcal', () => {
  describe('recurrence', () => {
    it('should expand a weekly series without its EXDATE and with moved occurrences at their new time', () => {
      const busy = busyFromIcal(GOOGLE_WEEKLY_BERLIN, options('2026-03-01T00:00:00Z', '2026-04-13T00:00:00Z'));

      expect(iso(busy)).toEqual([
        ['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z'],
        ['2026-03-09T09:00:00.000Z', '2026-03-09T10:00:00.000Z'],
        // 03-16 is excluded; 03-23 10:00 moved to 03-24 15:00 CET
        ['2026-03-24T14:00:00.000Z', '2026-03-24T15:00:00.000Z'],
        // summer time from 03-29: 10:00 CEST
        ['2026-03-30T08:00:00.000Z', '2026-03-30T09:00:00.000Z'],
        ['2026-04-06T08:00:00.000Z', '2026-04-06T09:00:00.000Z'],
        // 04-13 lies after the window but was moved into it
        ['2026-04-10T10:00:00.000Z', '2026-04-10T11:00:00.000Z'],
      ]);
    });

    it('should not report an occurrence at its original time once it was moved out of the window', () => {
      expect(busyFromIcal(GOOGLE_WEEKLY_BERLIN, options('2026-03-23T00:00:00Z', '2026-03-24T00:00:00Z'))).toEqual([]);
      expect(iso(busyFromIcal(GOOGLE_WEEKLY_BERLIN, options('2026-04-11T00:00:00Z', '2026-04-21T00:00:00Z')))).toEqual([
        ['2026-04-20T08:00:00.000Z', '2026-04-20T09:00:00.000Z'],
      ]);
    });

    it('should add the occurrences of RDATE with the event duration', () => {
      const busy = busyFromIcal(NEXTCLOUD_RDATE, options('2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z'));

      expect(iso(busy)).toEqual([
        ['2026-05-04T07:00:00.000Z', '2026-05-04T08:00:00.000Z'],
        ['2026-05-07T12:00:00.000Z', '2026-05-07T13:00:00.000Z'],
        ['2026-05-12T07:00:00.000Z', '2026-05-12T08:00:00.000Z'],
      ]);
    });

    it('should count DTSTART as an occurrence when the RRULE does not match it', () => {
      const busy = busyFromIcal(APPLE_START_OFF_RULE, options('2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z'));

      expect(iso(busy).map(([start]) => start)).toEqual([
        '2026-05-06T10:00:00.000Z',
        '2026-05-07T10:00:00.000Z',
        '2026-05-14T10:00:00.000Z',
        '2026-05-21T10:00:00.000Z',
      ]);
    });
  });

  describe('status and transparency', () => {
    const busy = busyFromIcal(OUTLOOK_STATUSES, options('2026-05-04T00:00:00Z', '2026-05-09T00:00:00Z'));
    const starts = busy.map(({ start }) => new Date(start).toISOString());

    it('should leave out transparent and cancelled events', () => {
      expect(starts).not.toContain('2026-05-04T08:00:00.000Z');
      expect(starts).not.toContain('2026-05-04T10:00:00.000Z');
      expect(starts).toContain('2026-05-05T12:00:00.000Z');
    });

    it('should leave out a cancelled occurrence of a series but not the same time of another series', () => {
      const standUps = starts.filter((start) => start.endsWith('T07:00:00.000Z'));

      // 5 of the ops check-in and 4 of the stand-up: its 05-06 is cancelled
      expect(standUps).toHaveLength(9);
      expect(standUps.filter((start) => start.startsWith('2026-05-06'))).toHaveLength(1);
    });

    it('should count an override whose master is not in the calendar as an event of its own', () => {
      expect(iso(busy)).toContainEqual(['2026-05-07T14:00:00.000Z', '2026-05-07T15:00:00.000Z']);
    });
  });

  describe('time zones', () => {
    const newYorkFridays = [
      ['2026-10-16T13:00:00.000Z', '2026-10-16T13:30:00.000Z'],
      ['2026-10-23T13:00:00.000Z', '2026-10-23T13:30:00.000Z'],
      ['2026-10-30T13:00:00.000Z', '2026-10-30T13:30:00.000Z'],
      // daylight time ends 2026-11-01: 09:00 EST
      ['2026-11-06T14:00:00.000Z', '2026-11-06T14:30:00.000Z'],
      ['2026-11-13T14:00:00.000Z', '2026-11-13T14:30:00.000Z'],
      ['2026-11-20T14:00:00.000Z', '2026-11-20T14:30:00.000Z'],
    ];
    // The calendar's zone is Berlin on purpose: none of these times may fall back to it.
    const autumn = options('2026-10-15T00:00:00Z', '2026-11-21T00:00:00Z');

    it('should follow the VTIMEZONE of a TZID across the end of daylight time', () => {
      expect(iso(busyFromIcal(NEW_YORK_WITH_VTIMEZONE, autumn))).toEqual(newYorkFridays);
    });

    it('should resolve an IANA TZID without VTIMEZONE across the end of daylight time', () => {
      expect(iso(busyFromIcal(NEW_YORK_WITHOUT_VTIMEZONE, autumn))).toEqual(newYorkFridays);
    });

    it('should read skipped and repeated wall times as RFC 5545 says', () => {
      const busy = busyFromIcal(NEW_YORK_DST_EDGES, options('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'));

      expect(iso(busy)).toEqual([
        // 02:30 does not exist: read with the offset before the gap (EST), so 03:30 EDT
        ['2026-03-08T07:30:00.000Z', '2026-03-08T08:00:00.000Z'],
        // 01:30 happens twice: the first (EDT); 02:30 only once (EST)
        ['2026-11-01T05:30:00.000Z', '2026-11-01T07:30:00.000Z'],
      ]);
    });

    it('should map a common Windows zone name without VTIMEZONE to its IANA zone', () => {
      expect(iso(busyFromIcal(OUTLOOK_WINDOWS_ZONE_WITHOUT_VTIMEZONE, autumn))).toEqual(newYorkFridays);
    });

    it('should exclude an EXDATE given in UTC from a series in an undefined IANA zone', () => {
      const text = NEW_YORK_WITHOUT_VTIMEZONE.replace('RRULE:', 'EXDATE:20261106T140000Z\r\nRRULE:');

      expect(iso(busyFromIcal(text, autumn))).toEqual(
        newYorkFridays.filter(([start]) => !start!.startsWith('2026-11-06')),
      );
    });

    it('should resolve a custom TZID by its VTIMEZONE, and only within the calendar that defines it', () => {
      const june = options('2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z');

      expect(iso(busyFromIcal(OUTLOOK_CUSTOM_ZONE, june))).toEqual([
        ['2026-06-01T04:30:00.000Z', '2026-06-01T05:30:00.000Z'],
      ]);
      // Unknown elsewhere, so taken as the calendar's zone (Berlin, CEST)
      expect(iso(busyFromIcal(CUSTOM_ZONE_UNDEFINED, june))).toEqual([
        ['2026-06-01T08:00:00.000Z', '2026-06-01T09:00:00.000Z'],
      ]);
    });

    it("should read floating times in the calendar's zone", () => {
      const may5 = ['2026-05-05T00:00:00Z', '2026-05-06T00:00:00Z'] as const;

      expect(iso(busyFromIcal(FLOATING, options(...may5, 'America/Los_Angeles')))).toEqual([
        ['2026-05-05T16:00:00.000Z', '2026-05-05T17:00:00.000Z'],
      ]);
      expect(iso(busyFromIcal(FLOATING, options(...may5, 'Europe/Berlin')))).toEqual([
        ['2026-05-05T07:00:00.000Z', '2026-05-05T08:00:00.000Z'],
      ]);
    });
  });

  describe('all-day and start-only events', () => {
    it("should block whole local days in the calendar's zone, 23 and 25 hours long across DST", () => {
      const busy = busyFromIcal(NEXTCLOUD_ALL_DAY, options('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'));

      expect(iso(busy)).toEqual([
        // no DTEND: one day, the one summer time starts (23 hours)
        ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
        ['2026-06-14T22:00:00.000Z', '2026-06-15T22:00:00.000Z'],
        // 10-24 and 10-25, when summer time ends (24 + 25 hours)
        ['2026-10-23T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      ]);
    });

    it('should leave out a DATE-TIME event without end and honour DURATION', () => {
      const busy = busyFromIcal(START_ONLY, options('2026-05-05T00:00:00Z', '2026-05-06T00:00:00Z'));

      expect(iso(busy)).toEqual([['2026-05-05T13:00:00.000Z', '2026-05-05T14:30:00.000Z']]);
    });
  });

  describe('window and limits', () => {
    it('should return whole events overlapping the window and stop an endless series at its end', () => {
      const busy = busyFromIcal(EDGES_AND_ENDLESS, options('2026-06-01T00:00:00Z', '2026-06-01T09:00:00Z'));

      // the night shift, then one minute each from 08:00 to 08:59
      expect(busy).toHaveLength(1 + 60);
      expect(iso(busy.slice(0, 1))).toEqual([['2026-05-31T23:00:00.000Z', '2026-06-01T01:00:00.000Z']]);
      expect(iso(busy.slice(-1))).toEqual([['2026-06-01T08:59:00.000Z', '2026-06-01T09:00:00.000Z']]);
    });

    it('should give up, without hanging, on a series with too many occurrences before the window', () => {
      // 2010 to 2026 minute by minute; the test's timeout is what "without hanging" means
      const call = () => busyFromIcal(ENDLESS_SINCE_2010, options('2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z'));

      expect(call).toThrow(
        expect.objectContaining({
          name: 'IcalParseError',
          message: expect.stringMatching(/More than 100000 occurrences/),
        }),
      );
    }, 20_000);

    it('should keep nothing of the days a rule walks, so one that never matches cannot fill the memory', () => {
      // Matches once a year: ical.js walks every day between, and caches each day's weekday unless told not to.
      const yearly = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'BEGIN:VEVENT',
        'UID:rare',
        'DTSTART:20260228T090000Z',
        'DTEND:20260228T100000Z',
        'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=28;BYDAY=MO,TU,WE,TH,FR,SA,SU',
        'END:VEVENT',
        'END:VCALENDAR',
      ].join('\r\n');

      const busy = busyFromIcal(yearly, options('2026-01-01T00:00:00Z', '2046-01-01T00:00:00Z', 'UTC'));

      expect(busy).toHaveLength(20);
      expect(iso(busy.slice(-1))).toEqual([['2045-02-28T09:00:00.000Z', '2045-02-28T10:00:00.000Z']]);
      expect(Object.keys(ICAL.Time._dowCache)).toEqual([]);
    });

    it('should leave out events whose UID ignoreUid accepts', () => {
      const busy = busyFromIcal(WITH_OWN_BOOKING, {
        ...options('2026-05-05T00:00:00Z', '2026-05-06T00:00:00Z'),
        ignoreUid: (uid) => uid.endsWith('@slotline.example'),
      });

      expect(iso(busy)).toEqual([['2026-05-05T11:00:00.000Z', '2026-05-05T12:00:00.000Z']]);
    });
  });

  describe('input', () => {
    it('should accept LF as well as CRLF line endings', () => {
      const window = options('2026-03-01T00:00:00Z', '2026-04-13T00:00:00Z');

      expect(busyFromIcal(GOOGLE_WEEKLY_BERLIN.replace(/\r\n/g, '\n'), window)).toEqual(
        busyFromIcal(GOOGLE_WEEKLY_BERLIN, window),
      );
    });

    it.each([
      ['an HTML page', HTML_LOGIN_PAGE],
      ['an empty string', ''],
      ['truncated iCalendar', TRUNCATED],
      ['JSON', '{"error":"unauthorized"}'],
      ['a vCard', VCARD],
    ])('should throw IcalParseError for %s', (_name, text) => {
      expect(() => busyFromIcal(text, options('2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z'))).toThrow(IcalParseError);
    });

    it('should throw IcalParseError for an event with an unreadable date', () => {
      const text = START_ONLY.replace('DTSTART:20260505T130000Z', 'DTSTART:tomorrow');

      expect(() => busyFromIcal(text, options('2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z'))).toThrow(
        /Unreadable event duration@example.com/,
      );
    });
  });
});

describe('busyFromIcalObjects', () => {
  it('should combine CalDAV objects, each with its own overrides, sorted by start', () => {
    const busy = busyFromIcalObjects(CALDAV_OBJECTS, options('2026-05-04T00:00:00Z', '2026-05-07T00:00:00Z'));

    expect(iso(busy)).toEqual([
      ['2026-05-04T09:00:00.000Z', '2026-05-04T10:00:00.000Z'],
      ['2026-05-05T15:00:00.000Z', '2026-05-05T16:00:00.000Z'],
      ['2026-05-05T17:00:00.000Z', '2026-05-05T18:00:00.000Z'],
      ['2026-05-06T09:00:00.000Z', '2026-05-06T10:00:00.000Z'],
    ]);
  });
});
