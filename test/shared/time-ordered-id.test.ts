import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/shared/time-ordered-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('should be a UUID version 7 whose first 48 bits are the time', () => {
    const now = Date.UTC(2026, 10, 30, 19, 0, 0, 123);
    const id = timeOrderedId(now);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it('should sort as text in the order of its times', () => {
    const times = [0, 1, 255, 256, 4_095, 1_764_529_200_000, 1_764_529_200_001, 2 ** 47];
    const ids = times.map(timeOrderedId);
    expect([...ids].sort()).toEqual(ids);
  });

  it('should differ within one millisecond', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => timeOrderedId(1_764_529_200_000)));
    expect(ids.size).toBe(1_000);
  });
});
