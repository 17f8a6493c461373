import { createHash } from 'node:crypto';
import pg from 'pg';
import type { KnownMarks } from './booking.store.js';

/**
 * The calendars' change marks held in memory on PostgreSQL, so that /available needs no round
 * trip to learn whether the bookings changed. Every commit that moves a mark is announced
 * (`markAnnouncer`, on a channel of Slotline's schema); one dedicated connection listens and
 * keeps the newest version per calendar. When it connects, and every `checkEveryMs` after, it
 * reads every mark again (a safety net, and its own heartbeat, and what catches a commit whose
 * process died before announcing it); while it is down, `read` answers undefined and the store
 * reads the mark per request. See docs/ARCHITECTURE.md, "Change marks on PostgreSQL".
 */
export interface ChangeMarks extends KnownMarks {
  /** Whether the listening connection is up and its marks read. */
  live(): boolean;
  close(): Promise<void>;
}

export interface MarkListenerOptions {
  readonly connection: pg.ClientConfig;
  /** Slotline's schema (the channel's name follows it). */
  readonly schema: string;
  readonly checkEveryMs: number;
  /** Pause before connecting again after the connection failed. */
  readonly retryMs: number;
}

/** The channel the marks travel on: one per schema, at most 63 bytes whatever the schema's name. */
export const marksChannel = (schema: string) => `slotline ${createHash('md5').update(schema).digest('hex')}`;

/**
 * The notification of calendars' marks, one `<version> <calendar>` each, in one statement that is
 * a transaction of its own: notifying inside a booking's transaction would hold PostgreSQL's
 * database-wide notify lock across its WAL flush, and so make every commit one flush at a time.
 */
export function marksNotice(schema: string, versions: ReadonlyMap<string, number>): pg.QueryConfig {
  return {
    name: 'slotline_marks_moved',
    text: 'select pg_notify($1, payload) from unnest($2::text[]) as payload',
    values: [marksChannel(schema), [...versions].map(([calendarId, version]) => `${version} ${calendarId}`)],
  };
}

export interface MarkAnnouncer {
  /** A commit of this process moved the calendar's mark to `version`. */
  moved(calendarId: string, version: number): void;
  /** Announces what is still waiting, at once (before the pool closes). */
  flush(): Promise<void>;
}

/**
 * Announces the marks this process moves, gathered: the first move starts a wait of `delayMs`,
 * after which one statement (`marksNotice`) carries the newest version of each calendar moved
 * meanwhile. A storm of bookings then costs the database one notification, and each listening
 * process one wake-up, per calendar per wait, not one per booking (the listening backends are
 * signalled and send to their clients for each). Other processes learn of a commit up to
 * `delayMs` later, which is harmless for the reason in docs/ARCHITECTURE.md; this process noted
 * its own commit at once. An announcement that fails is left to the listeners' periodic check.
 */
export function markAnnouncer(pool: pg.Pool, schema: string, delayMs: number): MarkAnnouncer {
  let waiting = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let sent: Promise<unknown> = Promise.resolve();
  const send = () => {
    clearTimeout(timer);
    timer = undefined;
    if (waiting.size > 0) {
      const versions = waiting;
      waiting = new Map();
      sent = pool.query(marksNotice(schema, versions)).catch(() => {});
    }
    return sent;
  };
  return {
    moved(calendarId, version) {
      if (version > (waiting.get(calendarId) ?? 0)) waiting.set(calendarId, version);
      if (timer === undefined) {
        timer = setTimeout(send, delayMs);
        timer.unref();
      }
    },
    flush: async () => {
      await send();
    },
  };
}

export function listenForMarks(options: MarkListenerOptions): ChangeMarks {
  const versions = new Map<string, number>();
  const channel = marksChannel(options.schema);
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const learn = (calendarId: string, version: number) => {
    if (version > (versions.get(calendarId) ?? 0)) versions.set(calendarId, version);
  };

  const readAll = async (on: pg.Client) => {
    const { rows } = await on.query<{ calendar_id: string; version: number | string }>(
      'select calendar_id, version from booking_versions',
    );
    for (const row of rows) learn(row.calendar_id, Number(row.version));
  };

  const schedule = (run: () => Promise<void>, ms: number) => {
    if (closed) return;
    timer = setTimeout(() => void run(), ms);
    timer.unref();
  };

  /** Drops the connection: requests read the mark from the database until it is back. */
  const fail = (failed: pg.Client) => {
    if (client !== failed) return;
    listening = false;
    client = undefined;
    clearTimeout(timer);
    void failed.end().catch(() => {});
    schedule(connect, options.retryMs);
  };

  const check = async () => {
    const on = client;
    if (!on) return;
    try {
      await readAll(on);
      schedule(check, options.checkEveryMs);
    } catch {
      fail(on);
    }
  };

  const connect = async () => {
    if (closed) return;
    const on = new pg.Client(options.connection);
    client = on;
    // Marks start again from what this connection hears and reads (a restored database may hold older ones).
    versions.clear();
    on.on('error', () => fail(on));
    on.on('end', () => fail(on));
    on.on('notification', ({ channel: from, payload }) => {
      if (from !== channel || !payload) return;
      const space = payload.indexOf(' ');
      learn(payload.slice(space + 1), Number(payload.slice(0, space)));
    });
    try {
      await on.connect();
      await on.query(`listen "${channel}"`);
      // Listening first, then reading: a commit in between is in the rows or in a notification.
      await readAll(on);
      if (client !== on || closed) return;
      listening = true;
      schedule(check, options.checkEveryMs);
    } catch {
      fail(on);
    }
  };

  void connect();

  return {
    read: (calendarId) => (listening ? String(versions.get(calendarId) ?? 0) : undefined),
    note: learn,
    live: () => listening,
    close: async () => {
      closed = true;
      listening = false;
      clearTimeout(timer);
      const on = client;
      client = undefined;
      await on?.end().catch(() => {});
    },
  };
}
