import { describe, expect, it } from 'vitest';
import { wallTimeInstant } from '../../src/engine/zone.js';

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
