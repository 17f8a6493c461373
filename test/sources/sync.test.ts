import { createServer, type Server } from 'node:http';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { putEvent, readEvents } from '../../src/caldav/caldav.js';
import { parseConfig } from '../../src/config/config.loader.js';
import { createSync } from '../../src/sources/sync.service.js';
import { DIALECTS, dropTestDatabases, type Dialect } from '../dialects.js';
import { ADMIN, apiPost } from '../http/api-client.js';
import { calendarYaml, start, starts, windowReads, type Running } from '../http/harness.js';
import { PROCESS_TEST_TIMEOUT_MS } from '../slotline-process.js';
import { startRadicale, type Radicale } from './radicale.js';

// Monday 30 November 2026; hours 09:00-12:00 UTC every day, 30-minute slots.
const NOW = Date.parse('2026-11-30T06:00:00Z');
const silent = { info: () => {}, warn: () => {} };

const event = (uid: string, start: string, end: string, extra = '') => `BEGIN:VEVENT
UID:${uid}
DTSTAMP:20261101T000000Z
DTSTART:${start}
DTEND:${end}
${extra}SUMMARY:Busy
END:VEVENT
`;
const calendarOf = (...events: string[]) =>
  `BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n${events.join('')}END:VCALENDAR\n`;

/** An ICS feed whose answer each test sets; with an ETag, it honours If-None-Match like a real provider. */
const feed: { status: number; body: string; etag: string | null; conditionalHits: number } = {
  status: 200,
  body: '',
  etag: '"v1"',
  conditionalHits: 0,
};
let feedServer: Server;
let feedUrl = '';

