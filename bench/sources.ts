/**
 * Calendar feeds served by the bench process, as a secret iCal address of Google Calendar serves
 * them: the `sourced` calendar's feeds here (one per resource and n), the hostile ones in
 * hostile-feeds.ts. Each `sourced` feed holds EVENTS_PER_FEED one-hour events in UTC, inside opening
 * hours on random days of the next HORIZON_DAYS days, RECURRING_PER_FEED of them weekly series that
 * started weeks ago. A feed answers with an ETag and 304 to a matching If-None-Match, so an
 * unchanged feed is not sent again.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
import { DateTime } from 'luxon';
import { prng as random } from '../src/simulate/prng.js';
import { CLOSE_HOUR, DAY, HORIZON_DAYS, MINUTE, OPEN_HOUR, TIMEZONE } from './scenario.js';

export const EVENTS_PER_FEED = 500;
export const RECURRING_PER_FEED = 5;
const EVENT_MINUTES = 60;
/** Starts on the quarter hour from opening time, the last one ending at closing time. */
const STARTS_PER_DAY = ((CLOSE_HOUR - OPEN_HOUR) * 60 - EVENT_MINUTES) / 15 + 1;

/** An instant as iCalendar's UTC DATE-TIME, e.g. 20261130T080000Z. */
export const utc = (epochMs: number): string =>
  new Date(epochMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

export interface FeedEvent {
  readonly uid: string;
  /** Epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly rrule?: string;
  readonly summary: string;
}

/** One VEVENT as Google Calendar writes it, CRLF as RFC 5545 prescribes; `stamp` is its DTSTAMP. */
export function vevent({ uid, start, end, rrule, summary }: FeedEvent, stamp: string): string {
  return [
    'BEGIN:VEVENT',
    `DTSTART:${utc(start)}`,
    `DTEND:${utc(end)}`,
    ...(rrule ? [`RRULE:${rrule}`] : []),
    `DTSTAMP:${stamp}`,
    `UID:${uid}`,
    `CREATED:${stamp}`,
    `LAST-MODIFIED:${stamp}`,
    'SEQUENCE:0',
    'STATUS:CONFIRMED',
    `SUMMARY:${summary}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
  ].join('\r\n');
}

/** A whole feed around its VEVENTs. */
export function vcalendar(name: string, events: readonly string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${name}`,
    `X-WR-TIMEZONE:${TIMEZONE}`,
    ...events,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/**
 * One `sourced` feed's text. Each event starts at a random quarter hour between opening time and an
 * hour before closing (Berlin time, written in UTC) of a random day from today on; the recurring
 * ones are weekly from a random day of the last eight weeks, without an end.
 */
export function icsFeed(feed: number, now = Date.now()): string {
  const rand = random(1_000 + feed);
  const today = DateTime.fromMillis(now, { zone: TIMEZONE }).startOf('day');
  const stamp = utc(now - DAY);
  const events: string[] = [];
  for (let i = 0; i < EVENTS_PER_FEED; i++) {
    const recurring = i < RECURRING_PER_FEED;
    const day = recurring
      ? -7 * (1 + Math.floor(rand() * 8)) + Math.floor(rand() * 7)
      : Math.floor(rand() * HORIZON_DAYS);
    const start = today
      .plus({ days: day })
      .set({ hour: OPEN_HOUR })
      .plus({ minutes: 15 * Math.floor(rand() * STARTS_PER_DAY) })
      .toMillis();
    const event = {
      uid: `bench-${feed}-${i}@google.com`,
      start,
      end: start + EVENT_MINUTES * MINUTE,
      ...(recurring ? { rrule: 'FREQ=WEEKLY' } : {}),
      summary: recurring ? 'Weekly team meeting' : `Appointment ${i}`,
    };
    events.push(vevent(event, stamp));
  }
  return vcalendar(`Bench feed ${feed}`, events);
}

export interface FeedServer {
  /** The address of feed n. */
  readonly url: (n: number) => string;
  /** Full answers and 304s so far, and the size of feed 0. */
  readonly served: { full: number; unchanged: number; bytes: number };
  /** Every request, in order: which feed, when (epoch ms), and whether its answer was sent whole. */
  readonly requests: readonly { feed: number; at: number; complete: boolean }[];
  readonly close: () => Promise<void>;
}

/**
 * Serves `bodies` at /feeds/N.ics on a free port of 127.0.0.1, each with an ETag. Each body is
 * encoded once, here: answering with the string made Node encode it on every request, and for the
 * hostile 50 MB feed that held up this process's event loop for 90-170 ms.
 */
export async function serveFeeds(bodies: readonly string[]): Promise<FeedServer> {
  const feeds = bodies.map((body) => ({
    body: Buffer.from(body),
    etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
  }));
  const served = { full: 0, unchanged: 0, bytes: Buffer.byteLength(bodies[0] ?? '') };
  const requests: { feed: number; at: number; complete: boolean }[] = [];
  const server = createServer((request, response) => {
    const n = Number(/^\/feeds\/(\d+)\.ics$/.exec(request.url ?? '')?.[1] ?? NaN);
    const feed = feeds[n];
    if (!feed) return response.writeHead(404).end();
    const logged = { feed: n, at: Date.now(), complete: false };
    requests.push(logged);
    response.once('finish', () => (logged.complete = true));
    if (request.headers['if-none-match'] === feed.etag) {
      served.unchanged++;
      return response.writeHead(304, { etag: feed.etag }).end();
    }
    served.full++;
    response.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', etag: feed.etag }).end(feed.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (n) => `${base}/feeds/${n}.ics`,
    served,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `count` `sourced` feeds, built once from `now`. */
export function startFeeds(count: number, now = Date.now()): Promise<FeedServer> {
  return serveFeeds(Array.from({ length: count }, (_, n) => icsFeed(n, now)));
}

/** What the sync wrote for a calendar into the SQLite file at `dbPath`: busy rows, and their hours. */
export function syncedBusy(dbPath: string, calendarId: string): { intervals: number; sources: number; hours: number } {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    const row = db
      .prepare<[string], { intervals: number; sources: number; hours: number }>(
        `select count(*) as intervals, count(distinct source_id) as sources,
           coalesce(sum(end_at - start_at), 0) / 3600000.0 as hours
         from busy_intervals where calendar_id = ?`,
      )
      .get(calendarId);
    return row ?? { intervals: 0, sources: 0, hours: 0 };
  } finally {
    db.close();
  }
}
