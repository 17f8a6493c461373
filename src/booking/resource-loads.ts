import type { CalendarConfig } from '../config/config.types.js';
import type { ResourceLoad } from '../engine/availability.js';
import { mergeIntervals } from '../engine/interval.js';
import type { Schedule } from '../engine/schedule.js';
import type { BlockedRange } from '../store/store.js';

export type RangesByResource = ReadonlyMap<string, readonly BlockedRange[]>;

export function groupByResource(ranges: readonly BlockedRange[]): Map<string, BlockedRange[]> {
  const byResource = new Map<string, BlockedRange[]>();
  for (const range of ranges) {
    const list = byResource.get(range.resourceId);
    if (list) list.push(range);
    else byResource.set(range.resourceId, [range]);
  }
  return byResource;
}

/** The engine's view of one resource from its active bookings. */
export function resourceLoad(schedule: Schedule, ranges: readonly BlockedRange[]): ResourceLoad {
  return {
    schedule,
    blocked: mergeIntervals(ranges.map((range) => ({ start: range.blockedStart, end: range.blockedEnd }))),
    bookingStarts: ranges.map((range) => range.start).sort((a, b) => a - b),
  };
}

/** The engine's view of each resource, in the calendar's order. */
export function resourceLoads(calendar: CalendarConfig, byResource: RangesByResource): ResourceLoad[] {
  return calendar.resources.map((resource) => resourceLoad(resource.schedule, byResource.get(resource.id) ?? []));
}
