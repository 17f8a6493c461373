/**
 * The /book storm: distinct contacts booking distinct starts that cycle over a calendar's future
 * grid, and afterwards the database check that no two active bookings on a resource overlap
 * (SQLite, or PostgreSQL in SQL).
 */
/* global performance */
import BetterSqlite3 from 'better-sqlite3';
import { JSON_HEADERS, combine, measure } from './load.js';

/**
 * Runs the storm and counts the answers saying success. Request N is contact `${prefix}N` booking
 * grid[(offset + N) mod length]: every start is asked for again on each pass, so once its
 * resources are taken the later askers fail, as they should.
 */
export async function bookStorm({ url, path, grid, connections, duration, prefix, offset = 0 }) {
  let next = 0;
  const successTimes = [];
  let firstFailure;
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
          const start = new Date(grid[(offset + n) % grid.length]).toISOString();
          return { ...request, body: JSON.stringify({ contact_id: `${prefix}${n}`, start_iso: start }) };
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
export function combineStorms(results) {
  return {
    ...combine(results),
    successes: results.reduce((sum, result) => sum + result.successes, 0),
    successRate: results.reduce((sum, result) => sum + result.successRate, 0),
    successTimes: results.flatMap((result) => result.successTimes),
    firstFailure: results.find((result) => result.firstFailure)?.firstFailure,
  };
}

/** Successes per one-second bucket of the run: shows whether the rate held over the whole storm. */
export function successesPerSecond(successTimes, seconds) {
  const buckets = new Array(Math.ceil(seconds)).fill(0);
  for (const t of successTimes) buckets[Math.min(buckets.length - 1, Math.floor(t / 1000))]++;
  return buckets;
}

/**
 * Sweeps each resource's active bookings in start order, over the whole table (every calendar):
 * one that starts before the furthest end seen so far overlaps an earlier one. Returns the
 * overlapping pairs (ids), the row count, and the active bookings per calendar.
 */
export function findDoubleBookings(dbPath) {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `select id, calendar_id, resource_id, blocked_start, blocked_end from bookings
         where status = 'active' order by calendar_id, resource_id, blocked_start, id`,
      )
      .all();
    const perCalendar = Object.fromEntries(
      db
        .prepare(`select calendar_id, count(*) as n from bookings where status = 'active' group by calendar_id`)
        .all()
        .map((row) => [row.calendar_id, row.n]),
    );
    const doubles = [];
    let previous = null;
    for (const row of rows) {
      const sameResource =
        previous && previous.calendar_id === row.calendar_id && previous.resource_id === row.resource_id;
      if (sameResource && row.blocked_start < previous.blocked_end) doubles.push([previous.id, row.id]);
      if (!sameResource || row.blocked_end > previous.blocked_end) previous = row;
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
export async function findPostgresDoubleBookings(client) {
  const { rows: doubles } = await client.query(`
    select id, calendar_id, resource_id, blocked_start, earlier_end from (
      select id, calendar_id, resource_id, blocked_start,
        max(blocked_end) over (
          partition by calendar_id, resource_id order by blocked_start, id
          rows between unbounded preceding and 1 preceding
        ) as earlier_end
      from bookings where status = 'active'
    ) ordered
    where blocked_start < earlier_end`);
  const { rows: counts } = await client.query(
    `select calendar_id, count(*)::int as n from bookings where status = 'active' group by calendar_id order by calendar_id`,
  );
  return {
    doubles: doubles.map((row) => row.id),
    activeRows: counts.reduce((sum, row) => sum + row.n, 0),
    perCalendar: Object.fromEntries(counts.map((row) => [row.calendar_id, row.n])),
  };
}
