/**
 * The calendar sources of the `sourced` calendar: one iCalendar feed per (resource, n), served by
 * a tiny HTTP server in the bench process, as a secret iCal address of Google Calendar serves them.
 * Each feed holds EVENTS_PER_FEED one-hour events in UTC, inside opening hours on random days of
 * the next HORIZON_DAYS days, RECURRING_PER_FEED of them weekly series that started weeks ago.
 * A feed answers with an ETag and 304 to a matching If-None-Match, so an unchanged feed is not sent again.
 */
/* global Buffer */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import { DateTime } from 'luxon';
import { CLOSE_HOUR, HORIZON_DAYS, OPEN_HOUR, TIMEZONE } from './scenario.js';
import { prng as random } from '../dist/simulate/prng.js';

export const EVENTS_PER_FEED = 500;
export const RECURRING_PER_FEED = 5;
const EVENT_MINUTES = 60;
/** Starts on the quarter hour from opening time, the last one ending at closing time. */
const STARTS_PER_DAY = ((CLOSE_HOUR - OPEN_HOUR) * 60 - EVENT_MINUTES) / 15 + 1;

const utc = (dateTime) => dateTime.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");

/**
 * One feed's text, CRLF as RFC 5545 prescribes. Each event starts at a random quarter hour between
 * opening time and an hour before closing (Berlin time, written in UTC) of a random day from today
 * on; the recurring ones are weekly from a random day of the last eight weeks, without an end.
 */
export function icsFeed(feed, now = Date.now()) {
  const rand = random(1_000 + feed);
  const today = DateTime.fromMillis(now, { zone: TIMEZONE }).startOf('day');
  const stamp = utc(DateTime.fromMillis(now).minus({ days: 1 }));
  const events = [];
  for (let i = 0; i < EVENTS_PER_FEED; i++) {
    const recurring = i < RECURRING_PER_FEED;
    const day = recurring
      ? -7 * (1 + Math.floor(rand() * 8)) + Math.floor(rand() * 7)
      : Math.floor(rand() * HORIZON_DAYS);
    const start = today
      .plus({ days: day })
      .set({ hour: OPEN_HOUR })
      .plus({ minutes: 15 * Math.floor(rand() * STARTS_PER_DAY) });
    events.push(
      [
        'BEGIN:VEVENT',
        `DTSTART:${utc(start)}`,
        `DTEND:${utc(start.plus({ minutes: EVENT_MINUTES }))}`,
        ...(recurring ? ['RRULE:FREQ=WEEKLY'] : []),
        `DTSTAMP:${stamp}`,
        `UID:bench-${feed}-${i}@google.com`,
        `CREATED:${stamp}`,
        `LAST-MODIFIED:${stamp}`,
        'SEQUENCE:0',
        'STATUS:CONFIRMED',
        `SUMMARY:${recurring ? 'Weekly team meeting' : `Appointment ${i}`}`,
        'TRANSP:OPAQUE',
        'END:VEVENT',
      ].join('\r\n'),
    );
  }
  return [
    'BEGIN:VCALENDAR',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:Bench feed ${feed}`,
    `X-WR-TIMEZONE:${TIMEZONE}`,
    ...events,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/**
 * Serves `count` feeds at /feeds/N.ics on a free port of 127.0.0.1, built once from `now`.
 * `served` counts full answers and 304s.
 */
export async function startFeeds(count, now = Date.now()) {
  const feeds = Array.from({ length: count }, (_, n) => {
    const body = icsFeed(n, now);
    return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` };
  });
  const served = { full: 0, unchanged: 0, bytes: Buffer.byteLength(feeds[0]?.body ?? '') };
  const server = createServer((request, response) => {
    const feed = feeds[Number(/^\/feeds\/(\d+)\.ics$/.exec(request.url ?? '')?.[1] ?? NaN)];
    if (!feed) return response.writeHead(404).end();
    if (request.headers['if-none-match'] === feed.etag) {
      served.unchanged++;
      return response.writeHead(304, { etag: feed.etag }).end();
    }
    served.full++;
    response.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', etag: feed.etag }).end(feed.body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: (n) => `${base}/feeds/${n}.ics`,
    served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the sync wrote for a calendar into the SQLite file at `dbPath`: busy rows, and their hours. */
export function syncedBusy(dbPath, calendarId) {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `select count(*) as intervals, count(distinct source_id) as sources,
           coalesce(sum(end_at - start_at), 0) / 3600000.0 as hours
         from busy_intervals where calendar_id = ?`,
      )
      .get(calendarId);
  } finally {
    db.close();
  }
}
