import { hoursOn, localDay, workingRanges, type LocalDay, type Schedule } from './schedule.js';

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

/** The grid starts `first`, `first + interval`, … up to `last` (inclusive). */
export interface Run {
  readonly first: number;
  readonly last: number;
}

const MINUTE_MS = 60_000;

// By rules (the calendar's own object), schedule and date: the runs of a day near an offset change.
const gridCache = new WeakMap<GridRules, WeakMap<Schedule, Map<string, readonly Run[]>>>();

/**
 * A day's grid on one schedule, as disjoint runs sorted by time: from the first instant of each
 * working range, stepping by `interval` in elapsed time, the starts whose whole slot lies inside
 * one piece of that range (one run per piece).
 */
export function gridRuns(rules: GridRules, schedule: Schedule, date: string): readonly Run[] {
  return runsOn(rules, schedule, localDay(rules.timezone, date));
}

/**
 * `gridRuns` of a day already looked up. On a day with one offset throughout, each wall range is
 * one piece and its run is plain arithmetic, cheaper than a cache lookup; other days are cached.
 */
export function runsOn(rules: GridRules, schedule: Schedule, day: LocalDay): readonly Run[] {
  if (day.offset === undefined) return changingDayRuns(rules, schedule, day.date);
  const { duration, interval } = rules;
  const base = day.midnight - day.offset;
  const runs: Run[] = [];
  for (const range of hoursOn(schedule, day)) {
    const first = base + range.start * MINUTE_MS;
    const last = first + Math.floor(((range.end - range.start) * MINUTE_MS - duration) / interval) * interval;
    if (first <= last) runs.push({ first, last });
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

/** The first grid start of `runs` at or after `instant`; Infinity when there is none. */
export function nextGridStart(runs: readonly Run[], interval: number, instant: number): number {
  for (const run of runs) {
    if (run.last < instant) continue;
    if (instant <= run.first) return run.first;
    return run.first + Math.ceil((instant - run.first) / interval) * interval;
  }
  return Infinity;
}

/** Whether `start` is one of the schedule's grid starts on local `date`. */
export function isGridStart(rules: GridRules, schedule: Schedule, date: string, start: number): boolean {
  return gridRuns(rules, schedule, date).some(
    (run) => run.first <= start && start <= run.last && (start - run.first) % rules.interval === 0,
  );
}
