import { firstIndexFrom } from './interval.js';
import { workingRanges, type Schedule } from './schedule.js';

/** The slot grid: the instants at which slots may start on a day, before anything is booked. */

/** What a grid depends on besides the schedule and the date; durations in milliseconds. */
export interface GridRules {
  readonly timezone: string;
  readonly duration: number;
  readonly interval: number;
}

// Grids depend only on (schedule, zone, duration, interval, date): computed once per day.
const gridCache = new WeakMap<Schedule, Map<string, number[]>>();

/**
 * Slot starts of a day on one schedule, sorted: from the first instant of each working range,
 * stepping by `interval` in elapsed time, where the whole slot lies inside one piece of that range.
 */
function gridStarts(rules: GridRules, schedule: Schedule, date: string): number[] {
  let byKey = gridCache.get(schedule);
  if (!byKey) {
    byKey = new Map();
    gridCache.set(schedule, byKey);
  }
  const key = `${rules.timezone} ${rules.duration} ${rules.interval} ${date}`;
  let starts = byKey.get(key);
  if (!starts) {
    starts = [];
    for (const pieces of workingRanges(schedule, rules.timezone, date)) {
      const last = pieces[pieces.length - 1]!;
      for (let start = pieces[0]!.start; start + rules.duration <= last.end; start += rules.interval) {
        const end = start + rules.duration;
        if (pieces.some((piece) => piece.start <= start && end <= piece.end)) starts.push(start);
      }
    }
    // Ranges interleave in time when a fall-back overlap splits them.
    starts.sort((a, b) => a - b);
    byKey.set(key, starts);
  }
  return starts;
}

/** Whether `start` is one of the schedule's grid starts on local `date`. */
export function isGridStart(rules: GridRules, schedule: Schedule, date: string, start: number): boolean {
  const starts = gridStarts(rules, schedule, date);
  return starts[firstIndexFrom(starts, start)] === start;
}

/** Every resource's grid starts of a day, sorted, each once. */
export function dayStarts(
  rules: GridRules,
  resources: readonly { readonly schedule: Schedule }[],
  date: string,
): number[] {
  const schedules = new Set(resources.map((resource) => resource.schedule));
  if (schedules.size === 1) return gridStarts(rules, resources[0]!.schedule, date);
  const starts = new Set<number>();
  for (const schedule of schedules) {
    for (const start of gridStarts(rules, schedule, date)) starts.add(start);
  }
  return [...starts].sort((a, b) => a - b);
}
