import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resourceLoad, withRange } from '../../src/booking/resource-loads.js';
import type { ResourceLoad } from '../../src/engine/availability.js';
import type { BlockedRange } from '../../src/store/booking.js';
import { everyDay, minutes } from '../engine/fixtures.js';

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
  .map(({ slot, length }) => ({ resourceId: 'r1', start: minutes(15 * slot), end: minutes(15 * (slot + length)) }));

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
