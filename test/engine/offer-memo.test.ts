import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { listSlots, type ResourceLoad } from '../../src/engine/availability.js';
import type { Interval } from '../../src/engine/interval.js';
import { createOfferMemo } from '../../src/engine/offer-memo.js';
import type { Schedule } from '../../src/engine/schedule.js';
import { everyDay, minutes, rules } from './fixtures.js';

/*
 * A listing with the memo of its days' offers, kept across bookings made and ended one at a time,
 * gives what a listing from scratch gives on the same loads.
 */

const DAY = minutes(24 * 60);
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'UTC'];
/** Around the offset changes of 2026 in those zones, and a plain week. */
const STARTS = [
  '2026-03-27T10:07Z',
  '2026-10-23T22:00Z',
  '2026-04-02T00:00Z',
  '2026-10-30T05:00Z',
  '2026-06-10T08:00Z',
];

interface Booking {
  readonly resource: number;
  readonly start: number;
  readonly blocked: Interval;
}

/** The engine's view of the bookings, merged the plain way. */
function loadsOf(schedules: readonly Schedule[], bookings: readonly Booking[]): ResourceLoad[] {
  return schedules.map((schedule, index) => {
    const own = bookings.filter((booking) => booking.resource === index);
    const merged: Interval[] = [];
    for (const next of own.map((booking) => booking.blocked).sort((a, b) => a.start - b.start)) {
      const last = merged.at(-1);
      if (last && next.start <= last.end)
        merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, next.end) };
      else merged.push(next);
    }
    return { schedule, blocked: merged, bookingStarts: own.map((booking) => booking.start).sort((a, b) => a - b) };
  });
}

const hoursArb = fc.constantFrom<readonly string[]>(
  ['08:00-20:00'],
  ['09:00-12:00', '13:00-17:30'],
  ['00:00-03:30', '22:00-24:00'],
  ['01:30-02:45', '06:15-23:45'],
  ['00:00-24:00'],
);

const operationArb = fc.record({
  // Book when there is nothing to end, or one time in three.
  book: fc.nat(2),
  resource: fc.nat(2),
  /** In 5-minute steps from the scenario's start, or from a local midnight, where days meet. */
  offset: fc.integer({ min: 0, max: 12 * 288 }),
  nearMidnight: fc.boolean(),
  day: fc.nat(12),
  aroundMidnight: fc.integer({ min: -12, max: 12 }),
  length: fc.integer({ min: 1, max: 36 }),
  ending: fc.nat(),
  /** Minutes the clock moves before the next listing. */
  later: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * 1440 })),
});

describe('the offer memo', () => {
  it('should list what a listing from scratch lists, after every booking made or ended', () => {
    fc.assert(
      fc.property(
        fc.record({
          zone: fc.constantFrom(...ZONES),
          start: fc.constantFrom(...STARTS),
          hours: fc.array(hoursArb, { minLength: 1, maxLength: 3 }),
          duration: fc.constantFrom(5, 15, 30, 60),
          interval: fc.constantFrom(5, 15, 20, 30),
          bufferBefore: fc.constantFrom(0, 10, 45),
          bufferAfter: fc.constantFrom(0, 5, 30),
          minNotice: fc.constantFrom(0, 90, 1440),
          horizonDays: fc.integer({ min: 1, max: 12 }),
          maxSlots: fc.integer({ min: 1, max: 80 }),
          maxPerDay: fc.constantFrom(Infinity, 1, 2),
          operations: fc.array(operationArb, { minLength: 1, maxLength: 8 }),
        }),
        (g) => {
          const slotRules = rules({
            timezone: g.zone,
            duration: minutes(g.duration),
            interval: minutes(g.interval),
            bufferBefore: minutes(g.bufferBefore),
            bufferAfter: minutes(g.bufferAfter),
            minNotice: minutes(g.minNotice),
            horizon: g.horizonDays * DAY,
            maxSlots: g.maxSlots,
            maxPerDay: g.maxPerDay,
          });
          const schedules = g.hours.map((hours) => everyDay([...hours]));
          let now = Date.parse(g.start);
          const bookings: Booking[] = [];
          let memo = createOfferMemo();
          listSlots(slotRules, loadsOf(schedules, bookings), now, memo);
          for (const operation of g.operations) {
            let changed: Booking;
            if (operation.book > 0 || bookings.length === 0) {
              const start = operation.nearMidnight
                ? DateTime.fromISO(g.start, { zone: g.zone })
                    .startOf('day')
                    .plus({ days: operation.day, minutes: 5 * operation.aroundMidnight })
                    .toMillis()
                : Date.parse(g.start) + minutes(5 * operation.offset);
              const end = start + minutes(5 * operation.length);
              const blocked = { start: start - slotRules.bufferBefore, end: end + slotRules.bufferAfter };
              changed = { resource: operation.resource % schedules.length, start, blocked };
              bookings.push(changed);
            } else {
              changed = bookings.splice(operation.ending % bookings.length, 1)[0]!;
            }
            memo = memo.without(slotRules, [changed.blocked]);
            now += minutes(operation.later);
            const loads = loadsOf(schedules, bookings);
            expect(listSlots(slotRules, loads, now, memo)).toEqual(listSlots(slotRules, loads, now));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should keep nothing for loads it no longer holds for', () => {
    const slotRules = rules({ maxSlots: 5 });
    const schedule = everyDay(['09:00-10:00']);
    const now = Date.parse('2026-06-10T00:00Z');
    const old = createOfferMemo();
    listSlots(slotRules, [{ schedule, blocked: [], bookingStarts: [] }], now, old);
    const booked = { start: Date.parse('2026-06-10T09:00Z'), end: Date.parse('2026-06-10T09:30Z') };
    const memo = old.without(slotRules, [booked]);
    // A listing still running on the loads before the booking, after the booking was applied.
    listSlots(slotRules, [{ schedule, blocked: [], bookingStarts: [] }], now, old);
    const after = [{ schedule, blocked: [booked], bookingStarts: [booked.start] }];
    expect(listSlots(slotRules, after, now, memo)).toEqual(listSlots(slotRules, after, now));
    expect(listSlots(slotRules, after, now, memo)[0]!.start).toBe(Date.parse('2026-06-10T09:30Z'));
  });

  it("should forget the day before a booking whose first minutes a late slot's buffer reaches", () => {
    const slotRules = rules({ duration: minutes(60), interval: minutes(60), bufferAfter: minutes(30) });
    const schedule = everyDay(['22:00-24:00']);
    const now = Date.parse('2026-06-10T00:00Z');
    const memo = createOfferMemo();
    const before = listSlots(slotRules, [{ schedule, blocked: [], bookingStarts: [] }], now, memo);
    expect(before.map((slot) => slot.start)).toContain(Date.parse('2026-06-10T23:00Z'));
    const booked = { start: Date.parse('2026-06-11T00:00Z'), end: Date.parse('2026-06-11T01:30Z') };
    const after = [{ schedule, blocked: [booked], bookingStarts: [booked.start] }];
    const listed = listSlots(slotRules, after, now, memo.without(slotRules, [booked]));
    expect(listed.map((slot) => slot.start)).not.toContain(Date.parse('2026-06-10T23:00Z'));
  });
});
