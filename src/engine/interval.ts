/** Instants are epoch milliseconds; an interval is half-open: [start, end). */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Sorts by start and joins overlapping or touching intervals, so lookups can binary-search. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  return mergeBy(
    intervals,
    (interval) => interval.start,
    (interval) => interval.end,
  );
}

/**
 * `mergeIntervals` of items read as intervals through `startOf` and `endOf`: an interval object is
 * made only for each merged interval, not for every item, as a load merges thousands of bookings.
 */
export function mergeBy<T>(items: readonly T[], startOf: (item: T) => number, endOf: (item: T) => number): Interval[] {
  // Bookings come ordered by their end, which for slots of one length is the order of their starts.
  let sorted = true;
  for (let i = 1; i < items.length && sorted; i++) sorted = startOf(items[i - 1]!) <= startOf(items[i]!);
  const byStart = sorted ? items : [...items].sort((a, b) => startOf(a) - startOf(b));
  const merged: Interval[] = [];
  let start = 0;
  let end = -Infinity;
  for (const item of byStart) {
    const next = startOf(item);
    if (next > end) {
      if (end !== -Infinity) merged.push({ start, end });
      start = next;
      end = endOf(item);
    } else {
      end = Math.max(end, endOf(item));
    }
  }
  if (end !== -Infinity) merged.push({ start, end });
  return merged;
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
