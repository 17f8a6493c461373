/**
 * The scenarios of DESIGN §5, in one place: the reference calendar, the `storm` calendar that the
 * /book storm and the simulator book on, the `sourced` calendar whose resources read ICS feeds,
 * their config file, and the slot grids drawn from.
 */
import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';

export const CALENDAR_ID = 'reference';
export const TIMEZONE = 'Europe/Berlin';
export const RESOURCES = Array.from({ length: 10 }, (_, i) => `r${i + 1}`);
export const MINUTE = 60_000;
export const DAY = 86_400_000;
export const DURATION = 30 * MINUTE;
export const INTERVAL = 15 * MINUTE;
export const HORIZON_DAYS = 30;
export const OPEN_HOUR = 8;
export const CLOSE_HOUR = 20;
/** Starts 08:00, 08:15 … 19:30: the last one still ends by closing time. */
export const STARTS_PER_DAY = ((CLOSE_HOUR - OPEN_HOUR) * 60 * MINUTE - DURATION) / INTERVAL + 1;

/**
 * The /book storm's calendar, in the same config and database: 10 resources open around the clock,
 * 15-minute slots on a 15-minute grid over 60 days, so capacity (10 × 96 × 60 = 57,600 bookings)
 * never binds during a run. Its hours are whole days, so its grid is every quarter hour.
 */
export const STORM_ID = 'storm';
export const STORM_RESOURCES = 10;
export const STORM_INTERVAL = 15 * MINUTE;
export const STORM_HORIZON_DAYS = 60;
export const STORM_CAPACITY = STORM_RESOURCES * (DAY / STORM_INTERVAL) * STORM_HORIZON_DAYS;

/**
 * The calendar-sources scenario: `reference`'s rules, resources and future bookings again, and
 * each resource reads SOURCES_PER_RESOURCE ICS feeds, synced every SOURCES_SYNC_EVERY.
 */
export const SOURCED_ID = 'sourced';
export const SOURCES_PER_RESOURCE = 2;
export const SOURCES_SYNC_EVERY = '1m';

/**
 * The hostile-feeds scenario, in a config of its own: `reference`'s rules and resources again, no
 * bookings, and its first resource reads the hostile feeds (hostile-feeds.ts).
 */
export const HOSTILE_ID = 'hostile';

/** The scenarios' telli API key: every request the bench sends to Slotline is signed, as telli signs them. */
export const SIGNING_KEY = 'bench-telli-key-7d3f9a2c41e8';

/**
 * Writes the scenarios' config; the database and port come from the command line. `feedUrl(resource, n)`
 * is the address of the n-th (0-based) ICS feed of a resource of the `sourced` calendar; with
 * `hostileFeeds` (their addresses), the config holds the `hostile` calendar as well.
 */
export function writeConfig(
  path: string,
  { feedUrl, hostileFeeds }: { feedUrl: (resource: string, n: number) => string; hostileFeeds?: readonly string[] },
): void {
  const list = (ids: readonly string[]) => ids.map((id) => `      - { id: ${id}, name: Resource ${id} }`).join('\n');
  const resources = list(RESOURCES);
  const stormResources = list(Array.from({ length: STORM_RESOURCES }, (_, i) => `s${i + 1}`));
  const sourcedResources = RESOURCES.map(
    (id) => `      - id: ${id}
        name: Resource ${id}
        sync_every: ${SOURCES_SYNC_EVERY}
        sources:
${sources(Array.from({ length: SOURCES_PER_RESOURCE }, (_, n) => feedUrl(id, n)))}`,
  ).join('\n');
  // `reference` and `sourced` differ in their id, name and sources only.
  const referenceRules = `    timezone: ${TIMEZONE}
    duration: 30m
    interval: 15m
    buffer_before: 0m
    buffer_after: 0m
    min_notice: 0m
    horizon: ${HORIZON_DAYS}d
    max_slots: 40
    booking: true
    hours:
      mon-sun: ["08:00-20:00"]`;
  writeFileSync(
    path,
    `signing_keys: ["${SIGNING_KEY}"]
calendars:
  - id: ${CALENDAR_ID}
    name: Reference scenario
${referenceRules}
    resources:
${resources}
  - id: ${STORM_ID}
    name: Booking storm
    timezone: ${TIMEZONE}
    duration: 15m
    interval: 15m
    min_notice: 0m
    horizon: ${STORM_HORIZON_DAYS}d
    max_slots: 40
    booking: true
    hours:
      mon-sun: ["00:00-24:00"]
    resources:
${stormResources}
  - id: ${SOURCED_ID}
    name: Reference scenario with calendar sources
${referenceRules}
    resources:
${sourcedResources}
${hostileFeeds ? hostileCalendar(referenceRules, hostileFeeds) : ''}`,
  );
}

const sources = (urls: readonly string[]) => urls.map((url) => `          - { type: ics, url: "${url}" }`).join('\n');

function hostileCalendar(referenceRules: string, feeds: readonly string[]): string {
  const [first, ...others] = RESOURCES;
  return `  - id: ${HOSTILE_ID}
    name: Reference scenario with hostile calendar feeds
${referenceRules}
    resources:
      - id: ${first}
        name: Resource ${first}
        sync_every: ${SOURCES_SYNC_EVERY}
        sources:
${sources(feeds)}
${others.map((id) => `      - { id: ${id}, name: Resource ${id} }`).join('\n')}
`;
}

/**
 * The grid starts of the local days `fromDay..toDay` (relative to today in Berlin), as epoch ms.
 * Opening time is converted once per day, as the server does; 08:00-20:00 never spans a DST switch.
 */
export function gridStarts(fromDay: number, toDay: number): number[] {
  const today = DateTime.now().setZone(TIMEZONE).startOf('day');
  const starts: number[] = [];
  for (let day = fromDay; day <= toDay; day++) {
    const opening = today.plus({ days: day }).set({ hour: OPEN_HOUR }).toMillis();
    for (let i = 0; i < STARTS_PER_DAY; i++) starts.push(opening + i * INTERVAL);
  }
  return starts;
}

/** Grid starts a caller can book now: after now, not beyond the horizon (with a margin for the run). */
export function futureGrid(now: number, margin = 0): number[] {
  return gridStarts(0, HORIZON_DAYS).filter(
    (start) => start > now + margin && start <= now + HORIZON_DAYS * DAY - margin,
  );
}

/**
 * The storm calendar's bookable starts: every quarter hour (Berlin's offsets are whole hours, so
 * its local quarter hours are UTC ones) after `now + margin` and up to the horizon less `margin`.
 */
export function stormGrid(now: number, margin = 0): number[] {
  const starts: number[] = [];
  const last = now + STORM_HORIZON_DAYS * DAY - margin;
  const first = (Math.floor((now + margin) / STORM_INTERVAL) + 1) * STORM_INTERVAL;
  for (let start = first; start <= last; start += STORM_INTERVAL) starts.push(start);
  return starts;
}
