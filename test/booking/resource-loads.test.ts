import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resourceLoad, resourceLoads, withRange } from '../../src/booking/resource-loads.js';
import type { CalendarConfig } from '../../src/config/config.types.js';
import type { ResourceLoad } from '../../src/engine/availability.js';
import type { Interval } from '../../src/engine/interval.js';
import type { BlockedRange } from '../../src/store/booking.js';
import { everyDay, minutes } from '../engine/fixtures.js';

/*
 * A resource's load merges its bookings' blocked ranges and its busy time in one pass where they
 * come in order; a naive merge of everything, sorted, is the oracle.
 */

const MINUTE = 60_000;

/** Sorted by start, overlapping or touching ranges joined: the plain way. */
function naiveMerge(intervals: readonly Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const next of [...intervals].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && next.start <= last.end)
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, next.end) };
    else merged.push({ start: next.start, end: next.end });
  }
  return merged;
}

const rangeArb = fc.record({ at: fc.integer({ min: 0, max: 200 }), length: fc.integer({ min: 1, max: 12 }) });

describe('resourceLoad', () => {
  it('should merge blocked ranges and busy time, in order or not, as a naive merge does', () => {
    fc.assert(
      fc.property(
        fc.array(rangeArb, { maxLength: 40 }),
        fc.array(rangeArb, { maxLength: 5 }),
        fc.boolean(),
        (bookings, busyTimes, byEnd) => {
          const ranges = bookings.map(({ at, length }, i) => ({
            bookingId: `b${i}`,
            resourceId: 'r1',
            start: at * 5 * MINUTE,
            blockedStart: at * 5 * MINUTE,
            blockedEnd: (at + length) * 5 * MINUTE,
          }));
          // The store returns ranges by blocked end; applied bookings come by blocked start.
          if (byEnd) ranges.sort((a, b) => a.blockedEnd - b.blockedEnd);
          else ranges.sort((a, b) => a.blockedStart - b.blockedStart);
          const busy = busyTimes.map(({ at, length }) => ({
            resourceId: 'r1',
            sourceId: 'feed',
            start: at * 5 * MINUTE,
            end: (at + length) * 5 * MINUTE,
          }));
          const load = resourceLoad(everyDay(['09:00-17:00']), ranges, busy);
          const blocked = ranges.map((range) => ({ start: range.blockedStart, end: range.blockedEnd }));
          expect(load.blocked).toEqual(naiveMerge([...blocked, ...busy]));
          expect(load.bookingStarts).toEqual(ranges.map((range) => range.start).sort((a, b) => a - b));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('resourceLoads', () => {
  it("should give each resource of the calendar its own ranges and load, whatever the window's order", () => {
    const ids = ['r1', 'r2', 'r3'];
    const calendar = {
      resources: ids.map((id) => ({ id, schedule: everyDay(['09:00-17:00']) })),
    } as unknown as CalendarConfig;
    fc.assert(
      fc.property(
        fc.array(fc.record({ resource: fc.nat(3), range: rangeArb }), { maxLength: 60 }),
        fc.boolean(),
        (drawn, byEnd) => {
          // Resource 3 is not the calendar's (one removed from the config): its ranges are left out.
          const ranges = drawn.map(({ resource, range: { at, length } }, i) => ({
            bookingId: `b${i}`,
            resourceId: `r${resource + 1}`,
            start: at * 5 * MINUTE,
            blockedStart: at * 5 * MINUTE,
            blockedEnd: (at + length) * 5 * MINUTE,
          }));
          if (byEnd) ranges.sort((a, b) => a.blockedEnd - b.blockedEnd);
          const busy = new Map([['r2', [{ resourceId: 'r2', sourceId: 'feed', start: 0, end: 30 * MINUTE }]]]);
          const { byResource, loads } = resourceLoads(calendar, ranges, busy);
          expect([...byResource.keys()]).toEqual(ids);
          ids.forEach((id, index) => {
            const own = ranges.filter((range) => range.resourceId === id);
            const alone = resourceLoad(calendar.resources[index]!.schedule, own, busy.get(id));
            expect(byResource.get(id)).toEqual(own);
            expect(loads[index]!.blocked).toEqual(alone.blocked);
            expect(loads[index]!.bookingStarts).toEqual(alone.bookingStarts);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

const schedule = everyDay(['09:00-17:00']);

/** Bookings on a quarter-hour grid over a few hours, some touching or overlapping, with buffers. */
const blockedRange = fc
  .record({ slot: fc.integer({ min: 0, max: 24 }), length: fc.integer({ min: 1, max: 4 }), buffer: fc.nat(2) })
  .map(({ slot, length, buffer }): Omit<BlockedRange, 'bookingId'> => {
    const start = minutes(15 * slot);
    return {
      resourceId: 'r1',
      start,
      blockedStart: start - minutes(15 * buffer),
      blockedEnd: start + minutes(15 * length),
    };
  });
const busyRange = fc
  .record({ slot: fc.integer({ min: 0, max: 24 }), length: fc.integer({ min: 1, max: 8 }) })
  .map(({ slot, length }) => ({
    resourceId: 'r1',
    sourceId: 'feed',
    start: minutes(15 * slot),
    end: minutes(15 * (slot + length)),
  }));

describe('withRange', () => {
  it('should give the load built from scratch with the range added', () => {
    fc.assert(
      fc.property(fc.array(blockedRange, { maxLength: 12 }), fc.array(busyRange, { maxLength: 4 }), (drawn, busy) => {
        const ranges = drawn.map((range, index) => ({ ...range, bookingId: `b${index}` }));
        const added = ranges.at(-1);
        fc.pre(added !== undefined);
        const before = resourceLoad(schedule, ranges.slice(0, -1), busy);
        const after = withRange(before, added!);
        const built = resourceLoad(schedule, ranges, busy);
        // Merged busy ranges keep their resource; only the instants count.
        const instants = ({ blocked }: ResourceLoad) => blocked.map(({ start, end }) => ({ start, end }));
        expect(instants(after)).toEqual(instants(built));
        expect(after.bookingStarts).toEqual(built.bookingStarts);
      }),
    );
  });
});
