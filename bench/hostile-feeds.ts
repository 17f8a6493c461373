/**
 * The hostile calendar feeds of the hardening issue, as anyone who can put an invitation into a
 * staff calendar could make them:
 *
 *   0. one event with `RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`, a rule that never matches: an
 *      iterator looking for its next occurrence searches for ever;
 *   1. one event with `RRULE:FREQ=SECONDLY` and no end: an occurrence every second, for ever;
 *   2. a feed of HOSTILE_FEED_BYTES (50 MB) of ordinary one-hour events on the horizon's days.
 */
import { DateTime } from 'luxon';
import { DAY, HORIZON_DAYS, MINUTE, OPEN_HOUR, TIMEZONE } from './scenario.js';
import { utc, vcalendar, vevent } from './sources.js';

export const HOSTILE_FEED_BYTES = 50 * 1024 * 1024;

export const HOSTILE_FEEDS = [
  'a never-matching `RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`',
  'an endless `RRULE:FREQ=SECONDLY`',
  `${HOSTILE_FEED_BYTES / 1024 / 1024} MB of one-hour events`,
] as const;

/** The three feeds' texts, in the order of HOSTILE_FEEDS. */
export function hostileFeeds(now = Date.now()): string[] {
  const today = DateTime.fromMillis(now, { zone: TIMEZONE }).startOf('day');
  const openings = Array.from({ length: HORIZON_DAYS }, (_, day) =>
    today.plus({ days: day }).set({ hour: OPEN_HOUR }).toMillis(),
  );
  const opening = openings[0] ?? now;
  const stamp = utc(now - DAY);
  const endless = (name: string, rrule: string, durationMs: number) =>
    vcalendar(name, [
      vevent({ uid: `${name}@bench`, start: opening, end: opening + durationMs, rrule, summary: name }, stamp),
    ]);
  return [
    endless('never-matching', 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 30 * MINUTE),
    endless('secondly', 'FREQ=SECONDLY', 1_000),
    bigFeed(openings, stamp),
  ];
}

/** Events on the quarter hours of the horizon's opening hours, round and round, until the feed is big enough. */
function bigFeed(openings: readonly number[], stamp: string): string {
  const events: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < HOSTILE_FEED_BYTES; i++) {
    const start = (openings[i % openings.length] ?? NaN) + 15 * MINUTE * (Math.floor(i / openings.length) % 44);
    const event = vevent(
      { uid: `big-${i}@bench`, start, end: start + 60 * MINUTE, summary: `Appointment ${i}` },
      stamp,
    );
    events.push(event);
    bytes += event.length + 2;
  }
  return vcalendar('big', events);
}
