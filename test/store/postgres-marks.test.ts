import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { openStore } from '../../src/store/open-store.js';
import { listenForMarks, markAnnouncer, marksChannel, type ChangeMarks } from '../../src/store/postgres.marks.js';
import type { Store } from '../../src/store/store.js';
import { DIALECTS, dropTestDatabases, freshDatabase, POSTGRES_URL } from '../dialects.js';
import { bookDirectly } from './book-directly.js';

/**
 * Change marks on PostgreSQL travel by LISTEN/NOTIFY: a process learns of another's commit
 * without asking, and a listener that lost its connection connects again and reads every mark.
 */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const MINUTE = 60_000;
/** Far longer than a notification or a reconnect needs; the tests wait for the condition itself. */
const SOON = { timeout: 10_000, interval: 10 };
/** So long that the periodic check never runs within a test: only notifications move the marks. */
const NEVER_MS = 600_000;

const stores: Store[] = [];
const listeners: ChangeMarks[] = [];
afterEach(async () => {
  await Promise.all([...stores.splice(0).map((store) => store.close()), ...listeners.splice(0).map((l) => l.close())]);
});
afterAll(dropTestDatabases);

async function book(store: Store, id: string, start: number): Promise<number> {
  return Number((await bookDirectly(store, { id, start, createdAt: NOW }))!.markAfter);
}

