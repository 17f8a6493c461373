import { createConnection, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarYaml, start, starts, type Answer, type Running } from '../http/harness.js';
import { DIALECTS, POSTGRES_URL, dropTestDatabases, freshDatabase } from '../dialects.js';

/**
 * PostgreSQL goes away and comes back while Slotline runs. A TCP proxy between the app and the
 * server plays the network: `stall()` stops forwarding (a hung network), `cut()` drops every
 * connection and refuses new ones (a dead server), `restore()` lets connections through again.
 */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const UNAVAILABLE = "I can't book right now. Please try again in a few minutes.";
/** No request may take longer than this while the database is gone. */
const PATIENCE_MS = 4_000;

interface Proxy {
  readonly port: number;
  stall(): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let mode: 'open' | 'stalled' | 'cut' = 'open';
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    track(client);
    client.on('error', () => client.destroy());
    if (mode === 'stalled') {
      client.pause();
      return;
    }
    const upstream = createConnection(target);
    track(upstream);
    // Either side failing takes the other down, as a broken network would.
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port,
    stall: () => {
      mode = 'stalled';
      for (const socket of sockets) socket.pause();
    },
    cut: () => {
      mode = 'cut';
      destroyAll();
    },
    restore: () => {
      mode = 'open';
    },
    close: async () => {
      destroyAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The same database URL, reached through the proxy. */
function throughProxy(database: string, port: number): string {
  const url = new URL(database);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

function upstreamOf(database: string): { host: string; port: number } {
  const url = new URL(database);
  return { host: url.hostname, port: Number(url.port || 5432) };
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not recovered within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const YAML = calendarYaml({}, 'database_pool: { max: 4, connect_timeout: 1s, statement_timeout: 2s }\n');

describe.skipIf(!DIALECTS.includes('postgres'))('when PostgreSQL goes away', () => {
  let proxy: Proxy | undefined;
  let app: Running | undefined;
  // An error nobody handles would kill a real process; here it must fail the test.
  const crashes: unknown[] = [];
  const recordCrash = (error: unknown) => crashes.push(error);
  beforeAll(() => {
    process.on('uncaughtException', recordCrash);
  });
  afterAll(async () => {
    process.off('uncaughtException', recordCrash);
    proxy?.restore();
    await app?.close();
    await proxy?.close();
    await dropTestDatabases();
  });

  it(
    'should answer 503 and "try again" without crashing or hanging, and recover by itself',
    { timeout: 30_000 },
    async () => {
      proxy = await startProxy(upstreamOf(POSTGRES_URL));
      app = await start({ yaml: YAML, now: NOW, database: throughProxy(freshDatabase('postgres'), proxy.port) });
      const { url } = app;
      const running = app;
      const post = (path: string, body: unknown): Promise<Answer> => running.post(path, body);
      const readyz = async () =>
        (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(PATIENCE_MS * 2) })).status;

      const [first, second, third] = starts(await post('/available', {})) as [string, string, string];
      expect((await post('/book', { contact_id: 'before', start_iso: first })).body).toEqual({ status: 'success' });
      // The availability cache is warm now: only the change-mark query stands between it and an answer.
      expect(starts(await post('/available', {}))).not.toContain(first);

      // Queries in flight when the connections drop: the network hangs first, then dies.
      proxy.stall();
      const inFlight = timed(() => Promise.all([readyz(), post('/available', {})]));
      await sleep(300);
      proxy.cut();
      const dropped = await inFlight;
      expect(dropped.value[0]).toBe(503);
      // /available asks the database nothing while the change marks' listening connection is up
      // (docs/ARCHITECTURE.md, "Change marks on PostgreSQL"): it answered from memory, at once.
      expect(dropped.value[1].status).toBe(200);
      expect(starts(dropped.value[1])).not.toContain(first);
      expect(dropped.ms).toBeLessThan(PATIENCE_MS);
      expect(crashes.map(String), 'uncaught exceptions: a real process would have died').toEqual([]);

      const ready = await timed(readyz);
      expect(ready.value).toBe(503);
      expect(ready.ms).toBeLessThan(PATIENCE_MS);

      // The cut ended the listening connection too: now each request asks the database, in vain.
      const available = await timed(() => post('/available', {}));
      expect(available.value).toMatchObject({ status: 503, body: { error: 'not_ready' } });
      expect(available.ms).toBeLessThan(PATIENCE_MS);

      const booked = await timed(() => post('/book', { contact_id: 'during', start_iso: second }));
      expect(booked.value).toEqual({ status: 200, body: { status: 'failed', reason: UNAVAILABLE } });
      expect(booked.ms).toBeLessThan(PATIENCE_MS);

      // A booking without a start needs the database only for its alternatives: the same answer.
      expect((await post('/book', { contact_id: 'during' })).body).toEqual({ status: 'failed', reason: UNAVAILABLE });

      // More requests at once than the pool has connections.
      const burst = await timed(() =>
        Promise.all([
          ...Array.from({ length: 6 }, (_, index) => post('/book', { contact_id: `burst-${index}`, start_iso: third })),
          ...Array.from({ length: 6 }, () => post('/available', {})),
        ]),
      );
      expect(burst.ms).toBeLessThan(PATIENCE_MS);
      expect(burst.value.slice(0, 6)).toEqual(
        Array(6).fill({ status: 200, body: { status: 'failed', reason: UNAVAILABLE } }),
      );
      expect(burst.value.slice(6).map((answer) => answer.status)).toEqual(Array(6).fill(503));
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      proxy.restore();

      await eventually(async () => (await readyz()) === 200, 10_000);
      await eventually(async () => (await post('/available', {})).status === 200, 5_000);
      const after = starts(await post('/available', {}));
      expect(after).not.toContain(first);
      expect(after).toContain(second);
      expect((await post('/book', { contact_id: 'after', start_iso: second })).body).toEqual({ status: 'success' });
      expect(starts(await post('/available', {}))).not.toContain(second);

      const active = (await running.store.bookings('main')).filter((booking) => booking.status === 'active');
      expect(active.map((booking) => [booking.contactId, new Date(booking.start).toISOString()]).sort()).toEqual([
        ['after', second],
        ['before', first],
      ]);
      expect(crashes.map(String), 'uncaught exceptions: a real process would have died').toEqual([]);
    },
  );
});
