import { afterEach, describe, expect, it, vi } from 'vitest';
import { batched } from '../../src/shared/batch.js';

describe('batched', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should hand the items over together, in order, the given time after the first of a batch', () => {
    vi.useFakeTimers();
    const handed: number[][] = [];
    const batch = batched<number>((items) => handed.push(items), 20);
    batch.add(1);
    vi.advanceTimersByTime(10);
    batch.add(2);
    expect(handed).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(handed).toEqual([[1, 2]]);
    batch.add(3);
    vi.advanceTimersByTime(20);
    expect(handed).toEqual([[1, 2], [3]]);
  });

  it('should hand over at once on flush, and nothing when there is nothing', () => {
    vi.useFakeTimers();
    const handed: string[][] = [];
    const batch = batched<string>((items) => handed.push(items), 20);
    batch.flush();
    batch.add('a');
    batch.flush();
    expect(handed).toEqual([['a']]);
    vi.advanceTimersByTime(20);
    expect(handed).toEqual([['a']]);
  });
});
