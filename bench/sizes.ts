/**
 * The `sizes` phase's scenarios over HTTP: the large config (engine-sizes.ts) and many calendars,
 * each with its config file and a SQLite file seeded by bulk insert; and the requests it times.
 */
import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { LARGE_HORIZON_DAYS, LARGE_HOURS, largeBookings } from './engine-sizes.js';
import { BenchFailure } from './harness.js';
import { DAY, DURATION, MINUTE, TIMEZONE } from './scenario.js';
import { insertRows, longestBlocked, type Row } from './seed.js';
import type { Server } from './servers.js';

export const LARGE_ID = 'large';
export const MANY_CALENDARS = 100;
export const MANY_RESOURCES = 10;
/** Bookings per resource of each of the many calendars: 500,000 in all. */
const MANY_BOOKINGS_PER_RESOURCE = 500;
const MANY_HORIZON_DAYS = 30;

export const MANY_SCENARIO =
  `${MANY_CALENDARS} calendars × ${MANY_RESOURCES} resources, each calendar the reference's rules ` +
  `(08:00-20:00, 30-minute slots on a 15-minute grid, ${MANY_HORIZON_DAYS}-day horizon, max_slots 40), ` +
  `${(MANY_CALENDARS * MANY_RESOURCES * MANY_BOOKINGS_PER_RESOURCE).toLocaleString('en-US')} future bookings ` +
  `(${MANY_BOOKINGS_PER_RESOURCE} a resource, on the half hours)`;

const clock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

export function writeLargeConfig(path: string): void {
  const resources = LARGE_HOURS.map(
    ({ id, hours }) =>
      `      - id: ${id}\n        hours:\n          mon-sun: [${hours
        .map((range) => `"${clock(range.start)}-${clock(range.end)}"`)
        .join(', ')}]`,
  ).join('\n');
  writeFileSync(
    path,
    `calendars:
  - id: ${LARGE_ID}
    name: Large config
    timezone: ${TIMEZONE}
    duration: 1m
    min_notice: 0m
    horizon: ${LARGE_HORIZON_DAYS}d
    max_slots: 1000
    booking: true
    hours:
      mon-sun: ["08:00-20:00"]
    resources:
${resources}
`,
  );
}

export function writeManyConfig(path: string): void {
  const calendar = (c: number) => `  - id: c${c}
    name: Calendar ${c}
    timezone: ${TIMEZONE}
    duration: 30m
    interval: 15m
    min_notice: 0m
    horizon: ${MANY_HORIZON_DAYS}d
    max_slots: 40
    booking: true
    hours:
      mon-sun: ["08:00-20:00"]
    resources:
${Array.from({ length: MANY_RESOURCES }, (_, r) => `      - { id: r${r} }`).join('\n')}`;
  writeFileSync(path, `calendars:\n${Array.from({ length: MANY_CALENDARS }, (_, c) => calendar(c)).join('\n')}\n`);
}

/** A booking row of the seed's shape. */
function row(calendar: string, id: string, resource: string, start: number, end: number, now: number): Row {
  return {
    id,
    calendar_id: calendar,
    resource_id: resource,
    start_at: start,
    end_at: end,
    blocked_start: start,
    blocked_end: end,
    contact_key: `contact_id:${id}`,
    contact_id: id,
    external_contact_id: null,
    contact_details: '{}',
    status: 'active',
    created_at: now - DAY,
    cancelled_at: null,
  };
}

export function seedLarge(path: string, now: number): number {
  const rows = largeBookings(now).map((range) =>
    row(LARGE_ID, range.bookingId, range.resourceId, range.blockedStart, range.blockedEnd, now),
  );
  insertRows(path, {
    rows,
    versions: [{ calendar_id: LARGE_ID, version: rows.length, longest_blocked: longestBlocked(rows) }],
  });
  return rows.length;
}

/** Each resource's bookings on distinct half hours of 08:00-20:00 over the horizon, from tomorrow. */
export function seedMany(path: string, now: number): number {
  const today = DateTime.fromMillis(now, { zone: TIMEZONE }).startOf('day');
  const openings = Array.from({ length: MANY_HORIZON_DAYS - 1 }, (_, day) =>
    today.plus({ days: day + 1, hours: 8 }).toMillis(),
  );
  const cells = openings.length * 24;
  const rows: Row[] = [];
  for (let c = 0; c < MANY_CALENDARS; c++) {
    for (let r = 0; r < MANY_RESOURCES; r++) {
      // A different stride per resource picks distinct cells without a random draw.
      const stride = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41][r]!;
      for (let i = 0; i < MANY_BOOKINGS_PER_RESOURCE; i++) {
        const cell = (i * stride + c) % cells;
        const start = openings[Math.floor(cell / 24)]! + (cell % 24) * 30 * MINUTE;
        rows.push(row(`c${c}`, `c${c}-r${r}-${i}`, `r${r}`, start, start + DURATION, now));
      }
    }
  }
  const versions = Array.from({ length: MANY_CALENDARS }, (_, c) => ({
    calendar_id: `c${c}`,
    version: MANY_RESOURCES * MANY_BOOKINGS_PER_RESOURCE,
    longest_blocked: DURATION,
  }));
  insertRows(path, { rows, versions });
  return rows.length;
}

/** One /available of a calendar, timed from sending to the whole answer read. */
export async function timedAvailable(server: Server, calendar: string) {
  const started = performance.now();
  const response = await fetch(`${server.url}/calendars/${calendar}/available`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contact_id: 'bench' }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new BenchFailure(`/calendars/${calendar}/available answered ${response.status}`);
  const slots = (JSON.parse(text) as { available?: { start_iso: string }[] }).available ?? [];
  return { ms, slots: slots.map((slot) => slot.start_iso) };
}

/** Books `start_iso` on a calendar; a failure to book a listed slot fails the run. */
export async function book(server: Server, calendar: string, contact: string, startIso: string): Promise<void> {
  const response = await fetch(`${server.url}/calendars/${calendar}/book`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contact_id: contact, start_iso: startIso }),
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('"status":"success"')) {
    throw new BenchFailure(`booking the listed ${startIso} on ${calendar} answered ${response.status}: ${text}`);
  }
}
