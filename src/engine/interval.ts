/** Instants are epoch milliseconds; an interval is half-open: [start, end). */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Sorts by start and joins overlapping or touching intervals, so lookups can binary-search. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  // Bookings come ordered by their end, which for slots of one length is the order of their starts.
  const sorted = isSortedBy(intervals, (interval) => interval.start)
    ? intervals
    : [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged[merged.length - 1];
    if (last && next.start <= last.end) {
      if (next.end > last.end) merged[merged.length - 1] = { start: last.start, end: next.end };
    } else {
      merged.push(next);
    }
  }
  return merged;
}

/** Whether [start, end) overlaps any interval of a merged, sorted list. */
export function overlapsAny(merged: readonly Interval[], start: number, end: number): boolean {
  // First interval whose end lies after `start`; only it can overlap, the list being disjoint.
  let lo = 0;
  let hi = merged.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (merged[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  const candidate = merged[lo];
  return candidate !== undefined && candidate.start < end;
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

/** Whether `key` never decreases along `items`. */
export function isSortedBy<T>(items: readonly T[], key: (item: T) => number): boolean {
  for (let i = 1; i < items.length; i++) if (key(items[i - 1]!) > key(items[i]!)) return false;
  return true;
}
