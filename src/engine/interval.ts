/** Instants are epoch milliseconds; an interval is half-open: [start, end). */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Sorts by start and joins overlapping or touching intervals, so lookups can binary-search. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  let sorted = true;
  for (let i = 1; i < intervals.length && sorted; i++) sorted = intervals[i - 1]!.start <= intervals[i]!.start;
  const join = new IntervalJoin();
  for (const interval of sorted ? intervals : [...intervals].sort((a, b) => a.start - b.start)) {
    join.add(interval.start, interval.end);
  }
  return join.finish();
}

/**
 * Joins overlapping or touching intervals handed over one at a time in order of their starts, making
 * an object only for each joined interval: a load joins a resource's bookings while the window's
 * ranges are read, thousands of them, without a list of its own to sort first.
 */
export class IntervalJoin {
  private readonly joined: Interval[] = [];
  private start = 0;
  private end = -Infinity;

  /**
   * Adds [start, end) and says whether it could: not when it starts before the interval being
   * joined, which only a sort of them all can place (then nothing is added).
   */
  add(start: number, end: number): boolean {
    if (start > this.end) {
      if (this.end !== -Infinity) this.joined.push({ start: this.start, end: this.end });
      this.start = start;
      this.end = end;
    } else if (start < this.start) {
      return false;
    } else if (end > this.end) {
      this.end = end;
    }
    return true;
  }

  /** The joined intervals, sorted: called once, after the last `add`. */
  finish(): Interval[] {
    if (this.end !== -Infinity) this.joined.push({ start: this.start, end: this.end });
    return this.joined;
  }
}

/** Whether [start, end) overlaps any interval of a merged, sorted list. */
export function overlapsAny(merged: readonly Interval[], start: number, end: number): boolean {
  // Only the first interval ending after `start` can overlap, the list being disjoint.
  const candidate = merged[firstEndingAfter(merged, start)];
  return candidate !== undefined && candidate.start < end;
}

/** Index of the first of a merged, sorted list that ends after `instant`; its length when none does. */
export function firstEndingAfter(merged: readonly Interval[], instant: number): number {
  let lo = 0;
  let hi = merged.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (merged[mid]!.end <= instant) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted numbers lie in [start, end). */
export function countInRange(sorted: readonly number[], start: number, end: number): number {
  return firstIndexFrom(sorted, end) - firstIndexFrom(sorted, start);
}

/** The index of the first of `sorted` at or after `value`; its length when there is none. */
export function firstIndexFrom(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether the numbers never decrease. */
export function isAscending(numbers: readonly number[]): boolean {
  for (let i = 1; i < numbers.length; i++) if (numbers[i - 1]! > numbers[i]!) return false;
  return true;
}
