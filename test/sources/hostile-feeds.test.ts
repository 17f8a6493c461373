import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSync, type Sync } from '../../src/sources/sync.service.js';
import { DIALECTS, dropTestDatabases, freshDatabase, type Dialect } from '../dialects.js';
import { start, starts, type Running } from '../http/harness.js';
import { PROCESS_TEST_TIMEOUT_MS, serve, stopAll } from '../slotline-process.js';

/**
 * Feeds that once stalled or exhausted the whole process, served by the test itself: a sync of
 * them fails like any other failed sync, while every calendar keeps answering.
 */

// Monday 30 November 2026; hours 09:00-12:00 UTC every day, 30-minute slots.
const NOW = Date.parse('2026-11-30T06:00:00Z');
/** Short, so that the tests stay quick; the default is 10 s. */
const EXPANSION_BUDGET_MS = 1_000;

const calendarOf = (...events: string[]) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${events.join('')}END:VCALENDAR\r\n`;
const event = (uid: string, start: string, end: string, rule = '') =>
  `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:${start}\r\nDTEND:${end}\r\n${rule}END:VEVENT\r\n`;

const GOOD = calendarOf(event('meeting', '20261201T090000Z', '20261201T100000Z'));
/** ical.js spins inside one iterator step looking for a 30 February. */
const NEVER_MATCHING = calendarOf(
  event('never', '20260101T090000Z', '20260101T100000Z', 'RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\n'),
);
const SECONDLY = calendarOf(event('secondly', '19700101T000000Z', '19700101T000001Z', 'RRULE:FREQ=SECONDLY\r\n'));
/** Over the 64 KB cap the tests configure, with a Content-Length that says so. */
const TOO_BIG = calendarOf(
  ...Array.from({ length: 1_000 }, (_, index) =>
    event(`big-${index}`, '20261205T090000Z', '20261205T093000Z', `SUMMARY:${'x'.repeat(60)}\r\n`),
  ),
);

type Mode = 'good' | 'never-matching' | 'secondly' | 'too-big' | 'endless';

/** The feed; each test sets its mode. `nextRequest()` resolves at the next request it receives. */
const feed = { mode: 'good' as Mode, requests: 0 };
const onRequest: (() => void)[] = [];
const nextRequest = () => new Promise<void>((resolve) => onRequest.push(resolve));
let feedServer: Server;
let feedUrl = '';

beforeAll(async () => {
  feedServer = createServer((request, response) => {
    feed.requests++;
    for (const resolve of onRequest.splice(0)) resolve();
    if (feed.mode === 'endless') {
      // Chunked, without end: only the reader's cap stops it.
      response.writeHead(200, { 'content-type': 'text/calendar' });
      const chunk = Buffer.alloc(16 * 1_024, 'X');
      const write = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on('drain', write);
      write();
      return;
    }
    const body = { good: GOOD, 'never-matching': NEVER_MATCHING, secondly: SECONDLY, 'too-big': TOO_BIG }[feed.mode];
    response.writeHead(200, { 'content-type': 'text/calendar' }).end(body);
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feedServer.address() as { port: number }).port}/anna.ics`;
});

const yaml = (type: 'ics' | 'caldav' = 'ics') => `calendars:
  - id: main
    timezone: UTC
    duration: 30m
    hours: { mon-sun: ["09:00-12:00"] }
    resources: [{ id: anna, sources: [{ type: ${type}, url: "${feedUrl}", max_size: 64KB }] }]
  - id: other
    timezone: UTC
    duration: 30m
    hours: { mon-sun: ["09:00-12:00"] }
`;

const running: Running[] = [];
const syncs: Sync[] = [];
afterEach(async () => {
  await Promise.all(syncs.splice(0).map((sync) => sync.stop()));
  await Promise.all(running.splice(0).map((app) => app.close()));
  await stopAll();
});
afterAll(async () => {
  feedServer.closeAllConnections();
  await new Promise((resolve) => feedServer.close(resolve));
  await dropTestDatabases();
});

