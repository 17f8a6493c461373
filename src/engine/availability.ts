import { blockedRange, freeStartsOfDay, isDayFull, openResources, type Starts } from './free-starts.js';
import { isGridStart, nextGridStartOn } from './grid.js';
import { overlapsAny, type Interval } from './interval.js';
import { addDays, datesBetween } from './local-date.js';
import type { ResourceLoad, SlotRules } from './rules.js';
import { dayInstantFrom, dayInstants, instantsOf, localDay, workingRanges, type LocalDay } from './schedule.js';
import { localDateOf } from './zone.js';
import type { OfferMemo } from './offer-memo.js';

export type { ResourceLoad, SlotRules } from './rules.js';
export { blockedRange } from './free-starts.js';

export type Refusal = 'past' | 'too_soon' | 'beyond_horizon' | 'closed' | 'off_grid' | 'taken';

export type Judgement =
  { readonly ok: true; readonly freeResources: readonly number[] } | { readonly ok: false; readonly refusal: Refusal };

/**
 * The one check of whether a resource can take the slot starting at `start` on local `date`, for
 * a booking; listing walks the same conditions (`freeStartsOfDay`), and the property tests hold
 * the two to each other, so anything listed is bookable and the reverse.
 */
function isResourceFree(rules: SlotRules, resource: ResourceLoad, start: number, date: string): boolean {
  if (isDayFull(rules, resource, date)) return false;
  const range = blockedRange(rules, start);
  return !overlapsAny(resource.blocked, range.start, range.end);
}

/** The first days with a free start give this many starts a round; later days give one. */
const NEAR_DAYS = 7;
const NEAR_DAY_SHARE = 3;

/**
 * Free slots from `now + minNotice` to `now + horizon`, at most `maxSlots`, sorted by start.
 *
 * Taken in rounds over the days in date order: each round, each of the first seven days with a
 * free start gives the next three starts of its `offerOrder`, every later day the next one. So the
 * nearest days offer a morning, a midday and an afternoon start before any day offers a second
 * one of the same part, and the rest of the horizon still gets one start a day as far as
 * `maxSlots` reaches.
 */
export function listSlots(
  rules: SlotRules,
  resources: readonly ResourceLoad[],
  now: number,
  memo?: OfferMemo,
): Interval[] {
  const chosen: number[] = [];
  const earliest = now + rules.minNotice;
  const end = now + rules.horizon + 1;
  const offersOf = (date: string): Starts => {
    const day = localDay(rules.timezone, date);
    if (!memo) return offerOrder(rules, resources, day, earliest, end);
    // Bounds within the day, so a day wholly inside notice and horizon is asked alike whatever `now`.
    const instants = instantsOf(rules.timezone, day);
    const from = Math.max(earliest, instants.start);
    const to = Math.min(end, instants.end);
    return memo.offers(rules, date, { from, to }, () => offerOrder(rules, resources, day, from, to));
  };
  // A day's share is settled in the first round, by whether it is among the first days to give a start.
  let days = bookableDates(rules, now).map((date) => ({ starts: offersOf(date), share: 0 }));
  let nearDaysLeft = NEAR_DAYS;
  while (chosen.length < rules.maxSlots && days.length > 0) {
    const unfinished = [];
    for (const day of days) {
      const share = day.share || (nearDaysLeft > 0 ? NEAR_DAY_SHARE : 1);
      let taken = 0;
      while (taken < share && chosen.length < rules.maxSlots) {
        const next = day.starts.next();
        if (next === Infinity) break;
        chosen.push(next);
        taken++;
      }
      if (day.share === 0 && taken > 0) {
        day.share = share;
        if (share === NEAR_DAY_SHARE) nearDaysLeft--;
      }
      if (taken === share) unfinished.push(day);
    }
    days = unfinished;
  }
  // A typed array sorts numbers as numbers. The slots are made by a plain loop into a list of their
  // length: Array.from with a mapping function walks a typed array by its iterator, which cost more
  // than the sort (bench/README.md).
  const starts = Float64Array.from(chosen).sort();
  const slots = new Array<Interval>(starts.length);
  for (let i = 0; i < starts.length; i++) slots[i] = { start: starts[i]!, end: starts[i]! + rules.duration };
  return slots;
}

