import type { CalendarConfig } from '../config/config.types.js';
import {
  freeStartsOn,
  listSlots,
  nearestFreeStarts,
  slotsValidUntil,
  type ResourceLoad,
} from '../engine/availability.js';
import { overlapsAny, type Interval } from '../engine/interval.js';
import { createOfferMemo, type OfferMemo } from '../engine/offer-memo.js';
import type { BookingChange } from '../store/booking.js';
import type { BusyChange, BusyRange } from '../store/source.js';
import type { Store } from '../store/store.js';
import {
  groupBusy,
  resourceLoad,
  resourceLoads,
  withRange,
  type BusyByResource,
  type RangesByResource,
} from './resource-loads.js';

export interface Availability {
  /** The free slots to offer a caller now. */
  slots(calendar: CalendarConfig, now: number): Promise<readonly Interval[]>;
  /** Up to three free starts nearest to `target`, to offer when a booking fails; of one resource when named. */
  nearest(calendar: CalendarConfig, target: number, now: number, resourceId?: string): Promise<number[]>;
  /** Every free start of local `date` on one resource, earliest first: the slots an operator picks from. */
  startsOn(calendar: CalendarConfig, date: string, now: number, resourceId: string): Promise<number[]>;
  /** Brings what is held in memory up to date with a booking this process committed. */
  applyChange(calendar: CalendarConfig, change: BookingChange): void;
  /** Brings what is held in memory up to date with busy time this process's sync wrote. */
  applyBusy(change: BusyChange): void;
}

const DAY_MS = 86_400_000;
/**
 * What a request needs reaches a margin past its first and last possible starts: more than the
 * longest local day (a start's whole day counts for max_per_day) besides the buffers. That check
 * needs no time-zone arithmetic. A load reaches further still, so it serves the next two days.
 */
const MARGIN_MS = 2 * DAY_MS;
const LOAD_AHEAD_MS = 2 * DAY_MS;

/**
 * The active bookings of a calendar's window as of `mark`, or of a later state: the data is
 * read after the mark, so it can be newer than its mark but never older.
 */
interface CalendarCache {
  /** The calendar's config it was computed for: a reload replaces the object, and with it the cache. */
  readonly calendar: CalendarConfig;
  readonly mark: string;
  readonly window: Interval;
  readonly byResource: RangesByResource;
  readonly busyByResource: BusyByResource;
  readonly loads: readonly ResourceLoad[];
  /** The days' offers of these loads, kept across bookings applied to them. */
  readonly memo: OfferMemo;
  answer?: { readonly from: number; readonly until: number; readonly slots: readonly Interval[] };
}

/** A window read under way: for which config, mark and window, and the cache it will make. */
interface WindowRead extends Pick<CalendarCache, 'calendar' | 'mark' | 'window'> {
  readonly promise: Promise<CalendarCache>;
}

/** Whether a cache, or a read under way, is of this config and mark and covers what a request needs. */
function serves<T extends Pick<CalendarCache, 'calendar' | 'mark' | 'window'>>(
  held: T | undefined,
  calendar: CalendarConfig,
  mark: string,
  needed: Interval,
): held is T {
  return (
    held !== undefined &&
    held.calendar === calendar &&
    held.mark === mark &&
    held.window.start <= needed.start &&
    needed.end <= held.window.end
  );
}

/**
 * Availability answered from memory while the bookings have not changed. Every request asks the
 * store for its change mark, which moves with any booking made by this process or another, so an
 * answer is never staler than the database. Bookings this process makes, and busy time its sync
 * writes, are applied to memory; anything else makes the next request read the window again.
 * Slots are computed again only after a change or when the clock moves them.
 */
