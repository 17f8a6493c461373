import type { CalendarConfig } from '../config/config.types.js';
import type { ResourceLoad } from '../engine/availability.js';
import { firstIndexFrom, isAscending, mergeBy, mergeIntervals, type Interval } from '../engine/interval.js';
import type { Schedule } from '../engine/schedule.js';
import type { BlockedRange } from '../store/booking.js';
import type { BusyRange } from '../store/source.js';

export type RangesByResource = ReadonlyMap<string, readonly BlockedRange[]>;
export type BusyByResource = ReadonlyMap<string, readonly BusyRange[]>;

export function groupByResource<R extends { resourceId: string }>(ranges: readonly R[]): Map<string, R[]> {
  const byResource = new Map<string, R[]>();
  for (const range of ranges) {
    const list = byResource.get(range.resourceId);
    if (list) list.push(range);
    else byResource.set(range.resourceId, [range]);
  }
  return byResource;
}

/**
 * Busy time by resource, for each resource of the calendar: a range without a resource (time
 * off of the whole calendar) is busy time of every one.
 */
export function groupBusy(calendar: CalendarConfig, busy: readonly BusyRange[]): Map<string, BusyRange[]> {
  const byResource = new Map<string, BusyRange[]>(calendar.resources.map((resource) => [resource.id, []]));
  for (const range of busy) {
    if (range.resourceId === null) for (const ranges of byResource.values()) ranges.push(range);
    else byResource.get(range.resourceId)?.push(range);
  }
  return byResource;
}

/** The engine's view of one resource: its bookings with their buffers, and its busy time elsewhere. */
export function resourceLoad(
  schedule: Schedule,
  ranges: readonly BlockedRange[],
  busy: readonly BusyRange[] = [],
): ResourceLoad {
  const booked = mergeBy(
    ranges,
    (range) => range.blockedStart,
    (range) => range.blockedEnd,
  );
  return {
    schedule,
    blocked: busy.length === 0 ? booked : mergeIntervals([...booked, ...busy]),
    bookingStarts: sortedStarts(ranges),
  };
}

/**
 * The load with one booking more: what `resourceLoad` would build with its range added, without
 * merging and sorting all the others again (a /book applies each booking so; bench/README.md).
 */
export function withRange(load: ResourceLoad, range: BlockedRange): ResourceLoad {
  const at = firstIndexFrom(load.bookingStarts, range.start);
  return {
    schedule: load.schedule,
    blocked: withInterval(load.blocked, { start: range.blockedStart, end: range.blockedEnd }),
    bookingStarts: [...load.bookingStarts.slice(0, at), range.start, ...load.bookingStarts.slice(at)],
  };
}

/** A merged, sorted list with `added` merged in, as `mergeIntervals` joins them: touching ones too. */
function withInterval(merged: readonly Interval[], added: Interval): Interval[] {
  // From the first interval that ends at or after `added` starts, those that start by its end touch it.
  let first = 0;
  let last = merged.length;
  while (first < last) {
    const mid = (first + last) >>> 1;
    if (merged[mid]!.end < added.start) first = mid + 1;
    else last = mid;
  }
  let end = first;
  while (end < merged.length && merged[end]!.start <= added.end) end += 1;
  const joined =
    first === end
      ? added
      : { start: Math.min(added.start, merged[first]!.start), end: Math.max(added.end, merged[end - 1]!.end) };
  return [...merged.slice(0, first), joined, ...merged.slice(end)];
}

function sortedStarts(ranges: readonly BlockedRange[]): number[] {
  const starts = ranges.map((range) => range.start);
  return isAscending(starts) ? starts : starts.sort((a, b) => a - b);
}

/** The engine's view of each resource, in the calendar's order. */
export function resourceLoads(
  calendar: CalendarConfig,
  byResource: RangesByResource,
  busyByResource: BusyByResource = new Map(),
): ResourceLoad[] {
  return calendar.resources.map((resource) =>
    resourceLoad(resource.schedule, byResource.get(resource.id) ?? [], busyByResource.get(resource.id) ?? []),
  );
}
