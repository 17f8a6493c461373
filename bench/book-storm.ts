/**
 * The /book storm: distinct contacts booking distinct starts that cycle over a calendar's future
 * grid, and afterwards the database check that no two active bookings on a resource overlap
 * (SQLite, or PostgreSQL in SQL).
 */
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { JSON_HEADERS, combine, measure, signedHeaders, type LoadResult } from './load.js';

export interface StormResult extends LoadResult {
  readonly successes: number;
  /** Successes per second of the run. */
  readonly successRate: number;
  /** When each success came, in ms from the start of the run. */
  readonly successTimes: readonly number[];
  readonly firstFailure: string | undefined;
}

export interface StormOptions {
  readonly url: string;
  readonly path: string;
  readonly grid: readonly number[];
  readonly connections: number;
  readonly duration: number;
  readonly prefix: string;
  readonly offset?: number;
  /** The contact details each booking carries; none unless given. */
  readonly contactDetails?: (contactId: string) => Record<string, unknown>;
}

export interface DoubleBookingCheck {
  /** Overlapping bookings (ids; pairs on SQLite). */
  readonly doubles: readonly unknown[];
  readonly activeRows: number;
  readonly perCalendar: Readonly<Record<string, number>>;
}

interface ActiveRow {
  id: string;
  calendar_id: string;
  resource_id: string;
  blocked_start: number;
  blocked_end: number;
}

/**
 * Runs the storm and counts the answers saying success. Request N is contact `${prefix}N` booking
 * grid[(offset + N) mod length]: every start is asked for again on each pass, so once its
 * resources are taken the later askers fail, as they should.
 */
export async function bookStorm({
  url,
  path,
  grid,
  connections,
  duration,
  prefix,
  offset = 0,
  contactDetails,
}: StormOptions): Promise<StormResult> {
  let next = 0;
  const successTimes: number[] = [];
  let firstFailure: string | undefined;
  const started = performance.now();
  const result = await measure({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path,
        headers: JSON_HEADERS,
        setupRequest: (request) => {
          const n = next++;
          const start = new Date(grid[(offset + n) % grid.length] ?? NaN).toISOString();
          const contact = `${prefix}${n}`;
          const details = contactDetails && { contact_details: contactDetails(contact) };
          const body = JSON.stringify({ contact_id: contact, start_iso: start, ...details });
          return { ...request, body, headers: signedHeaders(body) };
        },
        onResponse: (status, body) => {
          if (status === 200 && body.includes('"status":"success"')) successTimes.push(performance.now() - started);
          else firstFailure ??= `${status} ${body}`;
        },
      },
    ],
  });
  return {
    ...result,
    successes: successTimes.length,
    successRate: successTimes.length / result.seconds,
    successTimes,
    firstFailure,
  };
}

/**
 * Storms run at the same time against several servers as one: see `combine`. Success rates add up
 * (each over its own run's length); each storm's success times count from its own start, and they
 * started together.
 */
export function combineStorms(results: readonly StormResult[]): StormResult {
  return {
    ...combine(results),
    successes: results.reduce((sum, result) => sum + result.successes, 0),
    successRate: results.reduce((sum, result) => sum + result.successRate, 0),
    successTimes: results.flatMap((result) => result.successTimes),
    firstFailure: results.find((result) => result.firstFailure)?.firstFailure,
  };
}

/** Successes per one-second bucket of the run: shows whether the rate held over the whole storm. */
export function successesPerSecond(successTimes: readonly number[], seconds: number): number[] {
  const buckets = new Array<number>(Math.ceil(seconds)).fill(0);
  for (const t of successTimes) {
    const at = Math.min(buckets.length - 1, Math.floor(t / 1000));
    buckets[at] = (buckets[at] ?? 0) + 1;
  }
  return buckets;
}

/**
 * Sweeps each resource's active bookings in start order, over the whole table (every calendar):
 * one that starts before the furthest end seen so far overlaps an earlier one. Returns the
 * overlapping pairs (ids), the row count, and the active bookings per calendar.
 */
export function findDoubleBookings(dbPath: string): DoubleBookingCheck {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare<[], ActiveRow>(
        `select id, calendar_id, resource_id, blocked_start, blocked_end from bookings
         where status = 'active' order by calendar_id, resource_id, blocked_start, id`,
      )
      .all();
    const perCalendar = Object.fromEntries(
      db
        .prepare<[], { calendar_id: string; n: number }>(
          `select calendar_id, count(*) as n from bookings where status = 'active' group by calendar_id`,
        )
        .all()
        .map((row) => [row.calendar_id, row.n]),
    );
    const doubles: [string, string][] = [];
    let previous: ActiveRow | undefined;
    for (const row of rows) {
      const sameResource =
        previous !== undefined && previous.calendar_id === row.calendar_id && previous.resource_id === row.resource_id;
      if (previous && sameResource && row.blocked_start < previous.blocked_end) doubles.push([previous.id, row.id]);
      if (!previous || !sameResource || row.blocked_end > previous.blocked_end) previous = row;
    }
    return { doubles, activeRows: rows.length, perCalendar };
  } finally {
    db.close();
  }
}

/**
 * The same check on PostgreSQL, in SQL, through `client` (search_path on the bench schema): per
 * (calendar, resource), an active booking that starts before the furthest end among the active
 * bookings ordered before it overlaps one of them.
 */
export async function findPostgresDoubleBookings(client: pg.Client): Promise<DoubleBookingCheck> {
  const { rows: doubles } = await client.query<{ id: string }>(`
    select id, calendar_id, resource_id, blocked_start, earlier_end from (
      select id, calendar_id, resource_id, blocked_start,
        max(blocked_end) over (
          partition by calendar_id, resource_id order by blocked_start, id
          rows between unbounded preceding and 1 preceding
        ) as earlier_end
      from bookings where status = 'active'
    ) ordered
    where blocked_start < earlier_end`);
  const { rows: counts } = await client.query<{ calendar_id: string; n: number }>(
    `select calendar_id, count(*)::int as n from bookings where status = 'active' group by calendar_id order by calendar_id`,
  );
  return {
    doubles: doubles.map((row) => row.id),
    activeRows: counts.reduce((sum, row) => sum + row.n, 0),
    perCalendar: Object.fromEntries(counts.map((row) => [row.calendar_id, row.n])),
  };
}
