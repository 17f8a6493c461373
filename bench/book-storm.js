/**
 * The /book storm: distinct contacts booking distinct starts that cycle over a calendar's future
 * grid, and afterwards the database check that no two active bookings on a resource overlap.
 */
/* global performance */
import BetterSqlite3 from 'better-sqlite3';
import { JSON_HEADERS, measure } from './load.js';

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
  return { ...result, successes: successTimes.length, successTimes, firstFailure };
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
