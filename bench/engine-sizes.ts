/**
 * The engine at the sizes of issue 12, in this process, no HTTP and no database:
 *
 *   d. the reference scenario's full recomputation: its 5,000 future bookings (the seed's own rows)
 *      built into loads, then every free slot of the 30-day horizon;
 *   e. the large config: 50 resources with their own hours, 1-minute slots, a 730-day horizon,
 *      max_slots 1000: the first answer (cold caches), and
 *   f. an answer after a booking.
 */
import { resourceLoad, resourceLoads } from '../src/booking/resource-loads.js';
import { listSlots, slotsValidUntil, type SlotRules } from '../src/engine/availability.js';
import { DateTime } from 'luxon';
import { createOfferMemo, type OfferMemo } from '../src/engine/offer-memo.js';
import { prng as random } from '../src/simulate/prng.js';
import { calendarOf, timeCalls, timing } from './engine.js';
import { CALENDAR_ID, DAY, DURATION, HORIZON_DAYS, INTERVAL, MINUTE, RESOURCES, TIMEZONE } from './scenario.js';
import { seedRows } from './seed.js';

type Schedule = Parameters<typeof resourceLoad>[0];
type BlockedRange = Parameters<typeof resourceLoad>[1][number];
type Weekly = Schedule['weekly'];

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const weekly = (ranges: readonly { start: number; end: number }[]): Weekly =>
  Object.fromEntries(WEEKDAYS.map((day) => [day, ranges])) as unknown as Weekly;

const slotRules = (overrides: Partial<SlotRules>): SlotRules => ({
  timezone: TIMEZONE,
  duration: DURATION,
  interval: INTERVAL,
  bufferBefore: 0,
  bufferAfter: 0,
  minNotice: 0,
  horizon: HORIZON_DAYS * DAY,
  maxSlots: 40,
  maxPerDay: Infinity,
  ...overrides,
});

export const REFERENCE_RECOMPUTE_SCENARIO =
  `the reference calendar: ${RESOURCES.length} resources open 08:00-20:00 every day (${TIMEZONE}), ` +
  `30-minute slots on a 15-minute grid, ${HORIZON_DAYS}-day horizon, the seed's 5,000 future bookings`;

/** The reference scenario's inputs: its rules with no cap on slots, its calendar, its bookings as the store returns them. */
export function referenceInputs(now: number) {
  const hours = [{ start: 8 * 60, end: 20 * 60 }];
  const schedule: Schedule = { weekly: weekly(hours), overrides: new Map() };
  const calendar = calendarOf(RESOURCES.map((id) => ({ id, schedule })));
  const ranges: BlockedRange[] = seedRows(now)
    .rows.filter((row) => row.calendar_id === CALENDAR_ID && String(row.id).startsWith('seed-future'))
    .map((row) => ({
      bookingId: row.id,
      resourceId: row.resource_id,
      start: row.start_at,
      blockedStart: row.blocked_start,
      blockedEnd: row.blocked_end,
    }))
    .sort((a, b) => a.blockedEnd - b.blockedEnd);
  return { rules: slotRules({ maxSlots: 100_000 }), calendar, ranges };
}

/** Loads from the bookings, then every free slot: what the server does after reading a window. */
export function recomputeReference(inputs: ReturnType<typeof referenceInputs>, now: number) {
  return listSlots(inputs.rules, resourceLoads(inputs.calendar, inputs.ranges).loads, now);
}

export const LARGE_RESOURCES = 50;
export const LARGE_HORIZON_DAYS = 730;
const LARGE_BOOKINGS_PER_RESOURCE = 400;

export const LARGE_SCENARIO =
  `${LARGE_RESOURCES} resources with their own hours (opening 07:00-09:27, closing 16:00-20:54, ` +
  `a lunch break on every other one; ${TIMEZONE}), 1-minute slots, ${LARGE_HORIZON_DAYS}-day horizon, ` +
  `max_slots 1000, ${(LARGE_RESOURCES * LARGE_BOOKINGS_PER_RESOURCE).toLocaleString('en-US')} bookings ` +
  `of 1-60 minutes (${LARGE_BOOKINGS_PER_RESOURCE} a resource, on distinct days, starting 09:30-15:30)`;

/** The large calendar's resources and their weekly hours (every day alike), in minutes of the day. */
export const LARGE_HOURS = Array.from({ length: LARGE_RESOURCES }, (_, r) => {
  const open = 7 * 60 + ((r * 3) % 148);
  const close = 16 * 60 + ((r * 7) % 295);
  const hours =
    r % 2 === 0
      ? [{ start: open, end: close }]
      : [
          { start: open, end: 12 * 60 },
          { start: 13 * 60, end: close },
        ];
  return { id: `r${r}`, hours };
});

