import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { localDateOf, offsetAt, wallTimeInstant } from '../../src/engine/zone.js';

const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('wallTimeInstant', () => {
  it('should subtract the offset in force at an ordinary wall time', () => {
    expect(wallTimeInstant('Europe/Berlin', wall('2026-07-01T09:00:00'))).toBe(Date.parse('2026-07-01T07:00:00Z'));
    expect(wallTimeInstant('America/New_York', wall('2026-01-05T09:00:00'))).toBe(Date.parse('2026-01-05T14:00:00Z'));
  });

  it('should read a wall time skipped when clocks go forward with the offset from before the gap', () => {
    // Berlin skips 02:00-03:00 on 29 March 2026; 02:30 becomes 03:30 CEST.
    expect(wallTimeInstant('Europe/Berlin', wall('2026-03-29T02:30:00'))).toBe(Date.parse('2026-03-29T01:30:00Z'));
  });

  it('should read a wall time repeated when clocks go back as its first occurrence', () => {
    // Berlin repeats 02:00-03:00 on 25 October 2026; the first 02:30 is still CEST.
    expect(wallTimeInstant('Europe/Berlin', wall('2026-10-25T02:30:00'))).toBe(Date.parse('2026-10-25T00:30:00Z'));
  });
});

/*
 * offsetAt and localDateOf keep what luxon says per UTC day and compute the rest; luxon, asked
 * afresh for every instant, is the oracle.
 */
describe('offsetAt and localDateOf against luxon', () => {
  const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kolkata'];
  const FROM = Date.parse('2020-01-01T00:00:00Z');
  const TO = Date.parse('2036-01-01T00:00:00Z');
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const luxonOffset = (zone: string, instant: number) => IANAZone.create(zone).offset(instant) * 60_000;
  const luxonDate = (zone: string, instant: number) => DateTime.fromMillis(instant, { zone }).toISODate();

  it('should agree at random instants from 2020 to 2035', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM, max: TO - 1 }), (zone, instant) => {
        expect(offsetAt(zone, instant)).toBe(luxonOffset(zone, instant));
        expect(localDateOf(zone, instant)).toBe(luxonDate(zone, instant));
      }),
      { numRuns: 5_000 },
    );
  });

  it('should agree twice a day from 2020 to 2035, and on each UTC day whose offset changes every five minutes and a millisecond before (changes fall on quarter hours)', () => {
    const disagreements: string[] = [];
    const check = (zone: string, instant: number, withDate: boolean) => {
      const offset = offsetAt(zone, instant);
      if (
        offset !== luxonOffset(zone, instant) ||
        (withDate && localDateOf(zone, instant) !== luxonDate(zone, instant))
      ) {
        disagreements.push(`${zone} ${new Date(instant).toISOString()}: ${offset} ${localDateOf(zone, instant)}`);
      }
    };
    for (const zone of ZONES) {
      for (let day = FROM; day < TO; day += DAY) {
        check(zone, day, true);
        check(zone, day + 12 * HOUR, true);
        if (luxonOffset(zone, day) === luxonOffset(zone, day + DAY)) continue;
        for (let instant = day; instant <= day + DAY; instant += 5 * 60_000) {
          check(zone, instant - 1, false);
          check(zone, instant, true);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('should agree still after more days than it keeps, from 1970 to 2040', () => {
    const zone = 'America/New_York';
    const disagreements: string[] = [];
    for (let day = Date.parse('1970-01-01T00:00:00Z'); day < Date.parse('2040-01-01T00:00:00Z'); day += DAY) {
      for (const instant of [day + 7 * HOUR, day + 17 * HOUR]) {
        if (offsetAt(zone, instant) !== luxonOffset(zone, instant)) disagreements.push(new Date(instant).toISOString());
      }
    }
    expect(disagreements).toEqual([]);
  });
});
