import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resourceLoad } from '../../src/booking/resource-loads.js';
import type { Interval } from '../../src/engine/interval.js';
import { everyDay } from '../engine/fixtures.js';

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
