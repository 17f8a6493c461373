/**
 * Fills a migrated database, SQLite or PostgreSQL, with the same rows: the reference calendar's
 * bookings, 5,000 active ones over the horizon and 50,000 past ones, none overlapping on a
 * resource, and the 5,000 future ones again for the `sourced` calendar, with each calendar's change
 * mark (`booking_versions`), each resource's last assignment (`resource_assignments`) and each
 * booking's search keys (`booking_search_keys`, from a name and a phone number in its contact
 * details, as the store writes them) to match; inserted in one transaction.
 * The storm calendar starts empty.
 * A fixed random seed keeps every run's database the same shape, so runs compare.
 */
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { CALENDAR_ID, DAY, DURATION, INTERVAL, RESOURCES, SOURCED_ID, futureGrid, gridStarts } from './scenario.js';
import { prng as random } from '../src/simulate/prng.js';
import { searchKeys } from '../src/store/search-keys.js';

export const FUTURE_BOOKINGS = 5_000;
export const PAST_BOOKINGS = 50_000;

/** The phone number in the contact details of the reference calendar's n-th seeded booking, as stored. */
export function seededPhone(n: number): string {
  return `+49 170 ${String(n).padStart(7, '0')}`;
}

/** The same number as a caller might say it: national, with a dash. `q` must find it all the same. */
export function seededPhoneWrittenOtherwise(n: number): string {
  return `0170-${String(n).padStart(7, '0')}`;
}

/**
 * Picks `count` (resource, start) pairs from `starts` whose slots never overlap on one resource.
 * A slot covers two 15-minute cells; a pick that touches a taken cell is skipped and drawn again.
 */
function scatter(starts: readonly number[], count: number, rand: () => number, taken: Set<string>): Pick[] {
  const cells = DURATION / INTERVAL;
  const picks: Pick[] = [];
  for (let attempt = 0; picks.length < count && attempt < count * 50; attempt++) {
    const start = starts[Math.floor(rand() * starts.length)] ?? NaN;
    const resource = RESOURCES[Math.floor(rand() * RESOURCES.length)] ?? '';
    const first = start / INTERVAL;
    const keys = Array.from({ length: cells }, (_, i) => `${resource}:${first + i}`);
    if (keys.some((key) => taken.has(key))) continue;
    for (const key of keys) taken.add(key);
    picks.push({ resource, start });
  }
  if (picks.length < count) throw new Error(`could only place ${picks.length} of ${count} bookings`);
  return picks;
}

interface Pick {
  readonly resource: string;
  readonly start: number;
}

/** The columns of a seeded booking, in insert order. */
const COLUMNS = [
  'id',
  'calendar_id',
  'resource_id',
  'start_at',
  'end_at',
  'blocked_start',
  'blocked_end',
  'contact_key',
  'contact_id',
  'external_contact_id',
  'contact_details',
  'status',
  'created_at',
  'cancelled_at',
] as const;
type Row = Record<(typeof COLUMNS)[number], string | number | null>;
/** 14 values a row: 1,000 rows a statement stay far below PostgreSQL's 65,535 parameters. */
const ROWS_PER_INSERT = 1_000;

/**
 * The rows of both dialects' seed: `reference`'s future and past bookings, and the future ones again
 * for `sourced`, so the two calendars differ in their sources alone. The same on every call with
 * the same `now` (a fixed random seed), and never overlapping on one (calendar, resource).
 * `versions` holds each calendar's change mark and `assignments` each resource's last assignment (for
 * round robin), as if every booking had been made through Slotline.
 */
