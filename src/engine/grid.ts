import { hoursOn, localDay, workingRanges, type LocalDay, type Schedule, type WallRange } from './schedule.js';

/**
 * The slot grid: the instants at which slots may start on a day, before anything is booked. A day's
 * grid is held as runs, never start by start, so a 1-minute grid over two years costs as little
 * as a 15-minute one over a month.
 */

/** What a grid depends on besides the schedule and the date; durations in milliseconds. */
export interface GridRules {
  readonly timezone: string;
  readonly duration: number;
  readonly interval: number;
}

/** The grid starts `first`, `first + interval`, … up to `last` (inclusive), relative to a day's base. */
export interface Run {
  readonly first: number;
  readonly last: number;
}

const MINUTE_MS = 60_000;

// By rules (the calendar's own object), schedule and date: the runs of a day near an offset change.
const gridCache = new WeakMap<GridRules, WeakMap<Schedule, Map<string, readonly Run[]>>>();
// By rules and a day's hours: the runs of a day with one offset, relative to its first instant.
const steadyCache = new WeakMap<GridRules, WeakMap<readonly WallRange[], readonly Run[]>>();

/**
 * The instant a day's runs count from (see `runsOn`): its first instant on a day with one offset,
 * 0 on a day near an offset change, whose runs are instants.
 */
export function gridBase(day: LocalDay): number {
  return day.offset === undefined ? 0 : day.midnight - day.offset;
}

/**
 * A day's grid on one schedule, as disjoint runs sorted by time, relative to `gridBase(day)`: from
 * the first instant of each working range, stepping by `interval` in elapsed time, the starts whose
 * whole slot lies inside one piece of that range (one run per piece). On a day with one offset,
 * each range is one piece, and the runs depend only on the day's hours: computed once per hours.
 */
export function runsOn(rules: GridRules, schedule: Schedule, day: LocalDay): readonly Run[] {
  if (day.offset === undefined) return changingDayRuns(rules, schedule, day.date);
  const hours = hoursOn(schedule, day);
  let byHours = steadyCache.get(rules);
  if (!byHours) {
    byHours = new WeakMap();
    steadyCache.set(rules, byHours);
  }
  let runs = byHours.get(hours);
  if (!runs) {
    const { duration, interval } = rules;
    const found: Run[] = [];
    for (const range of hours) {
      const first = range.start * MINUTE_MS;
      const last = first + Math.floor(((range.end - range.start) * MINUTE_MS - duration) / interval) * interval;
      if (first <= last) found.push({ first, last });
    }
    runs = found;
    byHours.set(hours, runs);
  }
  return runs;
}

function changingDayRuns(rules: GridRules, schedule: Schedule, date: string): readonly Run[] {
  let bySchedule = gridCache.get(rules);
  if (!bySchedule) {
    bySchedule = new WeakMap();
    gridCache.set(rules, bySchedule);
  }
  let byDate = bySchedule.get(schedule);
  if (!byDate) {
    byDate = new Map();
    bySchedule.set(schedule, byDate);
  }
  let runs = byDate.get(date);
  if (!runs) {
    const { duration, interval } = rules;
    const found: Run[] = [];
    for (const pieces of workingRanges(schedule, rules.timezone, date)) {
      const origin = pieces[0]!.start;
      for (const piece of pieces) {
        const first = origin + Math.ceil((piece.start - origin) / interval) * interval;
        const last = origin + Math.floor((piece.end - duration - origin) / interval) * interval;
        if (first <= last) found.push({ first, last });
      }
    }
    // Pieces are disjoint, so are their runs; ranges interleave in time when a fall-back overlap splits them.
    runs = found.sort((a, b) => a.first - b.first);
    byDate.set(date, runs);
  }
  return runs;
}

/** The first grid start at or after `instant` of `runs` counted from `base`; Infinity when there is none. */
export function nextGridStart(runs: readonly Run[], base: number, interval: number, instant: number): number {
  const at = instant - base;
  for (const run of runs) {
    if (run.last < at) continue;
    if (at <= run.first) return base + run.first;
    return base + run.first + Math.ceil((at - run.first) / interval) * interval;
  }
  return Infinity;
}

/** The first grid start of the schedule on local `date` at or after `instant`; Infinity when there is none. */
export function nextGridStartOn(rules: GridRules, schedule: Schedule, date: string, instant: number): number {
  const day = localDay(rules.timezone, date);
  return nextGridStart(runsOn(rules, schedule, day), gridBase(day), rules.interval, instant);
}

/** Whether `start` is one of the schedule's grid starts on local `date`. */
export function isGridStart(rules: GridRules, schedule: Schedule, date: string, start: number): boolean {
  const day = localDay(rules.timezone, date);
  const at = start - gridBase(day);
  return runsOn(rules, schedule, day).some(
    (run) => run.first <= at && at <= run.last && (at - run.first) % rules.interval === 0,
  );
}
