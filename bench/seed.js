/**
 * Fills a migrated database with the reference calendar's bookings: 5,000 active ones over the
 * horizon and 50,000 past ones, none overlapping on a resource, inserted in one transaction.
 * The storm calendar starts empty.
 * A fixed random seed keeps every run's database the same shape, so runs compare.
 */
import BetterSqlite3 from 'better-sqlite3';
import { CALENDAR_ID, DAY, DURATION, INTERVAL, RESOURCES, futureGrid, gridStarts } from './scenario.js';

export const FUTURE_BOOKINGS = 5_000;
export const PAST_BOOKINGS = 50_000;

/** mulberry32: tiny, deterministic, good enough to scatter bookings. */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Picks `count` (resource, start) pairs from `starts` whose slots never overlap on one resource.
 * A slot covers two 15-minute cells; a pick that touches a taken cell is skipped and drawn again.
 */
function scatter(starts, count, rand, taken) {
  const cells = DURATION / INTERVAL;
  const picks = [];
  for (let attempt = 0; picks.length < count && attempt < count * 50; attempt++) {
    const start = starts[Math.floor(rand() * starts.length)];
    const resource = RESOURCES[Math.floor(rand() * RESOURCES.length)];
    const first = start / INTERVAL;
    const keys = Array.from({ length: cells }, (_, i) => `${resource}:${first + i}`);
    if (keys.some((key) => taken.has(key))) continue;
    for (const key of keys) taken.add(key);
    picks.push({ resource, start });
  }
  if (picks.length < count) throw new Error(`could only place ${picks.length} of ${count} bookings`);
  return picks;
}

/** Seeds the database file at `path` (already migrated); returns how many bookings it wrote. */
export function seed(path, now = Date.now()) {
  const rand = random(20_240_601);
  const taken = new Set();
  const horizon = futureGrid(now);
  const future = scatter(horizon, FUTURE_BOOKINGS, rand, taken);
  const past = scatter(
    gridStarts(-366, -1).filter((start) => start + DURATION <= now && start > now - 365 * DAY),
    PAST_BOOKINGS,
    rand,
    taken,
  );

  const db = new BetterSqlite3(path);
  const insert = db.prepare(`
    insert into bookings (id, calendar_id, resource_id, start_at, end_at, blocked_start, blocked_end,
      contact_key, contact_id, external_contact_id, contact_details, status, created_at, cancelled_at)
    values (@id, @calendar, @resource, @start, @end, @start, @end,
      @contact, @contact, null, '{}', 'active', @created, null)`);
  const insertAll = db.transaction((rows, prefix, createdBefore) => {
    rows.forEach(({ resource, start }, i) => {
      insert.run({
        id: `${prefix}-${i}`,
        calendar: CALENDAR_ID,
        resource,
        start,
        end: start + DURATION,
        contact: `${prefix}-contact-${i}`,
        // Booked some days ahead of the slot, never in the future.
        created: Math.min(now, start) - Math.floor(rand() * createdBefore),
      });
    });
  });
  db.transaction(() => {
    insertAll(future, 'seed-future', 20 * DAY);
    insertAll(past, 'seed-past', 14 * DAY);
  })();
  // Fold the WAL into the main file, so a plain file copy is a complete database.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { future: future.length, past: past.length };
}
