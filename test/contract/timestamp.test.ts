import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../src/contract/timestamp.js';

const YEAR_10000 = Date.UTC(10_000, 0, 1);
const YEAR_0_MARCH = -62_162_035_200_000;
/** Where a year stops being padded to four digits. */
const YEAR_1000 = -30_610_224_000_000;

// The oracle is the platform's own writer: formatInstant computes the same text without a Date.
describe('formatInstant', () => {
  it('should write what Date#toISOString writes, for every millisecond Date can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (instant) => {
        expect(formatInstant(instant)).toBe(new Date(instant).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('should write what toISOString writes around the edges of years, leap days and its fast range', () => {
    const edges = [
      0,
      Date.UTC(2000, 1, 29),
      Date.UTC(2000, 2, 1) - 1,
      Date.UTC(2100, 2, 1) - 1,
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      YEAR_0_MARCH - 1,
      YEAR_0_MARCH,
      YEAR_1000,
      YEAR_10000 - 1,
      YEAR_10000,
    ];
    for (const instant of edges) {
      for (const nearby of [instant - 1, instant, instant + 1])
        expect(formatInstant(nearby)).toBe(new Date(nearby).toISOString());
    }
  });

  it('should write a fraction of a millisecond as toISOString does, and refuse what is not an instant', () => {
    expect(formatInstant(1.5)).toBe(new Date(1.5).toISOString());
    expect(() => formatInstant(Number.NaN)).toThrow(RangeError);
  });
});
