/**
 * The engine on its own, in this process, no HTTP and no database: 50 resources over a 60-day
 * horizon with 100,000 busy intervals, built into ResourceLoads the way the app builds them
 * (resourceLoads, every resource on one shared schedule).
 *
 *   a. listSlots on prebuilt loads, max_slots 40: what a request costs after a booking changed;
 *   b. building the loads from the 100,000 ranges: what reading a whole window costs in memory;
 *   c. listSlots with max_slots 100,000, i.e. every free slot of the horizon: the worst case.
 */
import { DateTime } from 'luxon';
import { resourceLoads, type resourceLoad } from '../src/booking/resource-loads.js';
import type { CalendarConfig } from '../src/config/config.types.js';
import { listSlots, type SlotRules } from '../src/engine/availability.js';
import { prng as random } from '../src/simulate/prng.js';
import { percentile } from './load.js';
import { DAY, MINUTE, TIMEZONE } from './scenario.js';

/** The engine's inputs, named by what `resourceLoad` takes, wherever the app declares them. */
type Schedule = Parameters<typeof resourceLoad>[0];
type BlockedRange = Parameters<typeof resourceLoad>[1][number];

export const ENGINE_RESOURCES = 50;
export const ENGINE_BUSY_PER_RESOURCE = 2_000;
export const ENGINE_HORIZON_DAYS = 60;
const OPEN = 8 * 60;
const CLOSE = 20 * 60;
const OPEN_MINUTES = CLOSE - OPEN;
/** Busy intervals last 5 to 20 minutes, cut short where the next one starts or the day closes. */
const SHORTEST = 5;
const LONGEST = 20;

export const ENGINE_SCENARIO =
  `${ENGINE_RESOURCES} resources open 08:00-20:00 every day (${TIMEZONE}), 30-minute slots on a 15-minute grid, ` +
  `${ENGINE_HORIZON_DAYS}-day horizon, min_notice 0, no buffers; ` +
  `${(ENGINE_RESOURCES * ENGINE_BUSY_PER_RESOURCE).toLocaleString('en-US')} busy intervals ` +
  `(${ENGINE_BUSY_PER_RESOURCE.toLocaleString('en-US')} per resource, ${SHORTEST}-${LONGEST} minutes, random, ` +
  'non-overlapping within a resource, inside opening hours of days 1 to 60)';

const rules = (maxSlots: number): SlotRules => ({
  timezone: TIMEZONE,
  duration: 30 * MINUTE,
  interval: 15 * MINUTE,
  bufferBefore: 0,
  bufferAfter: 0,
  minNotice: 0,
  horizon: ENGINE_HORIZON_DAYS * DAY,
  maxSlots,
  maxPerDay: Infinity,
});

/** The BlockedRanges the store would return for the window: ordered by blocked end, as its index reads them. */
function busyRanges(now: number): BlockedRange[] {
  const rand = random(7_654_321);
  const today = DateTime.fromMillis(now, { zone: TIMEZONE }).startOf('day');
  const openings = Array.from({ length: ENGINE_HORIZON_DAYS }, (_, day) =>
    today
      .plus({ days: day + 1 })
      .plus({ minutes: OPEN })
      .toMillis(),
  );
  const ranges: BlockedRange[] = [];
  for (let r = 0; r < ENGINE_RESOURCES; r++) {
    // Distinct even start minutes over the open minutes of the horizon, then lengths that end at
    // least a minute before the next one starts (so the 100,000 stay 100,000 once merged) or at closing.
    const picked = new Set<number>();
    while (picked.size < ENGINE_BUSY_PER_RESOURCE) {
      picked.add(2 * Math.floor((rand() * OPEN_MINUTES * ENGINE_HORIZON_DAYS) / 2));
    }
    const offsets = [...picked].sort((a, b) => a - b);
    offsets.forEach((offset, i) => {
      const day = Math.floor(offset / OPEN_MINUTES);
      const minute = offset % OPEN_MINUTES;
      const room = Math.min((offsets[i + 1] ?? Infinity) - offset - 1, OPEN_MINUTES - minute);
      const length = Math.min(room, SHORTEST + Math.floor(rand() * (LONGEST - SHORTEST + 1)));
      const start = (openings[day] ?? NaN) + minute * MINUTE;
      ranges.push({
        bookingId: `b${r}-${i}`,
        resourceId: `r${r}`,
        start,
        blockedStart: start,
        blockedEnd: start + length * MINUTE,
      });
    });
  }
  return ranges.sort((a, b) => a.blockedEnd - b.blockedEnd);
}

/** One shared schedule, as the config gives every resource on the calendar's hours. */
const hours = [{ start: OPEN, end: CLOSE }];
const schedule: Schedule = {
  weekly: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours },
  overrides: new Map(),
};

/** The calendar as `resourceLoads` reads it: its resources' ids and schedules. */
export const calendarOf = (resources: readonly { id: string; schedule: Schedule }[]) =>
  ({ resources }) as unknown as CalendarConfig;

const calendar = calendarOf(Array.from({ length: ENGINE_RESOURCES }, (_, r) => ({ id: `r${r}`, schedule })));
const buildLoads = (ranges: readonly BlockedRange[]) => resourceLoads(calendar, ranges).loads;

/** Calls `fn` for `warmUpMs`, then times each call for `measureMs`; at least `minCalls` measured calls. */
export interface Timing {
  readonly calls: number;
  readonly opsPerSecond: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function timeCalls(
  fn: () => unknown,
  { warmUpMs, measureMs, minCalls = 5 }: { warmUpMs: number; measureMs: number; minCalls?: number },
): Timing {
  const warmUntil = performance.now() + warmUpMs;
  while (performance.now() < warmUntil) fn();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < minCalls || performance.now() - started < measureMs) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return timing(times, performance.now() - started);
}

/** The figures of calls that took `times` (ms each), in `elapsed` ms altogether. */
export function timing(times: readonly number[], elapsed: number): Timing {
  const sorted = Float64Array.from(times).sort();
  return {
    calls: times.length,
    opsPerSecond: (times.length / elapsed) * 1000,
    meanMs: times.reduce((sum, t) => sum + t, 0) / times.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

export function engineBenchmark({ seconds = 3 } = {}) {
  const now = Date.now();
  const ranges = busyRanges(now);
  const loads = buildLoads(ranges);
  const blockedMinutes = ranges.reduce((sum, range) => sum + (range.blockedEnd - range.blockedStart), 0) / MINUTE;
  const coverage = blockedMinutes / (ENGINE_RESOURCES * ENGINE_HORIZON_DAYS * OPEN_MINUTES);

  const forty = rules(40);
  const all = rules(100_000);
  const fortySlots = listSlots(forty, loads, now);
  const allSlots = listSlots(all, loads, now);
  if (fortySlots.length !== 40) throw new Error(`the engine found ${fortySlots.length} slots, not 40`);

  const measureMs = seconds * 1000;
  const listing = timeCalls(() => listSlots(forty, loads, now), { warmUpMs: 1_000, measureMs });
  const building = timeCalls(() => buildLoads(ranges), { warmUpMs: 500, measureMs, minCalls: 10 });
  const worst = timeCalls(() => listSlots(all, loads, now), { warmUpMs: 500, measureMs, minCalls: 10 });
  return {
    ranges: ranges.length,
    blockedIntervals: loads.reduce((sum, load) => sum + load.blocked.length, 0),
    coverage,
    allSlots: allSlots.length,
    listing,
    building,
    worst,
  };
}