export function createAvailability(store: Store): Availability {
  const caches = new Map<string, CalendarCache>();
  /**
   * The window reads under way: requests that find the same mark moved meanwhile share one read
   * instead of each reading the window (on PostgreSQL, where reads overlap, every request in
   * flight when another process's change arrived would read it again).
   */
  const reading = new Map<string, WindowRead>();

  const readWindow = (calendar: CalendarConfig, mark: string, window: Interval): Promise<CalendarCache> => {
    const promise = (async () => {
      const ranges = await store.activeBlocked(calendar.id, window.start, window.end);
      const busyByResource = groupBusy(calendar, await store.busy(calendar.id, window.start, window.end));
      const { byResource, loads } = resourceLoads(calendar, ranges, busyByResource);
      const fresh: CalendarCache = {
        calendar,
        mark,
        window,
        byResource,
        busyByResource,
        loads,
        memo: createOfferMemo(),
      };
      caches.set(calendar.id, fresh);
      return fresh;
    })();
    reading.set(calendar.id, { calendar, mark, window, promise });
    const done = () => {
      if (reading.get(calendar.id)?.promise === promise) reading.delete(calendar.id);
    };
    promise.then(done, done);
    return promise;
  };

  const cacheFor = async (calendar: CalendarConfig, now: number): Promise<CalendarCache> => {
    const needed = {
      start: now + calendar.minNotice - calendar.bufferBefore - MARGIN_MS,
      end: now + calendar.horizon + calendar.duration + calendar.bufferAfter + MARGIN_MS,
    };
    const mark = await store.changeMark(calendar.id);
    const cached = caches.get(calendar.id);
    if (serves(cached, calendar, mark, needed)) return cached;
    const pending = reading.get(calendar.id);
    if (serves(pending, calendar, mark, needed)) return pending.promise;
    return readWindow(calendar, mark, { start: needed.start, end: needed.end + LOAD_AHEAD_MS });
  };

  return {
    async slots(calendar, now) {
      const cache = await cacheFor(calendar, now);
      const answer = cache.answer;
      if (answer && answer.from <= now && now < answer.until) return answer.slots;
      const slots = listSlots(calendar, cache.loads, now, cache.memo);
      cache.answer = { from: now, until: slotsValidUntil(calendar, cache.loads, now, slots), slots };
      return slots;
    },

    async nearest(calendar, target, now, resourceId) {
      const cache = await cacheFor(calendar, now);
      const loads =
        resourceId === undefined
          ? cache.loads
          : cache.loads.filter((_, index) => calendar.resources[index]!.id === resourceId);
      return nearestFreeStarts(calendar, loads, target, now, 3);
    },

    async startsOn(calendar, date, now, resourceId) {
      const cache = await cacheFor(calendar, now);
      const loads = cache.loads.filter((_, index) => calendar.resources[index]!.id === resourceId);
      return freeStartsOn(calendar, loads, now, date);
    },

    applyChange(calendar, change) {
      const cache = caches.get(calendar.id);
      if (!cache || cache.calendar !== calendar || cache.mark !== change.markBefore) return;
      const byResource = new Map(cache.byResource);
      const loads = [...cache.loads];
      // A removal builds its resource's load again; an insert, the usual change, is added to the load.
      const rebuilt = new Set<string>();
      for (const removed of change.removed) {
        const ranges = byResource.get(removed.resourceId) ?? [];
        byResource.set(
          removed.resourceId,
          ranges.filter((range) => range.bookingId !== removed.bookingId),
        );
        rebuilt.add(removed.resourceId);
      }
      const { inserted } = change;
      const index = inserted ? loadIndex(calendar, inserted.resourceId) : -1;
      if (
        inserted &&
        index !== -1 &&
        inserted.blockedEnd > cache.window.start &&
        inserted.blockedStart < cache.window.end
      ) {
        const ranges = byResource.get(inserted.resourceId) ?? [];
        // The cached data may already hold this booking (see CalendarCache); only where its range is blocked already.
        const held =
          overlapsAny(cache.loads[index]!.blocked, inserted.blockedStart, inserted.blockedEnd) &&
          ranges.some((range) => range.bookingId === inserted.bookingId);
        if (!held) {
          byResource.set(inserted.resourceId, [...ranges, inserted]);
          if (!rebuilt.has(inserted.resourceId)) loads[index] = withRange(loads[index]!, inserted);
        }
      }
      for (const resourceId of rebuilt) {
        const at = loadIndex(calendar, resourceId);
        if (at === -1) continue;
        loads[at] = resourceLoad(
          calendar.resources[at]!.schedule,
          byResource.get(resourceId) ?? [],
          cache.busyByResource.get(resourceId) ?? [],
        );
      }
      const changed = [...change.removed, ...(inserted ? [inserted] : [])];
      const memo = cache.memo.without(
        calendar,
        changed.map((range) => ({ start: range.blockedStart, end: range.blockedEnd })),
      );
      caches.set(calendar.id, { ...cache, mark: change.markAfter, byResource, loads, memo, answer: undefined });
    },

    applyBusy({ source, intervals, markBefore, markAfter }) {
      const cache = caches.get(source.calendarId);
      if (!cache || cache.mark !== markBefore) return;
      const { calendar, window } = cache;
      const index = loadIndex(calendar, source.resourceId);
      // Busy time of a resource this calendar's config does not have changes none of its loads.
      if (index === -1) {
        caches.set(calendar.id, { ...cache, mark: markAfter });
        return;
      }
      const held = cache.busyByResource.get(source.resourceId) ?? [];
      const before = held.filter((range) => range.sourceId === source.id);
      const after: BusyRange[] = intervals
        .filter((interval) => interval.end > window.start && interval.start < window.end)
        .map(({ start, end }) => ({ resourceId: source.resourceId, sourceId: source.id, start, end }));
      const busy = [...held.filter((range) => range.sourceId !== source.id), ...after];
      const busyByResource = new Map(cache.busyByResource).set(source.resourceId, busy);
      const loads = [...cache.loads];
      loads[index] = resourceLoad(
        calendar.resources[index]!.schedule,
        cache.byResource.get(source.resourceId) ?? [],
        busy,
      );
      const memo = cache.memo.without(calendar, symmetricDifference(before, after));
      caches.set(calendar.id, { ...cache, mark: markAfter, busyByResource, loads, memo, answer: undefined });
    },
  };
}

/** Where a resource's load is in its calendar's loads (the order of its resources); -1 when it has none. */
function loadIndex(calendar: CalendarConfig, resourceId: string): number {
  return calendar.resources.findIndex((resource) => resource.id === resourceId);
}

/**
 * The intervals in one list and not in the other: where the union of busy time can have changed
 * (a point free before and busy after lies in an interval only `after` holds, and the reverse).
 */
function symmetricDifference(before: readonly Interval[], after: readonly Interval[]): Interval[] {
  const key = (interval: Interval) => `${interval.start} ${interval.end}`;
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return [
    ...before.filter((interval) => !afterKeys.has(key(interval))),
    ...after.filter((interval) => !beforeKeys.has(key(interval))),
  ];
}