interface Warning {
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

async function startApp(dialect: Dialect, database?: string, type: 'ics' | 'caldav' = 'ics') {
  const app = await start({ yaml: yaml(type), now: NOW, dialect, database });
  running.push(app);
  const warnings: Warning[] = [];
  let now = NOW;
  const sync = createSync({
    config: app.config,
    store: app.store,
    log: { info: () => {}, warn: (fields, message) => warnings.push({ fields: { ...fields }, message }) },
    now: () => now,
    expansion: { budgetMs: EXPANSION_BUDGET_MS },
  });
  syncs.push(sync);
  const syncOnce = async () => [...(await sync.syncAll()).values()];
  return { app, sync, syncOnce, warnings, setNow: (at: number) => (now = at) };
}

const get = async (url: string) => (await fetch(url)).status;
const readyz = async (app: Running) => (await fetch(`${app.url}/readyz`)).json();

describe.each(DIALECTS)('on %s', (dialect) => {
  it.each([
    ['an RRULE that never matches', 'never-matching', /took more than 1 s/],
    ['FREQ=SECONDLY without end', 'secondly', /took more than 1 s|More than 100000 occurrences/],
    ['a feed over max_size', 'too-big', /larger than 64 KB \(max_size\)/],
    ['an endless response', 'endless', /larger than 64 KB \(max_size\)/],
  ] as const)(
    'should fail the sync of %s, keep the last good busy time and answer every calendar meanwhile',
    { timeout: 20_000 },
    async (_, mode, reason) => {
      feed.mode = 'good';
      const { app, syncOnce, warnings, setNow } = await startApp(dialect);
      expect(await syncOnce()).toEqual(['synced']);
      expect(starts(await app.post('/available', {}))).not.toContain('2026-12-01T09:00:00.000Z');

      feed.mode = mode;
      setNow(NOW + 10 * 60_000);
      const requested = nextRequest();
      let settled = false;
      const outcome = syncOnce().finally(() => (settled = true));
      await requested;
      // While the feed is read and expanded, every calendar answers; `answeredWhileSyncing` counts
      // the rounds that completed before the sync did.
      let answeredWhileSyncing = 0;
      do {
        const answers = await Promise.all([
          get(`${app.url}/healthz`),
          app.post('/available', {}).then((answer) => answer.status),
          app.post('/calendars/other/available', {}).then((answer) => answer.status),
        ]);
        expect(answers).toEqual([200, 200, 200]);
        if (!settled) answeredWhileSyncing++;
      } while (!settled);
      if (mode === 'never-matching' || mode === 'secondly') expect(answeredWhileSyncing).toBeGreaterThan(0);

      expect(await outcome).toEqual(['failed']);
      const [state] = await app.store.sourceStates();
      expect(state?.error).toMatch(reason);
      const report = await readyz(app);
      expect(report.sources).toEqual([
        {
          id: expect.stringMatching(/^main\/anna\//),
          stale: false,
          synced_at: '2026-11-30T06:00:00.000Z',
          failures: 1,
        },
      ]);
      // Logged once, by the source's id, never its address.
      const failures = warnings.filter((warning) => warning.fields['source'] === state?.sourceId);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.fields['reason']).toMatch(reason);
      expect(JSON.stringify(warnings)).not.toContain(feedUrl);
      // The last good busy time still blocks its slot.
      const listed = starts(await app.post('/available', {}));
      expect(listed).not.toContain('2026-12-01T09:00:00.000Z');
      expect(listed).toContain('2026-12-01T10:00:00.000Z');
    },
  );

  it('should fail the sync of a CalDAV calendar whose answer never ends', { timeout: 20_000 }, async () => {
    feed.mode = 'endless';
    const { app, syncOnce } = await startApp(dialect, undefined, 'caldav');
    expect(await syncOnce()).toEqual(['failed']);
    const [state] = await app.store.sourceStates();
    expect(state?.error).toMatch(/larger than 64 KB \(max_size\)/);
  });

  it(
    'should not let another process retry a source that overran before its backoff has passed',
    { timeout: 30_000 },
    async () => {
      feed.mode = 'never-matching';
      const first = await startApp(dialect);
      const second = await startApp(dialect, first.app.database);
      feed.requests = 0;
      expect(await first.syncOnce()).toEqual(['failed']);

      // Failed for every process: none tries it again before the first backoff (15 s) has passed.
      second.setNow(NOW + 1_000);
      expect(await second.syncOnce()).toEqual(['skipped']);
      expect(feed.requests).toBe(1);
      second.setNow(NOW + 15_000);
      expect(await second.syncOnce()).toEqual(['failed']);
      expect(feed.requests).toBe(2);

      // The second failure in a row doubles the backoff, for the first process as well.
      first.setNow(NOW + 15_000 + 29_000);
      expect(await first.syncOnce()).toEqual(['skipped']);
      first.setNow(NOW + 15_000 + 30_000);
      expect(await first.syncOnce()).toEqual(['failed']);
      expect(feed.requests).toBe(3);
      expect((await readyz(first.app)).sources[0]).toMatchObject({ failures: 3, synced_at: null });
    },
  );
});

describe('a real slotline process', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'slotline-hostile-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it(
    'should keep answering and stop on SIGTERM while it expands an RRULE that never matches',
    { timeout: PROCESS_TEST_TIMEOUT_MS },
    async ({ signal }) => {
      feed.mode = 'never-matching';
      const requested = nextRequest();
      const config = join(folder, 'slotline.yaml');
      writeFileSync(config, yaml());
      const slotline = await serve(['--config', config, '--database', freshDatabase('sqlite')], { signal });
      // The sync starts once the server listens; its expansion may take 10 s.
      await requested;
      expect(await get(`${slotline.url}/healthz`)).toBe(200);
      expect((await slotline.post('/calendars/other/available', {})).status).toBe(200);

      expect(await slotline.stop()).toBe(0);
    },
  );
});