/** The large calendar's bookings, as the store returns them (by blocked end). */
export function largeBookings(now: number): BlockedRange[] {
  const rand = random(1_234_567);
  const today = DateTime.fromMillis(now, { zone: TIMEZONE }).startOf('day');
  const dayStarts = Array.from({ length: LARGE_HORIZON_DAYS }, (_, day) => today.plus({ days: day + 1 }).toMillis());
  const ranges: BlockedRange[] = [];
  LARGE_HOURS.forEach(({ id }, r) => {
    const days = new Set<number>();
    while (days.size < LARGE_BOOKINGS_PER_RESOURCE) days.add(Math.floor(rand() * (LARGE_HORIZON_DAYS - 1)));
    [...days].forEach((day, i) => {
      const start = dayStarts[day]! + (9 * 60 + 30 + Math.floor(rand() * 360)) * MINUTE;
      const end = start + (1 + Math.floor(rand() * 60)) * MINUTE;
      ranges.push({ bookingId: `l${r}-${i}`, resourceId: id, start, blockedStart: start, blockedEnd: end });
    });
  });
  return ranges.sort((a, b) => a.blockedEnd - b.blockedEnd);
}

/** The large config's inputs: fresh schedules on every call, so the engine's per-schedule caches start cold. */
export function largeInputs(now: number, ranges = largeBookings(now)) {
  const resources = LARGE_HOURS.map(({ id, hours }) => ({
    id,
    schedule: { weekly: weekly(hours), overrides: new Map() } as Schedule,
  }));
  const rules = slotRules({
    duration: MINUTE,
    interval: MINUTE,
    horizon: LARGE_HORIZON_DAYS * DAY,
    maxSlots: 1000,
  });
  return { rules, calendar: calendarOf(resources), ranges };
}

/** What the service holds for the large calendar: its ranges by resource, their loads, the days' offers. */
export interface LargeState {
  readonly byResource: ReadonlyMap<string, readonly BlockedRange[]>;
  readonly loads: readonly ReturnType<typeof resourceLoad>[];
  readonly memo: OfferMemo;
}

/** Loads, slots and how long the answer holds, as the service computes a first answer. */
export function answerLarge(inputs: ReturnType<typeof largeInputs>, now: number) {
  const state: LargeState = { ...resourceLoads(inputs.calendar, inputs.ranges), memo: createOfferMemo() };
  const slots = listSlots(inputs.rules, state.loads, now, state.memo);
  slotsValidUntil(inputs.rules, state.loads, now, slots);
  return { state, slots };
}

/** One booking more, applied as `applyChange` does (that resource's load again, its days forgotten), then the slots. */
export function answerAfterBooking(
  inputs: ReturnType<typeof largeInputs>,
  before: LargeState,
  now: number,
  booking: BlockedRange,
) {
  const index = inputs.calendar.resources.findIndex((resource) => resource.id === booking.resourceId);
  const ranges = [...(before.byResource.get(booking.resourceId) ?? []), booking];
  const byResource = new Map(before.byResource).set(booking.resourceId, ranges);
  const loads = before.loads.slice();
  loads[index] = resourceLoad(inputs.calendar.resources[index]!.schedule, ranges);
  const memo = before.memo.without(inputs.rules, [{ start: booking.blockedStart, end: booking.blockedEnd }]);
  const state: LargeState = { byResource, loads, memo };
  const slots = listSlots(inputs.rules, loads, now, memo);
  slotsValidUntil(inputs.rules, loads, now, slots);
  return { state, slots };
}

/** The 1-minute bookings made one after another on the large calendar: each on another resource and day. */
const nthBooking = (now: number, n: number): BlockedRange => {
  const start = now + (1 + ((n * 37) % (LARGE_HORIZON_DAYS - 30))) * DAY + ((n * 53) % 600) * MINUTE;
  return {
    bookingId: `n${n}`,
    resourceId: `r${n % LARGE_RESOURCES}`,
    start,
    blockedStart: start,
    blockedEnd: start + MINUTE,
  };
};

/**
 * (d) the reference scenario's full recomputation; (e) the large config's first answer, each on
 * fresh schedules and a fresh memo (the engine's zone caches are warm after the first);
 * (f) its answer after each of a series of bookings.
 */
export function engineSizesBenchmark({ seconds = 3 } = {}) {
  const now = Date.now();
  const measureMs = seconds * 1000;
  const reference = referenceInputs(now);
  const referenceSlots = recomputeReference(reference, now).length;
  const recompute = timeCalls(() => recomputeReference(reference, now), { warmUpMs: 500, measureMs, minCalls: 10 });

  const firstTimes: number[] = [];
  let last: ReturnType<typeof answerLarge> | undefined;
  let large: ReturnType<typeof largeInputs> | undefined;
  const firstStarted = performance.now();
  const ranges = largeBookings(now);
  while (firstTimes.length < 5 || performance.now() - firstStarted < measureMs) {
    large = largeInputs(now, ranges);
    const t = performance.now();
    last = answerLarge(large, now);
    firstTimes.push(performance.now() - t);
  }
  const first = timing(firstTimes, performance.now() - firstStarted);

  let state = last!.state;
  let n = 0;
  const afterBooking = timeCalls(
    () => {
      const answer = answerAfterBooking(large!, state, now, nthBooking(now, n++));
      state = answer.state;
      return answer;
    },
    { warmUpMs: 500, measureMs, minCalls: 20 },
  );
  return {
    referenceSlots,
    referenceBookings: reference.ranges.length,
    recompute,
    largeSlots: last!.slots.length,
    first,
    afterBooking,
    bookingsMade: n,
  };
}