beforeAll(async () => {
  feedServer = createServer((request, response) => {
    if (feed.status === 200 && feed.etag !== null && request.headers['if-none-match'] === feed.etag) {
      feed.conditionalHits++;
      response.writeHead(304).end();
      return;
    }
    const etag = feed.etag === null ? {} : { etag: feed.etag };
    response.writeHead(feed.status, { 'content-type': 'text/calendar', ...etag }).end(feed.body);
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feedServer.address() as { port: number }).port}/anna.ics`;
});

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await new Promise((resolve) => feedServer.close(resolve));
  await dropTestDatabases();
});

async function withSources(dialect: Dialect, resources: string, fields: Record<string, string> = {}) {
  // With the business's API, to move bookings as the front desk does.
  const app = await start({ yaml: calendarYaml({ resources, ...fields }, ADMIN), now: NOW, dialect });
  running.push(app);
  let now = NOW;
  // As `slotline serve` does: the app's availability applies the busy time the sync writes.
  const sync = createSync({
    config: app.config,
    store: app.store,
    log: silent,
    now: () => now,
    onBusyChanged: app.app.availability.applyBusy,
  });
  return { app, sync, setNow: (at: number) => (now = at) };
}

const readyz = async (app: Running) => (await fetch(`${app.url}/readyz`)).json();

describe.each(DIALECTS)('on %s', (dialect) => {
  describe('busy time from an ICS feed', () => {
    it('should remove the overlapping slots after one sync and keep them out when the feed fails', async () => {
      feed.status = 200;
      feed.etag = '"v1"';
      feed.conditionalHits = 0;
      feed.body = calendarOf(event('meeting-1', '20261201T090000Z', '20261201T100000Z'));
      const { app, sync, setNow } = await withSources(
        dialect,
        `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`,
      );
      expect(starts(await app.post('/available', {}))).toContain('2026-12-01T09:30:00.000Z');

      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      const listed = starts(await app.post('/available', {}));
      expect(listed).not.toContain('2026-12-01T09:00:00.000Z');
      expect(listed).not.toContain('2026-12-01T09:30:00.000Z');
      expect(listed).toContain('2026-12-01T10:00:00.000Z');
      const taken = await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T09:30:00Z' });
      expect(taken.body.reason).toMatch(/^That time is no longer available/);

      // The lease of the first sync has run out; the feed has not changed.
      setNow(NOW + 10 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['unchanged']);
      expect(feed.conditionalHits).toBe(1);

      for (const [round, [status, body]] of (
        [
          [500, 'oops'],
          [200, '<html>not a calendar</html>'],
        ] as const
      ).entries()) {
        feed.status = status;
        feed.body = body;
        feed.etag = `"${status}"`;
        setNow(NOW + (20 + 10 * round) * 60_000);
        expect([...(await sync.syncAll()).values()]).toEqual(['failed']);
        expect(starts(await app.post('/available', {}))).not.toContain('2026-12-01T09:30:00.000Z');
      }
      const report = await readyz(app);
      expect(report.status).toBe('ready');
      expect(report.sources).toEqual([
        {
          id: expect.stringMatching(/^main\/anna\//),
          stale: false,
          synced_at: '2026-11-30T06:10:00.000Z',
          failures: 2,
        },
      ]);
      expect(JSON.stringify(report)).not.toContain(feedUrl);
    });

    it('should bring its own availability to a changed feed without reading the window, as a fresh read would', async () => {
      feed.status = 200;
      feed.etag = '"in-memory-1"';
      feed.body = calendarOf(event('moving', '20261201T090000Z', '20261201T100000Z'));
      const resources = `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`;
      const { app, sync, setNow } = await withSources(dialect, resources);
      // Time off (of the whole calendar, so without a source) and a booking stay as the feed changes.
      const closed = { calendar: 'main', start_iso: '2026-12-02T09:00:00Z', end_iso: '2026-12-02T10:00:00Z' };
      expect((await apiPost(app, '/time-off', closed)).status).toBe(201);
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T11:30:00Z' });
      const fresh = await start({ yaml: calendarYaml({ resources }), now: NOW, dialect, database: app.database });
      running.push(fresh);
      /** This app's slots, which another app on the database, reading the window whole, also answers. */
      const listing = async () => {
        const listed = starts(await app.post('/available', {}));
        const mark = await app.store.changeMark('main');
        await vi.waitFor(async () => expect(await fresh.store.changeMark('main')).toBe(mark));
        expect(starts(await fresh.post('/available', {}))).toEqual(listed);
        return listed.filter((slot) => slot >= '2026-12-01' && slot < '2026-12-04');
      };
      const day = (date: string, times: string[]) => times.map((time) => `${date}T${time}:00.000Z`);
      await listing();
      const reads = await windowReads(app);

      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(await listing()).toEqual([
        ...day('2026-12-01', ['10:00', '10:30', '11:00']),
        ...day('2026-12-02', ['10:00', '10:30', '11:00', '11:30']),
        ...day('2026-12-03', ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']),
      ]);

      // The meeting moves to 10:00 and another comes on Thursday; a booking comes in between.
      feed.etag = '"in-memory-2"';
      feed.body = calendarOf(
        event('moving', '20261201T100000Z', '20261201T110000Z'),
        event('new', '20261203T090000Z', '20261203T093000Z'),
      );
      setNow(NOW + 10 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      await app.post('/book', { contact_id: 'c2', start_iso: '2026-12-03T11:00:00Z' });
      expect(await listing()).toEqual([
        ...day('2026-12-01', ['09:00', '09:30', '11:00']),
        ...day('2026-12-02', ['10:00', '10:30', '11:00', '11:30']),
        ...day('2026-12-03', ['09:30', '10:00', '10:30', '11:30']),
      ]);

      // The feed empties: Anna is free again wherever she has no booking and no time off.
      feed.etag = '"in-memory-3"';
      feed.body = calendarOf();
      setNow(NOW + 20 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(await listing()).toEqual([
        ...day('2026-12-01', ['09:00', '09:30', '10:00', '10:30', '11:00']),
        ...day('2026-12-02', ['10:00', '10:30', '11:00', '11:30']),
        ...day('2026-12-03', ['09:00', '09:30', '10:00', '10:30', '11:30']),
      ]);
      expect(await windowReads(app)).toBe(reads);
    });

    it('should retry a failed source after its backoff, not only after the next interval', async () => {
      feed.status = 500;
      const { sync, setNow } = await withSources(
        dialect,
        `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`,
      );
      expect([...(await sync.syncAll()).values()]).toEqual(['failed']);
      feed.status = 200;
      feed.body = calendarOf();
      setNow(NOW + 15_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
    });

    it('should stop syncing a source a reload removes, deleting its busy time, and sync one it adds', async () => {
      feed.status = 200;
      feed.etag = '"reload"';
      feed.body = calendarOf(event('meeting-r', '20261201T090000Z', '20261201T100000Z'));
      const withFeed = `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`;
      const { app, sync, setNow } = await withSources(dialect, withFeed);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(starts(await app.post('/available', {}))).not.toContain('2026-12-01T09:00:00.000Z');

      await sync.reconfigure(parseConfig(calendarYaml({ resources: '[{ id: anna }]' }), {}));
      expect((await sync.syncAll()).size).toBe(0);
      expect(starts(await app.post('/available', {}))).toContain('2026-12-01T09:00:00.000Z');

      // Added again once the lease of its first sync has run out; the feed has not changed.
      setNow(NOW + 10 * 60_000);
      await sync.reconfigure(parseConfig(calendarYaml({ resources: withFeed }), {}));
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(starts(await app.post('/available', {}))).not.toContain('2026-12-01T09:00:00.000Z');
    });

    it('should read a feed whole once its calendar has another zone, although its ETag is unchanged', async () => {
      feed.status = 200;
      feed.etag = '"all-day"';
      feed.conditionalHits = 0;
      feed.body = calendarOf(`BEGIN:VEVENT
UID:away
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261201
DTEND;VALUE=DATE:20261202
SUMMARY:Away
END:VEVENT
`);
      const resources = `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`;
      const { app, sync, setNow } = await withSources(dialect, resources);
      const away = async () =>
        (await app.store.busy('main', NOW, NOW + 7 * 86_400_000)).map(({ start, end }) => [
          new Date(start).toISOString(),
          new Date(end).toISOString(),
        ]);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(await away()).toEqual([['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z']]);

      // The all-day event is the local day: in Berlin it starts an hour earlier.
      await sync.reconfigure(parseConfig(calendarYaml({ timezone: 'Europe/Berlin', resources }), {}));
      setNow(NOW + 10 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(feed.conditionalHits).toBe(0);
      expect(await away()).toEqual([['2026-11-30T23:00:00.000Z', '2026-12-01T23:00:00.000Z']]);
    });

    it('should let one process at a time sync a source', async () => {
      feed.status = 200;
      feed.body = calendarOf();
      const { app } = await withSources(dialect, `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`);
      const first = createSync({ config: app.config, store: app.store, log: silent, now: () => NOW });
      const second = createSync({ config: app.config, store: app.store, log: silent, now: () => NOW + 1 });
      expect([...(await first.syncAll()).values()]).toEqual(['synced']);
      expect([...(await second.syncAll()).values()]).toEqual(['skipped']);
    });

    it('should block the resource with on_stale block once its source is stale', async () => {
      feed.status = 503;
      const resources = `[{ id: anna, on_stale: block, sync_every: 1m, sources: [{ type: ics, url: "${feedUrl}" }] }, { id: ben }]`;
      const { app, sync } = await withSources(dialect, resources, { assignment: 'ordered' });
      expect([...(await sync.syncAll()).values()]).toEqual(['failed']);
      expect((await readyz(app)).sources[0]).toMatchObject({ stale: true, synced_at: null, failures: 1 });
      // Anna offers nothing, so the first booking goes to Ben although Anna comes first.
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T09:00:00Z' });
      const [booking] = await app.store.bookings('main');
      expect(booking!.resourceId).toBe('ben');
      expect(starts(await app.post('/available', {}))).not.toContain('2026-12-01T09:00:00.000Z');
    });

    it('should read an unchanged feed whole again once its busy time no longer reaches past the horizon', async () => {
      feed.status = 200;
      feed.etag = '"weekly"';
      feed.conditionalHits = 0;
      // Every Monday 10:00-11:00, a series that never changes, so its ETag never does either.
      feed.body = calendarOf(event('weekly', '20261130T100000Z', '20261130T110000Z', 'RRULE:FREQ=WEEKLY\n'));
      const { app, sync, setNow } = await withSources(
        dialect,
        `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`,
        { horizon: '7d', max_slots: '100' },
      );
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);

      // Half a day later the busy time read at the first sync still reaches past the horizon.
      setNow(NOW + 43_200_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['unchanged']);
      expect(feed.conditionalHits).toBe(1);

      // Eight days later the horizon holds Monday 14 December, past what the first sync read.
      const later = NOW + 8 * 86_400_000;
      setNow(later);
      app.setNow(later);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(feed.conditionalHits).toBe(1);
      const listed = starts(await app.post('/available', {}));
      expect(listed).toContain('2026-12-14T09:30:00.000Z');
      expect(listed).not.toContain('2026-12-14T10:00:00.000Z');
      expect(listed).not.toContain('2026-12-14T10:30:00.000Z');
    });

    it('should read a feed whole at every sync when the next sync comes after what a read covers', async () => {
      feed.status = 200;
      feed.etag = '"every-other-day"';
      feed.conditionalHits = 0;
      feed.body = calendarOf(event('weekly-2', '20261130T100000Z', '20261130T110000Z', 'RRULE:FREQ=WEEKLY\n'));
      const { sync, setNow } = await withSources(
        dialect,
        `[{ id: anna, sync_every: 36h, sources: [{ type: ics, url: "${feedUrl}" }] }]`,
        { horizon: '7d' },
      );
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      // 33 hours on (its lease has passed), the read still reaches past today's horizon, but the next
      // sync, 36 hours on, would come after what it covers: read whole, not asked whether it changed.
      setNow(NOW + 33 * 3_600_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(feed.conditionalHits).toBe(0);
    });

    it('should not write again the busy time a feed without an ETag repeats, nor move the change mark', async () => {
      feed.status = 200;
      feed.etag = null;
      const meeting = event('meeting-d', '20261201T090000Z', '20261201T100000Z');
      feed.body = calendarOf(meeting);
      const { app, sync, setNow } = await withSources(
        dialect,
        `[{ id: anna, sources: [{ type: ics, url: "${feedUrl}" }] }]`,
      );
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      const mark = await app.store.changeMark('main');

      // Downloaded again, stamped anew as some providers do: the same busy time.
      feed.body = calendarOf(meeting.replace('DTSTAMP:20261101T000000Z', 'DTSTAMP:20261130T061000Z'));
      setNow(NOW + 10 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['unchanged']);
      expect(await app.store.changeMark('main')).toBe(mark);
      expect(starts(await app.post('/available', {}))).not.toContain('2026-12-01T09:00:00.000Z');

      feed.body = calendarOf(event('meeting-d', '20261201T100000Z', '20261201T110000Z'));
      setNow(NOW + 20 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(await app.store.changeMark('main')).not.toBe(mark);
      const listed = starts(await app.post('/available', {}));
      expect(listed).toContain('2026-12-01T09:00:00.000Z');
      expect(listed).not.toContain('2026-12-01T10:00:00.000Z');
    });

    it('should read a feed whole again after on_stale block, although its ETag is unchanged', async () => {
      feed.status = 200;
      feed.etag = '"before-outage"';
      feed.body = calendarOf(event('meeting-s', '20261201T090000Z', '20261201T100000Z'));
      const resources = `[{ id: anna, on_stale: block, sync_every: 1m, sources: [{ type: ics, url: "${feedUrl}" }] }]`;
      const { app, sync, setNow } = await withSources(dialect, resources);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);

      feed.status = 503;
      setNow(NOW + 4 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['failed']);
      expect(starts(await app.post('/available', {}))).toEqual([]);

      // The feed is back with the bytes and ETag it had before the outage.
      feed.status = 200;
      setNow(NOW + 60 * 60_000);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      const listed = starts(await app.post('/available', {}));
      expect(listed).not.toContain('2026-12-01T09:00:00.000Z');
      expect(listed).toContain('2026-12-01T10:00:00.000Z');
    });
  });

  describe('busy time from a real CalDAV server (Radicale)', () => {
    let radicale: Radicale;
    // startRadicale gives up, and cleans up, well before this hook timeout, so none outlives the file.
    beforeAll(async () => {
      radicale = await startRadicale();
    }, PROCESS_TEST_TIMEOUT_MS);
    afterAll(() => radicale?.stop());

    it('should remove slots of an event created there, and every occurrence of a series but the excluded one', async () => {
      const calendarUrl = await radicale.makeCalendar('anna-work');
      const auth = { url: calendarUrl, username: radicale.username, password: radicale.password };
      const source = `{ type: caldav, url: "${calendarUrl}", username: ${radicale.username}, password: "${radicale.password}" }`;
      const { app, sync } = await withSources(dialect, `[{ id: anna, sources: [${source}] }]`, { max_slots: '1000' });
      await putEvent(auth, 'single', calendarOf(event('single', '20261201T100000Z', '20261201T103000Z')));
      await putEvent(
        auth,
        'daily',
        calendarOf(
          event('daily', '20261202T110000Z', '20261202T113000Z', 'RRULE:FREQ=DAILY;COUNT=4\nEXDATE:20261203T110000Z\n'),
        ),
      );
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      const listed = starts(await app.post('/available', {}));
      expect(listed).not.toContain('2026-12-01T10:00:00.000Z');
      expect(listed).toContain('2026-12-01T10:30:00.000Z');
      expect(listed).not.toContain('2026-12-02T11:00:00.000Z');
      expect(listed).toContain('2026-12-03T11:00:00.000Z');
      expect(listed).not.toContain('2026-12-04T11:00:00.000Z');
      expect(listed).not.toContain('2026-12-05T11:00:00.000Z');
      expect(listed).toContain('2026-12-06T11:00:00.000Z');
    });
  });

  describe('bookings and a real CalDAV calendar (Radicale)', () => {
    let radicale: Radicale;
    // startRadicale gives up, and cleans up, well before this hook timeout, so none outlives the file.
    beforeAll(async () => {
      radicale = await startRadicale();
    }, PROCESS_TEST_TIMEOUT_MS);
    afterAll(() => radicale?.stop());

    const open = async (name: string, writeBookings: boolean) => {
      const calendarUrl = await radicale.makeCalendar(name);
      const auth = { url: calendarUrl, username: radicale.username, password: radicale.password };
      const source = `{ type: caldav, url: "${calendarUrl}", username: ${radicale.username}, password: "${radicale.password}", write_bookings: ${writeBookings} }`;
      return { auth, ...(await withSources(dialect, `[{ id: anna, sources: [${source}] }]`, { max_slots: '1000' })) };
    };
    const uidsIn = async (auth: { url: string; username: string; password: string }) => {
      const { objects } = await readEvents(auth, { start: NOW, end: NOW + 30 * 86_400_000 });
      return objects.map(
        (object) => new ICAL.Event(new ICAL.Component(ICAL.parse(object)).getFirstSubcomponent('vevent')!).uid,
      );
    };

    it('should ask the calendar before confirming, so a meeting entered since the last sync is not double-booked', async () => {
      const { app, auth, sync } = await open('live-check', false);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      await putEvent(auth, 'just-now', calendarOf(event('just-now', '20261201T110000Z', '20261201T113000Z')));
      const answer = await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T11:00:00Z' });
      expect(answer.body.reason).toMatch(/^That time is no longer available/);
      expect(await app.store.bookings('main')).toEqual([]);
    });

    it('should keep a booking whose write-back fails, and retry the write later', async () => {
      const calendarUrl = await radicale.makeCalendar('write-back-retry');
      const wrong = `{ type: caldav, url: "${calendarUrl}", username: ${radicale.username}, password: "wrong", write_bookings: true }`;
      const { app, sync, setNow } = await withSources(dialect, `[{ id: anna, sources: [${wrong}] }]`);
      const answer = await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T09:00:00Z' });
      expect(answer.body).toEqual({ status: 'success' });
      expect(await sync.flushWritebacks()).toBe(0);
      expect((await app.store.bookings('main')).map((booking) => booking.status)).toEqual(['active']);
      // Not due again before its backoff has passed, then tried again.
      setNow(NOW + 5_000);
      expect(await app.store.claimWritebacks(NOW + 5_000, NOW + 6_000, 10)).toEqual([]);
      setNow(NOW + 60_000);
      expect(await sync.flushWritebacks()).toBe(0);
      const [retried] = await app.store.claimWritebacks(NOW + 10 * 60_000, NOW + 11 * 60_000, 10);
      expect(retried).toMatchObject({ action: 'put', attempts: 2 });
    });

    it('should write a booking there as an event, and remove it when the contact rebooks elsewhere', async () => {
      const { app, auth, sync, setNow } = await open('write-back', true);
      await app.post('/book', {
        contact_id: 'c1',
        start_iso: '2026-12-01T09:00:00Z',
        contact_details: { name: 'Ada' },
      });
      expect(await sync.flushWritebacks()).toBe(1);
      const [first] = await app.store.bookings('main');
      expect(await uidsIn(auth)).toEqual([`${first!.id}@slotline`]);

      // Its own event is not read back as busy time.
      setNow(NOW + 1);
      expect([...(await sync.syncAll()).values()]).toEqual(['synced']);
      expect(await app.store.busy('main', NOW, NOW + 30 * 86_400_000)).toEqual([]);

      app.setNow(NOW + 2);
      await app.post('/book', {
        contact_id: 'c1',
        start_iso: '2026-12-02T10:00:00Z',
        contact_details: { name: 'Ada' },
      });
      setNow(NOW + 3);
      expect(await sync.flushWritebacks()).toBe(2);
      const second = (await app.store.bookings('main')).find((booking) => booking.status === 'active');
      expect(await uidsIn(auth)).toEqual([`${second!.id}@slotline`]);
    });

    it('should leave the event only where the booking ends up when it moves to another resource and back', async () => {
      const [annaUrl, benUrl] = [await radicale.makeCalendar('move-anna'), await radicale.makeCalendar('move-ben')];
      const source = (url: string) =>
        `{ type: caldav, url: "${url}", username: ${radicale.username}, password: "${radicale.password}", write_bookings: true }`;
      const resources = `[{ id: anna, sources: [${source(annaUrl)}] }, { id: ben, sources: [${source(benUrl)}] }]`;
      const { app, sync, setNow } = await withSources(dialect, resources);
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T09:00:00Z' });
      const [booking] = await app.store.bookings('main');
      const moveTo = (resource: string) =>
        apiPost(app, `/bookings/${booking!.id}/move`, { start_iso: '2026-12-01T10:00:00Z', resource });
      expect((await moveTo(booking!.resourceId === 'anna' ? 'ben' : 'anna')).status).toBe(200);
      expect((await moveTo(booking!.resourceId)).status).toBe(200);

      setNow(NOW + 1);
      // Puts and deletes for both calendars are due at once, and run in no particular order.
      expect(await sync.flushWritebacks()).toBe(4);
      const login = { username: radicale.username, password: radicale.password };
      const uids = { anna: await uidsIn({ url: annaUrl, ...login }), ben: await uidsIn({ url: benUrl, ...login }) };
      expect(uids).toEqual({ anna: [], ben: [], [booking!.resourceId]: [`${booking!.id}@slotline`] });
    });

    it('should put the event again at its new time when the front desk moves the booking', async () => {
      const { app, auth, sync, setNow } = await open('write-back-move', true);
      await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-01T09:00:00Z' });
      expect(await sync.flushWritebacks()).toBe(1);
      const [booking] = await app.store.bookings('main');

      const moved = await apiPost(app, `/bookings/${booking!.id}/move`, { start_iso: '2026-12-01T10:30:00Z' });
      expect(moved.status).toBe(200);
      setNow(NOW + 1);
      expect(await sync.flushWritebacks()).toBe(1);

      const { objects } = await readEvents(auth, { start: NOW, end: NOW + 30 * 86_400_000 });
      const events = objects.map(
        (object) => new ICAL.Event(new ICAL.Component(ICAL.parse(object)).getFirstSubcomponent('vevent')!),
      );
      expect(events.map((each) => [each.uid, each.startDate.toJSDate().toISOString()])).toEqual([
        [`${booking!.id}@slotline`, '2026-12-01T10:30:00.000Z'],
      ]);
    });
  });

  describe('the bookings feed', () => {
    it('should list every booking at the right instant for the token, and be 404 otherwise', async () => {
      const app = await start({
        yaml: calendarYaml({ feed_token: 's3cret', resources: '[{ id: anna }, { id: ben }]', name: 'Consultation' }),
        now: NOW,
        dialect,
      });
      running.push(app);
      await app.post('/book', {
        contact_id: 'c1',
        start_iso: '2026-12-01T09:00:00Z',
        contact_details: { name: 'Ada' },
      });
      app.setNow(NOW + 1);
      await app.post('/book', { contact_id: 'c2', start_iso: '2026-12-01T09:00:00Z' });
      const bookings = await app.store.bookings('main');

      const response = await fetch(`${app.url}/calendars/main/bookings.ics?token=s3cret`);
      expect(response.headers.get('content-type')).toMatch(/^text\/calendar/);
      const events = new ICAL.Component(ICAL.parse(await response.text()))
        .getAllSubcomponents('vevent')
        .map((component) => new ICAL.Event(component));
      expect(
        events.map((item) => [
          item.uid,
          item.startDate.toJSDate().toISOString(),
          item.endDate.toJSDate().toISOString(),
        ]),
      ).toEqual(
        bookings.map((booking) => [
          `${booking.id}@slotline`,
          new Date(booking.start).toISOString(),
          new Date(booking.end).toISOString(),
        ]),
      );
      expect(events[0]!.summary).toBe('Consultation: Ada');

      const anna = await (await fetch(`${app.url}/calendars/main/resources/anna/bookings.ics?token=s3cret`)).text();
      expect(anna).toContain(bookings.find((booking) => booking.resourceId === 'anna')!.id);
      expect(anna).not.toContain(bookings.find((booking) => booking.resourceId === 'ben')!.id);
      for (const path of ['bookings.ics?token=wrong', 'bookings.ics', 'resources/nobody/bookings.ics?token=s3cret']) {
        expect((await fetch(`${app.url}/calendars/main/${path}`)).status).toBe(404);
      }
    });
  });
});
