import { gridBase, nextGridStart, runsOn, type Run } from './grid.js';
import { countInRange, firstEndingAfter, type Interval } from './interval.js';
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

/**
 * A day's resources that can take a slot: their grids of that day (counted from `base`) and
 * their blocked ranges, side by side, as lists rather than an object each, since a listing over a
 * long horizon builds one for every day.
 */
export interface OpenDay {
  readonly base: number;
  readonly runs: readonly (readonly Run[])[];
  readonly blocked: readonly (readonly Interval[])[];
}

/** The resources with a grid on the day and room under `maxPerDay`: what `freeStartsOfDay` walks. */
export function openResources(rules: SlotRules, resources: readonly ResourceLoad[], day: LocalDay): OpenDay {
  const runs: (readonly Run[])[] = [];
  const blocked: (readonly Interval[])[] = [];
  let schedule: Schedule | undefined;
  let grid: readonly Run[] = [];
  for (const resource of resources) {
    // Resources on the calendar's hours share one schedule, and so one grid (see `sharedGridStarts`).
    if (resource.schedule !== schedule) {
      schedule = resource.schedule;
      grid = runsOn(rules, schedule, day);
    }
    if (grid.length > 0 && !isDayFull(rules, resource, day.date)) {
      runs.push(grid);
      blocked.push(resource.blocked);
    }
  }
  return { base: gridBase(day), runs, blocked };
}

/** Starts found one at a time, earliest first: `next()` answers the next one, Infinity once there are none left. */
export interface Starts {
  next(): number;
}

const NO_STARTS: Starts = { next: () => Infinity };

/**
 * The free starts in [from, to) of a day's open resources, earliest first, each once: a start is
 * free when it is on the grid of some resource that is free for it. Found only as far as asked, by
 * a cursor object rather than a generator, since a listing asks for every start of every day.
 */
export function freeStartsOfDay(rules: SlotRules, day: OpenDay, from: number, to: number): Starts {
  if (from >= to || day.runs.length === 0) return NO_STARTS;
  return day.runs.every((grid) => grid === day.runs[0])
    ? new SharedGridStarts(rules, day, from, to)
    : new MixedGridStarts(rules, day, from, to);
}

/**
 * `freeStartsOfDay` walking every resource's grid alongside the others.
 *
 * Each resource has a cursor: `next` is a grid start at or before its next free start, and that
 * free start itself once `free`; `index` is the first blocked range that may still meet a slot
 * there, -1 until first needed. Only the cursor at the earliest start is checked against its
 * blocked ranges, so one free resource answers for the others.
 */
class MixedGridStarts implements Starts {
  /** Made when the first start is asked: of a day's three parts, a long listing often asks one. */
  private cursors: { readonly next: Float64Array; readonly index: Int32Array; readonly free: Uint8Array } | undefined;

  constructor(
    private readonly rules: SlotRules,
    private readonly day: OpenDay,
    private readonly from: number,
    private readonly to: number,
  ) {}

  private firstCursors() {
    const { runs, base } = this.day;
    const next = new Float64Array(runs.length);
    for (let r = 0; r < runs.length; r++) next[r] = nextGridStart(runs[r]!, base, this.rules.interval, this.from);
    return { next, index: new Int32Array(runs.length).fill(-1), free: new Uint8Array(runs.length) };
  }

  next(): number {
    const { base, runs, blocked } = this.day;
    const { interval, bufferBefore } = this.rules;
    const reach = this.rules.duration + this.rules.bufferAfter;
    const { next, index, free } = (this.cursors ??= this.firstCursors());
    const { to } = this;
    const count = runs.length;
    for (;;) {
      // The earliest grid start, a free one first among equals.
      let earliest = -1;
      for (let r = 0; r < count; r++) {
        const start = next[r]!;
        if (start >= to) continue;
        if (earliest < 0 || start < next[earliest]! || (start === next[earliest] && free[r] && !free[earliest])) {
          earliest = r;
        }
      }
      if (earliest < 0) return Infinity;
      if (!free[earliest]) {
        // Its first free start from there: a start whose slot meets a blocked range jumps past that
        // range, so blocked time is never walked start by start.
        const own = blocked[earliest]!;
        let start = next[earliest]!;
        let at = index[earliest]! < 0 ? firstEndingAfter(own, start - bufferBefore) : index[earliest]!;
        while (start < to) {
          while (at < own.length && own[at]!.end <= start - bufferBefore) at++;
          const meets = own[at];
          if (meets === undefined || meets.start >= start + reach) break;
          start = nextGridStart(runs[earliest]!, base, interval, meets.end + bufferBefore);
        }
        index[earliest] = at;
        next[earliest] = start < to ? start : Infinity;
        free[earliest] = 1;
        continue;
      }
      const start = next[earliest]!;
      for (let r = 0; r < count; r++) {
        if (next[r] !== start) continue;
        next[r] = nextGridStart(runs[r]!, base, interval, start + 1);
        free[r] = 0;
      }
      return start;
    }
  }
}

/**
 * `freeStartsOfDay` when every resource has the same grid: each grid start in turn, free when one
 * resource is, each resource's blocked ranges walked once, front to back.
 */
class SharedGridStarts implements Starts {
  /** The next grid start to check; NaN until the first start is asked. */
  private start = NaN;
  /** Each resource's place in its blocked ranges, found when it is first checked: often the first is free. */
  private indices: Int32Array | undefined;

  constructor(
    private readonly rules: SlotRules,
    private readonly day: OpenDay,
    private readonly from: number,
    private readonly to: number,
  ) {}

  next(): number {
    const { base, runs, blocked } = this.day;
    const grid = runs[0]!;
    const { interval, bufferBefore } = this.rules;
    const reach = this.rules.duration + this.rules.bufferAfter;
    const { to } = this;
    if (!this.indices) {
      this.indices = new Int32Array(blocked.length).fill(-1);
      this.start = nextGridStart(grid, base, interval, this.from);
    }
    const indices = this.indices;
    for (let start = this.start; start < to; start = nextGridStart(grid, base, interval, start + 1)) {
      for (let r = 0; r < blocked.length; r++) {
        const own = blocked[r]!;
        let at = indices[r]!;
        if (at < 0) at = firstEndingAfter(own, start - bufferBefore);
        while (at < own.length && own[at]!.end <= start - bufferBefore) at++;
        indices[r] = at;
        const meets = own[at];
        if (meets === undefined || meets.start >= start + reach) {
          this.start = nextGridStart(grid, base, interval, start + 1);
          return start;
        }
      }
    }
    this.start = Infinity;
    return Infinity;
  }
}