/** Where the parts of a day begin, in minutes of local wall time: the middle of the day, the afternoon. */
const MIDDAY = 12 * 60;
const AFTERNOON = 14 * 60;

/** The instants at which the middle of the day and the afternoon begin on a local day. */
function partStarts(zone: string, day: LocalDay): readonly [midday: number, afternoon: number] {
  return [dayInstantFrom(zone, day, MIDDAY), dayInstantFrom(zone, day, AFTERNOON)];
}

/**
 * A day's free starts in the order they are offered: the earliest of the morning (before 12:00),
 * of the afternoon and evening (from 14:00) and of the middle of the day, then the second of each,
 * and so on; a part with none left is skipped. Only starts in [earliest, end) count. Computed only
 * as far as asked: nothing until the first is asked, as a listing makes one for every day.
 */
function offerOrder(
  rules: SlotRules,
  resources: readonly ResourceLoad[],
  day: LocalDay,
  earliest: number,
  end: number,
): Starts {
  let parts: Starts[] | undefined;
  let turn = 0;
  return {
    next() {
      if (!parts) {
        const [midday, afternoon] = partStarts(rules.timezone, day);
        const open = openResources(rules, resources, day);
        const between = (from: number, to: number) =>
          freeStartsOfDay(rules, open, Math.max(from, earliest), Math.min(to, end));
        parts = [between(-Infinity, midday), between(afternoon, Infinity), between(midday, afternoon)];
      }
      while (parts.length > 0) {
        if (turn >= parts.length) turn = 0;
        const start = parts[turn]!.next();
        if (start !== Infinity) {
          turn++;
          return start;
        }
        parts.splice(turn, 1);
      }
      return Infinity;
    },
  };
}

/**
 * The instant until which `listSlots` keeps giving `slots`, while the bookings stay as they are:
 * until the earliest slot falls inside the minimum notice, or a new grid start enters the horizon.
 */
export function slotsValidUntil(
  rules: SlotRules,
  resources: readonly ResourceLoad[],
  now: number,
  slots: readonly Interval[],
): number {
  const earliestLeaves = slots[0] ? slots[0].start - rules.minNotice + 1 : Infinity;
  const nextEnters = nextGridStartAfter(rules, resources, now + rules.horizon) - rules.horizon;
  return Math.min(earliestLeaves, nextEnters);
}

/** The first grid start after `instant`, or, with none in the next week, a bound below it. */
function nextGridStartAfter(rules: SlotRules, resources: readonly ResourceLoad[], instant: number): number {
  let date = localDateOf(rules.timezone, instant);
  const schedules = new Set(resources.map((resource) => resource.schedule));
  for (let day = 0; day < 7; day++, date = addDays(date, 1)) {
    let next = Infinity;
    for (const schedule of schedules) {
      next = Math.min(next, nextGridStartOn(rules, schedule, date, instant + 1));
    }
    if (next !== Infinity) return next;
  }
  return dayInstants(rules.timezone, date).start;
}

/** Whether `start` can be booked now, and on which resources (indices into `resources`). */
export function judgeStart(
  rules: SlotRules,
  resources: readonly ResourceLoad[],
  start: number,
  now: number,
): Judgement {
  if (start < now) return { ok: false, refusal: 'past' };
  if (start < now + rules.minNotice) return { ok: false, refusal: 'too_soon' };
  if (start > now + rules.horizon) return { ok: false, refusal: 'beyond_horizon' };
  const date = localDateOf(rules.timezone, start);
  const onGrid = resources.flatMap((resource, index) =>
    isGridStart(rules, resource.schedule, date, start) ? [index] : [],
  );
  if (onGrid.length === 0) {
    const open = resources.some((resource) =>
      workingRanges(resource.schedule, rules.timezone, date).some((pieces) =>
        pieces.some((piece) => piece.start <= start && start < piece.end),
      ),
    );
    return { ok: false, refusal: open ? 'off_grid' : 'closed' };
  }
  const freeResources = onGrid.filter((index) => isResourceFree(rules, resources[index]!, start, date));
  if (freeResources.length === 0) return { ok: false, refusal: 'taken' };
  return { ok: true, freeResources };
}

/**
 * The resources (indices into `resources`) whose bookings and busy time leave `start` free, for
 * a booking the operator forces past the calendar's rules: hours, grid, notice, horizon and the
 * per-day cap do not count, what already occupies a resource always does.
 */
