import type { Interval } from './interval.js';
import type { Schedule } from './schedule.js';

/** The calendar's slot rules; durations in milliseconds. */
export interface SlotRules {
  readonly timezone: string;
  readonly duration: number;
  readonly interval: number;
  readonly bufferBefore: number;
  readonly bufferAfter: number;
  readonly minNotice: number;
  readonly horizon: number;
  readonly maxSlots: number;
  /** Bookings per resource per local day; Infinity for no cap. */
  readonly maxPerDay: number;
}

/** One resource as the engine sees it: its hours and what already occupies it. */
export interface ResourceLoad {
  readonly schedule: Schedule;
  /** Blocked ranges of its active bookings (buffers included) and its busy time: merged, sorted. */
  readonly blocked: readonly Interval[];
  /** Start instants of its active bookings, sorted: they count against `maxPerDay`. */
  readonly bookingStarts: readonly number[];
}