export function seedRows(now = Date.now()) {
  const rand = random(20_240_601);
  const taken = new Set<string>();
  const horizon = futureGrid(now);
  const future = scatter(horizon, FUTURE_BOOKINGS, rand, taken);
  const past = scatter(
    gridStarts(-366, -1).filter((start) => start + DURATION <= now && start > now - 365 * DAY),
    PAST_BOOKINGS,
    rand,
    taken,
  );
  const toRows = (picks: Pick[], calendar: string, prefix: string, createdBefore: number, firstPhone: number) =>
    picks.map(({ resource, start }, i) => ({
      id: `${prefix}-${i}`,
      calendar_id: calendar,
      resource_id: resource,
      start_at: start,
      end_at: start + DURATION,
      blocked_start: start,
      blocked_end: start + DURATION,
      contact_key: `contact_id:${prefix}-contact-${i}`,
      contact_id: `${prefix}-contact-${i}`,
      external_contact_id: null,
      contact_details: JSON.stringify({ name: `Patient ${prefix} ${i}`, phone: seededPhone(firstPhone + i) }),
      status: 'active',
      // Booked some days ahead of the slot, never in the future.
      created_at: Math.min(now, start) - Math.floor(rand() * createdBefore),
      cancelled_at: null,
    }));
  // Future bookings hold phone numbers 0..4,999, past ones from 5,000 on: each number once per calendar.
  const futureRows = toRows(future, CALENDAR_ID, 'seed-future', 20 * DAY, 0);
  const pastRows = toRows(past, CALENDAR_ID, 'seed-past', 14 * DAY, futureRows.length);
  const sourcedRows = futureRows.map((row, i) => ({
    ...row,
    id: `seed-sourced-${i}`,
    calendar_id: SOURCED_ID,
    contact_key: `contact_id:seed-sourced-contact-${i}`,
    contact_id: `seed-sourced-contact-${i}`,
  }));
  const rows = [...futureRows, ...pastRows, ...sourcedRows];
  const versions = [
    { calendar_id: CALENDAR_ID, version: futureRows.length + pastRows.length },
    { calendar_id: SOURCED_ID, version: sourcedRows.length },
  ];
  const lastAssigned = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.calendar_id}\u0000${row.resource_id}`;
    lastAssigned.set(key, Math.max(lastAssigned.get(key) ?? -Infinity, row.created_at));
  }
  const assignments = [...lastAssigned].map(([key, assigned_at]) => {
    const [calendar_id = '', resource_id = ''] = key.split('\u0000');
    return { calendar_id, resource_id, assigned_at };
  });
  const keys = rows.flatMap((row) =>
    searchKeys({
      contactId: row.contact_id,
      externalContactId: row.external_contact_id,
      contactDetails: JSON.parse(row.contact_details) as unknown,
    }).map((key) => ({ booking_id: row.id, key })),
  );
  return {
    rows,
    versions,
    assignments,
    keys,
    future: futureRows.length,
    past: pastRows.length,
    sourced: sourcedRows.length,
  };
}

/** Seeds the SQLite file at `path` (already migrated) in one transaction; returns how many bookings it wrote. */
export function seed(path: string, now = Date.now()) {
  const { rows, versions, assignments, keys, ...written } = seedRows(now);
  const db = new BetterSqlite3(path);
  const insert = db.prepare(
    `insert into bookings (${COLUMNS.join(', ')}) values (${COLUMNS.map((column) => `@${column}`).join(', ')})`,
  );
  const version = db.prepare('insert into booking_versions (calendar_id, version) values (@calendar_id, @version)');
  const assignment = db.prepare(
    'insert into resource_assignments (calendar_id, resource_id, assigned_at) values (@calendar_id, @resource_id, @assigned_at)',
  );
  const key = db.prepare('insert into booking_search_keys (booking_id, key) values (@booking_id, @key)');
  db.transaction(() => {
    for (const row of rows) insert.run(row);
    for (const row of keys) key.run(row);
    for (const row of versions) version.run(row);
    for (const row of assignments) assignment.run(row);
  })();
  // Fold the WAL into the main file, so a plain file copy is a complete database.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return written;
}

/**
 * Seeds the same rows into a migrated PostgreSQL schema through `client` (a pg Client whose
 * search_path starts with that schema): multi-row INSERTs of ROWS_PER_INSERT rows inside one
 * transaction, then ANALYZE, as autovacuum would soon after such a load.
 */
export async function seedPostgres(client: pg.Client, now = Date.now()) {
  const { rows, versions, assignments, keys, ...written } = seedRows(now);
  await client.query('begin');
  try {
    for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
      const batch = rows.slice(at, at + ROWS_PER_INSERT);
      const values = batch.map(
        (_, r) => `(${COLUMNS.map((_column, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`,
      );
      await client.query(
        `insert into bookings (${COLUMNS.join(', ')}) values ${values.join(', ')}`,
        batch.flatMap((row: Row) => COLUMNS.map((column) => row[column])),
      );
    }
    for (let at = 0; at < keys.length; at += ROWS_PER_INSERT * 5) {
      const batch = keys.slice(at, at + ROWS_PER_INSERT * 5);
      await client.query(
        `insert into booking_search_keys (booking_id, key) values ${batch.map((_, r) => `($${2 * r + 1}, $${2 * r + 2})`).join(', ')}`,
        batch.flatMap((row) => [row.booking_id, row.key]),
      );
    }
    for (const { calendar_id, version } of versions) {
      await client.query('insert into booking_versions (calendar_id, version) values ($1, $2)', [calendar_id, version]);
    }
    for (const { calendar_id, resource_id, assigned_at } of assignments) {
      await client.query(
        'insert into resource_assignments (calendar_id, resource_id, assigned_at) values ($1, $2, $3)',
        [calendar_id, resource_id, assigned_at],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  await client.query('analyze bookings');
  await client.query('analyze booking_search_keys');
  return written;
}
