import { steadyOffset, wallRangeInstants } from './zone.js';
import type { Interval } from './interval.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** In the order of `Date.getUTCDay()`. */
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The weekday of a local date `YYYY-MM-DD`, whose weekly hours apply to it. */
function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
}

/** What every schedule reads of a local date in a zone, computed once per zone and date. */
export interface LocalDay {
  readonly date: string;
  /** Its midnight's wall time read as UTC: a wall minute m of the day is `midnight + m × 60,000` as UTC. */
  readonly midnight: number;
  readonly weekday: Weekday;
  /** The zone's offset on the whole day and around it; undefined on a day near an offset change. */
  readonly offset: number | undefined;
}

const localDays = new Map<string, LocalDay>();

export function localDay(zone: string, date: string): LocalDay {
  const key = `${zone} ${date}`;
  let day = localDays.get(key);
  if (!day) {
    const midnight = Date.parse(`${date}T00:00:00Z`);
    day = { date, midnight, weekday: weekdayOf(date), offset: steadyOffset(zone, date, midnight) };
    localDays.set(key, day);
  }
  return day;
}

const MINUTE_MS = 60_000;

/** The first instant of a looked-up day whose wall time is `minute` or later: `firstInstantFrom`. */
export function dayInstantFrom(zone: string, day: LocalDay, minute: number): number {
  return day.offset === undefined
    ? firstInstantFrom(zone, day.date, minute)
    : day.midnight - day.offset + minute * MINUTE_MS;
}

/** All instants of a looked-up day: `dayInstants`. */
export function instantsOf(zone: string, day: LocalDay): Interval {
  return day.offset === undefined
    ? dayInstants(zone, day.date)
    : { start: day.midnight - day.offset, end: day.midnight - day.offset + 24 * 60 * MINUTE_MS };
}

/** The hours of a local day: its override, else its weekday's. */
export function hoursOn(schedule: Schedule, day: LocalDay): readonly WallRange[] {
  return schedule.overrides.get(day.date) ?? schedule.weekly[day.weekday];
}

/** A wall-clock range on one local day, in minutes since local midnight: 09:00-17:30 is {540, 1050}. */
export interface WallRange {
  readonly start: number;
  readonly end: number;
}

/** Weekly hours plus dated exceptions; an override's list replaces that date's weekly hours. */
export interface Schedule {
  /** Indexed by weekday name; an empty day is closed. Ranges sorted, not overlapping. */
  readonly weekly: Readonly<Record<Weekday, readonly WallRange[]>>;
  /** Keyed by local date `YYYY-MM-DD`. An empty list closes the day. */
  readonly overrides: ReadonlyMap<string, readonly WallRange[]>;
}

// Working ranges depend only on (schedule, zone, date): compute each day once, not per request.
const workingCache = new WeakMap<Schedule, Map<string, readonly WorkingRange[]>>();
const dayCache = new Map<string, Interval>();

/**
 * One wall-clock range of a day as real instants: usually one interval, two when the range
 * covers part of a fall-back overlap (then the pieces are separated by the instants whose wall
 * time lies outside the range).
 */
export type WorkingRange = readonly Interval[];

/** The day's ranges at which the schedule is open, each as its instants. */
export function workingRanges(schedule: Schedule, zone: string, date: string): readonly WorkingRange[] {
  let byDate = workingCache.get(schedule);
  if (!byDate) {
    byDate = new Map();
    workingCache.set(schedule, byDate);
  }
  const key = `${zone} ${date}`;
  let ranges = byDate.get(key);
  if (!ranges) {
    const wall = schedule.overrides.get(date) ?? schedule.weekly[weekdayOf(date)];
    ranges = wall
      .map((range) => wallRangeInstants(zone, date, range.start, range.end))
      .filter((pieces) => pieces.length > 0);
    byDate.set(key, ranges);
  }
  return ranges;
}

/** All instants of a local date: from its first instant up to the next date's first. */
export function dayInstants(zone: string, date: string): Interval {
  const key = `${zone} ${date}`;
  let day = dayCache.get(key);
  if (!day) {
    const parts = wallRangeInstants(zone, date, 0, 24 * 60);
    day = { start: parts[0]!.start, end: parts[parts.length - 1]!.end };
    dayCache.set(key, day);
  }
  return day;
}

/**
 * The first instant of local `date` whose wall time is `minute` (minutes since midnight) or later;
 * the next date's first instant when there is none.
 */
export function firstInstantFrom(zone: string, date: string, minute: number): number {
  return wallRangeInstants(zone, date, minute, 24 * 60)[0]?.start ?? dayInstants(zone, date).end;
}
