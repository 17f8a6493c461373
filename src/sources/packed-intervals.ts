import { createHash } from 'node:crypto';
import type { Interval } from '../engine/interval.js';

/**
 * Intervals as start, end, start, end, … in one Float64Array, which a worker moves to the main
 * thread without a copy (busy.worker.ts): a clone of an array of objects is rebuilt there object
 * by object, on the thread that answers requests.
 */
export function packIntervals(intervals: readonly Interval[]): Float64Array<ArrayBuffer> {
  const packed = new Float64Array(intervals.length * 2);
  intervals.forEach((interval, i) => {
    packed[2 * i] = interval.start;
    packed[2 * i + 1] = interval.end;
  });
  return packed;
}

/** The intervals of a packed array. */
export function unpackIntervals(packed: Float64Array): Interval[] {
  const intervals = new Array<Interval>(packed.length / 2);
  for (let i = 0; i < intervals.length; i++) intervals[i] = { start: packed[2 * i]!, end: packed[2 * i + 1]! };
  return intervals;
}

/** A digest of intervals in their order (the expander's, by start): the same for the same busy time. */
export function busyDigest(intervals: readonly Interval[]): string {
  return createHash('sha256').update(packIntervals(intervals)).digest('base64url');
}
