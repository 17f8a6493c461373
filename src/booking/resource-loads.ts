import type { CalendarConfig } from '../config/config.types.js';
import type { ResourceLoad } from '../engine/availability.js';
import { isAscending, mergeBy, mergeIntervals } from '../engine/interval.js';
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
