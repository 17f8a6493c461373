import { nextGridStart, runsOn, type Run } from './grid.js';
import { countInRange } from './interval.js';
import type { Interval } from './interval.js';
import type { ResourceLoad, SlotRules } from './rules.js';
import { dayInstants, localDay } from './schedule.js';

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

/** One resource's walk over a day's grid: its next free start, and where its blocked ranges stand. */
interface Cursor {
  readonly runs: readonly Run[];
  readonly blocked: readonly Interval[];
  /** The first blocked range that may still meet a slot at or after `next`. */
  index: number;
  next: number;
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
 * Moves the cursor to its first free grid start in [from, to), Infinity when there is none. A start
 * whose slot meets a blocked range jumps past that range, so blocked time is never walked start by start.
 */
function advance(rules: SlotRules, cursor: Cursor, from: number, to: number): void {
  const { blocked } = cursor;
  let start = nextGridStart(cursor.runs, rules.interval, from);
  while (start < to) {
    const slotStart = start - rules.bufferBefore;
    let index = cursor.index;
    while (index < blocked.length && blocked[index]!.end <= slotStart) index++;
    cursor.index = index;
    const meets = blocked[index];
    if (meets === undefined || meets.start >= start + rules.duration + rules.bufferAfter) {
      cursor.next = start;
      return;
    }
    start = nextGridStart(cursor.runs, rules.interval, meets.end + rules.bufferBefore);
  }
  cursor.next = Infinity;
}

/** The resources that can take a slot on local `date`, with their grid of that day. */
export interface OpenResource {
  readonly runs: readonly Run[];
  readonly blocked: readonly Interval[];
}

/** The resources with a grid on `date` and room under `maxPerDay`: what `freeStartsOfDay` walks. */
export function openResources(rules: SlotRules, resources: readonly ResourceLoad[], date: string): OpenResource[] {
  const open: OpenResource[] = [];
  const day = localDay(rules.timezone, date);
  for (const resource of resources) {
    const runs = runsOn(rules, resource.schedule, day);
    if (runs.length > 0 && !isDayFull(rules, resource, date)) open.push({ runs, blocked: resource.blocked });
  }
  return open;
}

/**
 * The free starts in [from, to) of a day's open resources, earliest first, each once: a start is
 * free when it is on the grid of some resource that is free for it. Walks every resource's grid
 * alongside the others, computed only as far as asked.
 */
export function* freeStartsOfDay(
  rules: SlotRules,
  open: readonly OpenResource[],
  from: number,
  to: number,
): Generator<number> {
  if (from >= to) return;
  let cursors: Cursor[] = [];
  for (const { runs, blocked } of open) {
    const cursor = { runs, blocked, index: firstEndingAfter(blocked, from - rules.bufferBefore), next: Infinity };
    advance(rules, cursor, from, to);
    if (cursor.next < to) cursors.push(cursor);
  }
  while (cursors.length > 0) {
    let earliest = Infinity;
    for (const cursor of cursors) if (cursor.next < earliest) earliest = cursor.next;
    yield earliest;
    let done = false;
    for (const cursor of cursors) {
      if (cursor.next !== earliest) continue;
      advance(rules, cursor, earliest + 1, to);
      done ||= cursor.next === Infinity;
    }
    if (done) cursors = cursors.filter((cursor) => cursor.next !== Infinity);
  }
}
