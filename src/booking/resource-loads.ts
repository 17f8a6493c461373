import type { CalendarConfig } from '../config/config.types.js';
import type { ResourceLoad } from '../engine/availability.js';
import { firstIndexFrom, IntervalJoin, isAscending, mergeIntervals, type Interval } from '../engine/interval.js';
import type { Schedule } from '../engine/schedule.js';
import type { BlockedRange } from '../store/booking.js';
import type { BusyRange } from '../store/source.js';

export type RangesByResource = ReadonlyMap<string, readonly BlockedRange[]>;
export type BusyByResource = ReadonlyMap<string, readonly BusyRange[]>;

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
  const builder = new LoadBuilder();
  for (const range of ranges) builder.add(range);
  return builder.load(schedule, busy);
}

/** A window's ranges by resource, and each resource's load in the calendar's order. */
export interface WindowLoads {
  readonly byResource: RangesByResource;
  readonly loads: ResourceLoad[];
}

/**
 * The engine's view of each resource, in the calendar's order, and the ranges by resource, built
 * in one pass over the ranges: a window holds thousands, and every pass over them cost about what
 * listing its month of slots costs (bench/README.md). Ranges of resources the calendar no longer
 * has are left out.
 */
export function resourceLoads(
  calendar: CalendarConfig,
  ranges: readonly BlockedRange[],
  busyByResource: BusyByResource = new Map(),
): WindowLoads {
  const builders = new Map(calendar.resources.map((resource) => [resource.id, new LoadBuilder()]));
  for (const range of ranges) builders.get(range.resourceId)?.add(range);
  const byResource = new Map<string, readonly BlockedRange[]>();
  const loads = calendar.resources.map((resource) => {
    const builder = builders.get(resource.id)!;
    byResource.set(resource.id, builder.ranges);
    return builder.load(resource.schedule, busyByResource.get(resource.id) ?? []);
  });
  return { byResource, loads };
}

/**
 * One resource's ranges, joined as they are read: the store returns a window by blocked end, which
 * is the order of blocked starts whenever the bookings have one length, so a sort is rarely needed.
 */
class LoadBuilder {
  readonly ranges: BlockedRange[] = [];
  private readonly join = new IntervalJoin();
  private joinedInOrder = true;

  add(range: BlockedRange): void {
    this.ranges.push(range);
    if (this.joinedInOrder) this.joinedInOrder = this.join.add(range.blockedStart, range.blockedEnd);
  }

  load(schedule: Schedule, busy: readonly BusyRange[]): ResourceLoad {
    const booked = this.joinedInOrder
      ? this.join.finish()
      : mergeIntervals(this.ranges.map((range) => ({ start: range.blockedStart, end: range.blockedEnd })));
    return new RangesLoad(schedule, busy.length === 0 ? booked : mergeIntervals([...booked, ...busy]), this.ranges);
  }
}

/**
 * A load whose booking starts are sorted when first read: only a per-day cap and least-busy
 * assignment count them, so most listings never do, and a window's thousands of starts would cost
 * a pass of their own.
 */
class RangesLoad implements ResourceLoad {
  private starts: readonly number[] | undefined;

  constructor(
    readonly schedule: Schedule,
    readonly blocked: readonly Interval[],
    private readonly ranges: readonly BlockedRange[],
  ) {}

  get bookingStarts(): readonly number[] {
    return (this.starts ??= sortedStarts(this.ranges));
  }
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
