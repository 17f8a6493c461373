import { afterAll, afterEach, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../../src/config/config.loader.js';
import type { Config } from '../../src/config/config.types.js';
import { telliPost } from '../../src/contract/telli-client.js';
import { buildApp } from '../../src/http/app.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { dropTestDatabases, freshDatabase, type Dialect } from '../dialects.js';

export interface Running {
  readonly url: string;
  /** The app itself, e.g. to start its outbox worker (`app.outbox.start()`), which `slotline serve` starts. */
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly store: Store;
  /** The database URL, to start another app on the same database. */
  readonly database: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** Sends `raw` as it is, for bodies that are not JSON. */
  postRaw(path: string, raw: string, headers?: Record<string, string>): Promise<Answer>;
  setNow(instant: number): void;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  readonly body: any;
}

export interface StartOptions {
  /** Config YAML; `signing_keys` and `calendars` as a user writes them. */
  readonly yaml: string;
  readonly now: number;
  readonly dialect?: Dialect;
  /** Reuse a database, as a restart or a second process does; a fresh one otherwise. */
  readonly database?: string;
  /** Sign every request with this key. */
  readonly signWith?: string;
}

/** The real app on a real database, listening on a loopback port, with a pinned clock. */
export async function start(options: StartOptions): Promise<Running> {
  const database = options.database ?? freshDatabase(options.dialect ?? 'sqlite');
  const config = parseConfig(options.yaml, {});
  const store = await openStore(database, config.databasePool);
  let now = options.now;
  const app: FastifyInstance = buildApp({ config, store, now: () => now, logger: false });
  app.addHook('onClose', () => store.close());
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  const postRaw = async (path: string, raw: string, headers: Record<string, string> = {}) => {
    const exchange = await telliPost(url + path, raw, { key: options.signWith || undefined, headers });
    if (!exchange.answered) throw new Error(`POST ${path}: ${exchange.reason}`);
    const { status, text } = exchange;
    return { status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    url,
    app,
    config,
    store,
    database,
    post: (path, body, headers) => postRaw(path, JSON.stringify(body), headers),
    postRaw,
    setNow: (instant) => {
      now = instant;
    },
    close: () => app.close(),
  };
}

/** A calendar config in YAML, every key overridable. */
/**
 * Starts apps on one dialect for the tests of a file; each test's apps close after it, and the
 * databases are dropped after the file.
 */
export function appsOn(dialect: Dialect): (options: StartOptions) => Promise<Running> {
  const running: Running[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });
  afterAll(dropTestDatabases);
  return async (options) => {
    const app = await start({ dialect, ...options });
    running.push(app);
    return app;
  };
}

export function calendarYaml(fields: Record<string, string> = {}, extraTop = ''): string {
  const defaults: Record<string, string> = {
    id: 'main',
    timezone: 'UTC',
    duration: '30m',
    hours: '{ mon-sun: ["09:00-12:00"] }',
    ...fields,
  };
  const lines = Object.entries(defaults).map(
    ([key, value], index) => `${index === 0 ? '  - ' : '    '}${key}: ${value}`,
  );
  return `${extraTop}calendars:\n${lines.join('\n')}\n`;
}

export const starts = (answer: Answer): string[] =>
  (answer.body.available as { start_iso: string }[]).map((slot) => slot.start_iso);

/**
 * Waits until `check` passes: an app learns of another app's commit on the same database moments
 * after it (by notification on PostgreSQL, up to 10 ms later; docs/ARCHITECTURE.md), while its own
 * commits are in its answers at once.
 */
export const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

/** How many times an app has read a calendar's bookings window from the database. */
export const windowReads = async (app: Running) => {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return Number(/slotline_database_duration_seconds_count\{operation="active_blocked"\} (\d+)/.exec(text)?.[1] ?? 0);
};
