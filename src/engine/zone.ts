import { IANAZone } from 'luxon';
import type { Interval } from './interval.js';

/**
 * The one place where wall-clock time meets instants. Everything here is per day, never per slot,
 * so callers cache by date.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * A zone's offsets by UTC day (epoch day number), learnt from luxon when first asked: the offset
 * at the day's first instant and, when the offset at the next day's first instant differs, the
 * instant of the change between them. Luxon reads an offset through Intl in microseconds; this
 * makes every later reading arithmetic. Assumes at most one offset change within a UTC day, as
 * everywhere in this module.
 */
interface ZoneOffsets {
  readonly zone: IANAZone;
  readonly days: Map<number, UtcDayOffsets>;
}

interface UtcDayOffsets {
  readonly before: number;
  readonly after: number;
  /** The first instant with the offset `after`; Infinity when the offset holds all day. */
  readonly change: number;
}

const zones = new Map<string, ZoneOffsets>();
/** Per zone: some fifty years of days, far more than a calendar's horizon and the days around it. */
const MAX_DAYS_KEPT = 20_000;

function offsetsOf(name: string): ZoneOffsets {
  let offsets = zones.get(name);
  if (!offsets) {
    offsets = { zone: IANAZone.create(name), days: new Map() };
    zones.set(name, offsets);
  }
  return offsets;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
export function offsetAt(zone: string, instant: number): number {
  const offsets = offsetsOf(zone);
  const dayNumber = Math.floor(instant / DAY_MS);
  let day = offsets.days.get(dayNumber);
  if (!day) {
    // A feed's events may lie on any day of any century: start afresh rather than grow without bound.
    if (offsets.days.size >= MAX_DAYS_KEPT) offsets.days.clear();
    day = learnDay(offsets.zone, dayNumber);
    offsets.days.set(dayNumber, day);
  }
  return instant < day.change ? day.before : day.after;
}

function learnDay(zone: IANAZone, dayNumber: number): UtcDayOffsets {
  const offsetOf = (instant: number) => zone.offset(instant) * MINUTE_MS;
  const start = dayNumber * DAY_MS;
  const before = offsetOf(start);
  const after = offsetOf(start + DAY_MS);
  if (before === after) return { before, after, change: Infinity };
  return { before, after, change: firstInstantWithOffset(offsetOf, start, start + DAY_MS, before) };
}

/** The local calendar date of an instant, `YYYY-MM-DD`. */
export function localDateOf(zone: string, instant: number): string {
  return new Date(instant + offsetAt(zone, instant)).toISOString().slice(0, 10);
}

/**
 * The instant of a wall time in a zone, the wall time given as epoch ms read as UTC
 * (`Date.UTC(year, month - 1, day, hour, minute, second)`), read as RFC 5545 (3.3.5) says: a wall
 * time repeated when clocks go back is its first occurrence; one skipped when they go forward
 * takes the offset from before the gap (02:30 becomes 03:30). Assumes at most one offset change
 * within a day either side.
 */
export function wallTimeInstant(zone: string, wallAsUtc: number): number {
  const before = offsetAt(zone, wallAsUtc - DAY_MS);
  const after = offsetAt(zone, wallAsUtc + DAY_MS);
  // The larger offset gives the earlier instant.
  for (const offset of before > after ? [before, after] : [after, before]) {
    if (offsetAt(zone, wallAsUtc - offset) === offset) return wallAsUtc - offset;
  }
  return wallAsUtc - before;
}

/**
 * The instants whose local wall time on `date` lies in [startMinute, endMinute).
 *
 * Usually one interval. Across a spring-forward gap the missing wall times have no instants, so
 * 01:00-04:00 lasts two hours; across a fall-back overlap the repeated wall times have two
 * instants each, so it lasts four, and a range inside the repeated hour becomes two intervals.
 * Assumes at most one offset change within the 50 hours around a date, which holds for real zones.
 */
export function wallRangeInstants(zone: string, date: string, startMinute: number, endMinute: number): Interval[] {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  const wallStart = midnight + startMinute * MINUTE_MS;
  const wallEnd = midnight + endMinute * MINUTE_MS;
  const offsets = dayOffsets(zone, date, midnight);
  if (offsets.steady !== undefined) {
    return nonEmpty([{ start: wallStart - offsets.steady, end: wallEnd - offsets.steady }]);
  }
  // The day's one offset change, found once per date, not once per schedule and range: every
  // instant before it has the offset at the start of the day's window, every other one the offset
  // at its end. Offsets lie within [-12h, +14h], so every instant of the wall span lies in
  // [wallStart - 14h, wallEnd + 12h].
  offsets.change ??= firstInstantWithOffset(
    (instant) => offsetAt(zone, instant),
    midnight - 14 * HOUR_MS,
    midnight + DAY_MS + 12 * HOUR_MS,
    offsets.before,
  );
  const change = offsets.change;
  const offsetOf = (instant: number) => (instant < change ? offsets.before : offsets.after);
  const before = offsetOf(wallStart - 14 * HOUR_MS);
  const after = offsetOf(wallEnd + 12 * HOUR_MS);
  if (before === after) return nonEmpty([{ start: wallStart - before, end: wallEnd - before }]);

  const early = { start: wallStart - before, end: Math.min(wallEnd - before, change) };
  const late = { start: Math.max(wallStart - after, change), end: wallEnd - after };
  if (early.end === late.start && early.start < early.end && late.start < late.end) {
    return [{ start: early.start, end: late.end }];
  }
  return nonEmpty([early, late]);
}

/** What the offsets do around a date. */
interface DayOffsets {
  /** The zone's offsets at the start and at the end of the day's window. */
  readonly before: number;
  readonly after: number;
  /** The zone's offset throughout the day's window, or undefined when it changes there. */
  readonly steady: number | undefined;
  /** The instant of that change, once looked for. */
  change?: number;
}

// By zone and date: every schedule reads the same days.
const offsetsByDay = new Map<string, DayOffsets>();

/**
 * The offsets in the instants any wall time of `date` can have: from 14 hours before its midnight
 * to 12 hours after its end. Equal offsets at both ends mean no change between them, as real
 * zones never change twice within those 50 hours.
 */
function dayOffsets(zone: string, date: string, midnight: number): DayOffsets {
  const key = `${zone} ${date}`;
  let offsets = offsetsByDay.get(key);
  if (!offsets) {
    const before = offsetAt(zone, midnight - 14 * HOUR_MS);
    const after = offsetAt(zone, midnight + DAY_MS + 12 * HOUR_MS);
    offsets = { before, after, steady: before === after ? before : undefined };
    offsetsByDay.set(key, offsets);
  }
  return offsets;
}

/** The zone's offset throughout the instants any wall time of `date` can have, or undefined when it changes. */
export function steadyOffset(zone: string, date: string, midnight: number): number | undefined {
  return dayOffsets(zone, date, midnight).steady;
}

/** Binary search for the first instant in (low, high] whose offset differs from `offsetBefore`. */
function firstInstantWithOffset(
  offsetOf: (instant: number) => number,
  low: number,
  high: number,
  offsetBefore: number,
): number {
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetOf(mid) === offsetBefore) low = mid;
    else high = mid;
  }
  return high;
}

function nonEmpty(intervals: Interval[]): Interval[] {
  return intervals.filter((interval) => interval.start < interval.end);
}