/** Ends the listener's connection from the server's side, as a restart or a network cut would. */
async function terminate(applicationName: string): Promise<number> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe.runIf(DIALECTS.includes('postgres'))('change marks on postgres', () => {
  const open = async () => {
    const url = freshDatabase('postgres');
    const store = await openStore(url, DEFAULT_POOL);
    stores.push(store);
    const schema = new URL(url).searchParams.get('schema')!;
    return { store, url, schema };
  };

  const listen = (url: string, schema: string, retryMs: number) => {
    const parsed = new URL(url);
    parsed.searchParams.delete('schema');
    const applicationName = `marks test ${schema}`;
    const marks = listenForMarks({
      connection: {
        connectionString: parsed.toString(),
        options: `-c search_path="${schema}",public`,
        application_name: applicationName,
      },
      schema,
      checkEveryMs: NEVER_MS,
      retryMs,
    });
    listeners.push(marks);
    return { marks, applicationName };
  };

  it("should learn of another process's booking by notification, without asking", async () => {
    const { store, url, schema } = await open();
    const { marks } = listen(url, schema, 100);
    await vi.waitFor(() => expect(marks.live()).toBe(true), SOON);
    expect(marks.read('cal')).toBe('0');

    const version = await book(store, 'b1', NOW + 60 * MINUTE);
    await vi.waitFor(() => expect(marks.read('cal')).toBe(String(version)), SOON);
    const next = await book(store, 'b2', NOW + 120 * MINUTE);
    await vi.waitFor(() => expect(marks.read('cal')).toBe(String(next)), SOON);
    expect(marks.read('elsewhere')).toBe('0');
  });

  // Where Debian's PostgreSQL listens locally; the README tells a deployment on one host to use it.
  const socketDirectory = '/var/run/postgresql';
  const socket = `${socketDirectory}/.s.PGSQL.${new URL(POSTGRES_URL).port || 5432}`;
  it.runIf(existsSync(socket))(
    "should book through the server's Unix socket, in the URL's schema, and be heard over TCP",
    async () => {
      const { store: overTcp, url, schema } = await open();
      const overSocketUrl = new URL(url);
      overSocketUrl.searchParams.set('host', socketDirectory);
      const overSocket = await openStore(overSocketUrl.toString(), DEFAULT_POOL);
      stores.push(overSocket);
      const { marks } = listen(url, schema, 100);
      await vi.waitFor(() => expect(marks.live()).toBe(true), SOON);

      // The URL's host is the one connected to: a folder without the socket fails at once.
      const nowhere = new URL(overSocketUrl);
      nowhere.searchParams.set('host', '/nonexistent');
      await expect(openStore(nowhere.toString(), DEFAULT_POOL)).rejects.toThrow();

      const version = await book(overSocket, 'b1', NOW + 60 * MINUTE);
      expect((await overTcp.bookingById('b1'))?.calendarId).toBe('cal');
      await vi.waitFor(() => expect(marks.read('cal')).toBe(String(version)), SOON);
    },
  );

  it('should announce the moves of a wait together, with the newest version of each calendar', async () => {
    const { url, schema } = await open();
    const parsed = new URL(url);
    parsed.searchParams.delete('schema');
    const pool = new pg.Pool({ connectionString: parsed.toString(), max: 1 });
    const client = new pg.Client({ connectionString: parsed.toString() });
    try {
      await client.connect();
      const heard: string[] = [];
      client.on('notification', ({ payload }) => heard.push(payload!));
      await client.query(`listen "${marksChannel(schema)}"`);
      const announcer = markAnnouncer(pool, schema, 200);
      announcer.moved('cal', 1);
      announcer.moved('cal', 3);
      announcer.moved('other', 5);
      announcer.moved('cal', 2);
      await vi.waitFor(() => expect(heard).toEqual(['3 cal', '5 other']), SOON);

      // Waiting longer than anything ever waits: flush (before the pool closes) sends it at once.
      const waiting = markAnnouncer(pool, schema, NEVER_MS);
      waiting.moved('cal', 4);
      await waiting.flush();
      await vi.waitFor(() => expect(heard).toEqual(['3 cal', '5 other', '4 cal']), SOON);
    } finally {
      await client.end();
      await pool.end();
    }
  });

  it("should learn of another process's busy time and cancel by notification", async () => {
    const { store, url, schema } = await open();
    const { marks } = listen(url, schema, 100);
    await vi.waitFor(() => expect(marks.live()).toBe(true), SOON);
    await book(store, 'b1', NOW + 60 * MINUTE);

    await store.replaceBusy({ id: 'feed', calendarId: 'cal', resourceId: 'r1' }, [
      { start: NOW + 180 * MINUTE, end: NOW + 240 * MINUTE },
    ]);
    await vi.waitFor(() => expect(marks.read('cal')).toBe('2'), SOON);
    await store.cancel({ bookingId: 'b1', now: NOW, actor: 'test', reason: null, writtenTo: () => [] });
    await vi.waitFor(() => expect(marks.read('cal')).toBe('3'), SOON);
  });

  it('should connect again after losing its connection and read the marks it missed', async () => {
    const { store, url, schema } = await open();
    await book(store, 'b1', NOW + 60 * MINUTE);
    // A long pause before reconnecting, so the next booking is committed while nobody listens.
    const { marks, applicationName } = listen(url, schema, 1_500);
    await vi.waitFor(() => expect(marks.live()).toBe(true), SOON);

    expect(await terminate(applicationName)).toBe(1);
    await vi.waitFor(() => expect(marks.live()).toBe(false), SOON);
    // While down it vouches for nothing: the store reads the mark from the database instead.
    expect(marks.read('cal')).toBeUndefined();
    const missed = await book(store, 'b2', NOW + 120 * MINUTE);

    await vi.waitFor(() => expect(marks.read('cal')).toBe(String(missed)), SOON);
    const after = await book(store, 'b3', NOW + 180 * MINUTE);
    await vi.waitFor(() => expect(marks.read('cal')).toBe(String(after)), SOON);
  });

  it("should answer every request with the database's mark while its own listener is down", async () => {
    const { store, url, schema } = await open();
    const other = await openStore(url, DEFAULT_POOL);
    stores.push(other);
    await book(other, 'b1', NOW + 60 * MINUTE);
    await vi.waitFor(async () => expect(await store.changeMark('cal')).toBe('1'), SOON);

    // The store's own listener, cut: its reconnect comes a second later.
    expect(await terminate(`slotline marks ${schema}`)).toBe(2);
    const version = await book(other, 'b2', NOW + 120 * MINUTE);
    await vi.waitFor(async () => expect(await store.changeMark('cal')).toBe(String(version)), SOON);
  });
});
