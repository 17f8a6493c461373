import { gridBase, nextGridStart, runsOn, type Run } from './grid.js';
import { countInRange } from './interval.js';
import type { Interval } from './interval.js';
import type { ResourceLoad, SlotRules } from './rules.js';
import { dayInstants, type LocalDay, type Schedule } from './schedule.js';

/** The range a slot starting at `start` occupies on its resource: the slot with its buffers. */
export function blockedRange(rules: SlotRules, start: number): Interval {
  return { start: start - rules.bufferBefore, end: start + rules.duration + rules.bufferAfter };
}

/** Whether the resource already has `maxPerDay` bookings starting on local `date`. */
export function isDayFull(rules: SlotRules, resource: ResourceLoad, date: string): boolean {
  if (!Number.isFinite(rules.maxPerDay)) return false;
  const day = dayInstants(rules.timezone, date);
  return countInRange(resource.bookingStarts, day.start, day.end) >= rules.maxPerDay;
}

/** One resource's walk over a day's grid. */
interface Cursor {
  readonly base: number;
  readonly runs: readonly Run[];
  readonly blocked: readonly Interval[];
  /** The first blocked range that may still meet a slot at or after `next`; -1 until first needed. */
  index: number;
  /** A grid start at or before the resource's next free start; that free start itself once `free`. */
  next: number;
  free: boolean;
}

/** Index of the first of the merged, sorted `blocked` that ends after `instant`. */
function firstEndingAfter(blocked: readonly Interval[], instant: number): number {
  let lo = 0;
  let hi = blocked.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (blocked[mid]!.end <= instant) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Moves the cursor from its grid start to its first free one before `to`, Infinity when there is
 * none. A start whose slot meets a blocked range jumps past that range, so blocked time is never
 * walked start by start.
 */
function findFree(rules: SlotRules, cursor: Cursor, to: number): void {
  const { blocked } = cursor;
  let start = cursor.next;
  let index = cursor.index < 0 ? firstEndingAfter(blocked, start - rules.bufferBefore) : cursor.index;
  while (start < to) {
    const slotStart = start - rules.bufferBefore;
    while (index < blocked.length && blocked[index]!.end <= slotStart) index++;
    const meets = blocked[index];
    if (meets === undefined || meets.start >= start + rules.duration + rules.bufferAfter) break;
    start = nextGridStart(cursor.runs, cursor.base, rules.interval, meets.end + rules.bufferBefore);
  }
  cursor.index = index;
  cursor.next = start < to ? start : Infinity;
  cursor.free = true;
}

/** A day's resources that can take a slot, with their grids of that day, counted from `base`. */
export interface OpenDay {
  readonly base: number;
  readonly resources: readonly OpenResource[];
}

export interface OpenResource {
  readonly runs: readonly Run[];
  readonly blocked: readonly Interval[];
}

/** The resources with a grid on the day and room under `maxPerDay`: what `freeStartsOfDay` walks. */
export function openResources(rules: SlotRules, resources: readonly ResourceLoad[], day: LocalDay): OpenDay {
  const open: OpenResource[] = [];
  let schedule: Schedule | undefined;
  let runs: readonly Run[] = [];
  for (const resource of resources) {
    // Resources on the calendar's hours share one schedule, and so one grid (see `sharedGridStarts`).
    if (resource.schedule !== schedule) {
      schedule = resource.schedule;
      runs = runsOn(rules, schedule, day);
    }
    if (runs.length > 0 && !isDayFull(rules, resource, day.date)) open.push({ runs, blocked: resource.blocked });
  }
  return { base: gridBase(day), resources: open };
}

/**
 * The free starts in [from, to) of a day's open resources, earliest first, each once: a start is
 * free when it is on the grid of some resource that is free for it. Walks every resource's grid
 * alongside the others, computed only as far as asked.
 */
export function* freeStartsOfDay(
  rules: SlotRules,
  { base, resources: open }: OpenDay,
  from: number,
  to: number,
): Generator<number> {
  if (from >= to || open.length === 0) return;
  const shared = open[0]!.runs;
  if (open.every((resource) => resource.runs === shared)) {
    yield* sharedGridStarts(rules, { base, runs: shared }, open, from, to);
    return;
  }
  let cursors: Cursor[] = open.map(({ runs, blocked }) => ({
    base,
    runs,
    blocked,
    index: -1,
    next: nextGridStart(runs, base, rules.interval, from),
    free: false,
  }));
  for (;;) {
    // The earliest grid start, a free one first among equals. Only a resource whose grid start is
    // the earliest is checked for being free there, so one free resource answers for the others.
    let earliest: Cursor | undefined;
    let ended = false;
    for (const cursor of cursors) {
      if (cursor.next >= to) ended = true;
      else if (!earliest || cursor.next < earliest.next || (cursor.next === earliest.next && cursor.free)) {
        earliest = cursor;
      }
    }
    if (ended) cursors = cursors.filter((cursor) => cursor.next < to);
    if (!earliest) return;
    if (!earliest.free) {
      findFree(rules, earliest, to);
      continue;
    }
    const start = earliest.next;
    yield start;
    for (const cursor of cursors) {
      if (cursor.next !== start) continue;
      cursor.next = nextGridStart(cursor.runs, cursor.base, rules.interval, start + 1);
      cursor.free = false;
    }
  }
}

/**
 * `freeStartsOfDay` when every resource has the same grid: each grid start in turn, free when one
 * resource is, each resource's blocked ranges walked once, front to back.
 */
function* sharedGridStarts(
  rules: SlotRules,
  { base, runs }: { readonly base: number; readonly runs: readonly Run[] },
  open: readonly OpenResource[],
  from: number,
  to: number,
): Generator<number> {
  const { interval, bufferBefore } = rules;
  const reach = rules.duration + rules.bufferAfter;
  // Each resource's place in its blocked ranges, found when it is first checked: often the first is free.
  const indices = open.map(() => -1);
  const next = (instant: number) => nextGridStart(runs, base, interval, instant);
  for (let start = next(from); start < to; start = next(start + 1)) {
    for (let r = 0; r < open.length; r++) {
      const blocked = open[r]!.blocked;
      let index = indices[r]!;
      if (index < 0) index = firstEndingAfter(blocked, start - bufferBefore);
      while (index < blocked.length && blocked[index]!.end <= start - bufferBefore) index++;
      indices[r] = index;
      const meets = blocked[index];
      if (meets === undefined || meets.start >= start + reach) {
        yield start;
        break;
      }
    }
  }
}