export function freeIgnoringRules(rules: SlotRules, resources: readonly ResourceLoad[], start: number): number[] {
  const range = blockedRange(rules, start);
  return resources.flatMap((resource, index) => (overlapsAny(resource.blocked, range.start, range.end) ? [] : [index]));
}

/**
 * Up to `count` free starts nearest in time to `target`, sorted by start. The nearest free start
 * on each side of `target` comes first, so that when there are both, a caller hears an earlier and
 * a later time, however far the later one lies (after a closed day, say); the rest by distance.
 */
export function nearestFreeStarts(
  rules: SlotRules,
  resources: readonly ResourceLoad[],
  target: number,
  now: number,
  count: number,
): number[] {
  const dates = bookableDates(rules, now);
  if (dates.length === 0) return [];
  const first = dates[0]!;
  const last = dates[dates.length - 1]!;
  const targetDate = clamp(localDateOf(rules.timezone, target), first, last);
  const found: number[] = [];
  // Search outward from the target's day. Starts two days further out than a day that completed
  // `count` cannot be nearer than those found, so one more ring after that suffices, once each
  // side has its nearest start or has run out of days. The first day on a side holding a start
  // of that side holds its nearest.
  let lastRing = Infinity;
  for (let ring = 0; ; ring++) {
    const before = addDays(targetDate, -ring);
    const after = addDays(targetDate, ring);
    if (before < first && after > last) break;
    const sidesDone =
      (before < first || found.some(isBefore(target))) && (after > last || found.some(isAtOrAfter(target)));
    if (ring > lastRing && sidesDone) break;
    for (const date of new Set([before, after])) {
      if (date >= first && date <= last) found.push(...freeStartsOn(rules, resources, now, date));
    }
    if (found.length >= count && lastRing === Infinity) lastRing = ring + 1;
  }
  const byDistance = found.sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || a - b);
  const sides = [byDistance.find(isBefore(target)), byDistance.find(isAtOrAfter(target))];
  const nearestOfEachSide = byDistance.filter((start) => sides.includes(start));
  return [...new Set([...nearestOfEachSide, ...byDistance])].slice(0, count).sort((a, b) => a - b);
}

const isBefore = (target: number) => (start: number) => start < target;
const isAtOrAfter = (target: number) => (start: number) => start >= target;

function clamp(date: string, first: string, last: string): string {
  return date < first ? first : date > last ? last : date;
}

/** Local dates that can hold a bookable start. */
function bookableDates(rules: SlotRules, now: number): readonly string[] {
  const from = localDateOf(rules.timezone, now + rules.minNotice);
  const to = localDateOf(rules.timezone, now + rules.horizon);
  if (lastDates.from !== from || lastDates.to !== to) lastDates = { from, to, dates: datesBetween(from, to) };
  return lastDates.dates;
}

// The dates of the last listing: the next listing of the day asks for the same ones.
let lastDates: { readonly from: string; readonly to: string; readonly dates: readonly string[] } = {
  from: '',
  to: '',
  dates: [],
};

/** Every free start of local `date` within notice and horizon, earliest first: a day's slots to pick from. */
export function freeStartsOn(
  rules: SlotRules,
  resources: readonly ResourceLoad[],
  now: number,
  date: string,
): number[] {
  const open = openResources(rules, resources, localDay(rules.timezone, date));
  const starts = freeStartsOfDay(rules, open, now + rules.minNotice, now + rules.horizon + 1);
  const all: number[] = [];
  for (let start = starts.next(); start !== Infinity; start = starts.next()) all.push(start);
  return all;
}

/**
 * The instants whose bookings matter for starts in [firstStart, lastStart]: the blocked ranges
 * those slots could touch and the whole local days they fall on, for the per-day cap.
 */
export function relevantWindow(rules: SlotRules, firstStart: number, lastStart: number): Interval {
  const firstDay = dayInstants(rules.timezone, localDateOf(rules.timezone, firstStart));
  const lastDay = dayInstants(rules.timezone, localDateOf(rules.timezone, lastStart));
  return {
    start: Math.min(firstDay.start, blockedRange(rules, firstStart).start),
    end: Math.max(lastDay.end, blockedRange(rules, lastStart).end),
  };
}
