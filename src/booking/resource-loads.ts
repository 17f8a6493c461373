import type { CalendarConfig } from '../config/config.types.js';
import type { ResourceLoad } from '../engine/availability.js';
import { mergeIntervals, type Interval } from '../engine/interval.js';
import type { BlockedRange } from '../store/store.js';

/** The engine's view of each resource, in the calendar's order, from its active bookings. */
export function resourceLoads(
  calendar: CalendarConfig,
  ranges: readonly BlockedRange[],
  ignoredBookings: ReadonlySet<string> = new Set(),
): ResourceLoad[] {
  const byResource = new Map<string, BlockedRange[]>();
  for (const range of ranges) {
    if (ignoredBookings.has(range.bookingId)) continue;
    const list = byResource.get(range.resourceId);
    if (list) list.push(range);
    else byResource.set(range.resourceId, [range]);
  }
  return calendar.resources.map((resource) => {
    const own = byResource.get(resource.id) ?? [];
    const blocked: Interval[] = own.map((range) => ({ start: range.blockedStart, end: range.blockedEnd }));
    return {
      schedule: resource.schedule,
      blocked: mergeIntervals(blocked),
      bookingStarts: own.map((range) => range.start).sort((a, b) => a - b),
    };
  });
}
