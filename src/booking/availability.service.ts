import type { CalendarConfig } from '../config/config.types.js';
import { listSlots, nearestFreeStarts, relevantWindow } from '../engine/availability.js';
import type { Interval } from '../engine/interval.js';
import type { Store } from '../store/store.js';
import { resourceLoads } from './resource-loads.js';

/** The free slots to offer a caller now. */
export async function availableSlots(store: Store, calendar: CalendarConfig, now: number): Promise<Interval[]> {
  return listSlots(calendar, await loadsForHorizon(store, calendar, now), now);
}

/** Free starts nearest to `target`, to offer when a booking fails. */
export async function nearestAlternatives(
  store: Store,
  calendar: CalendarConfig,
  target: number,
  now: number,
): Promise<number[]> {
  return nearestFreeStarts(calendar, await loadsForHorizon(store, calendar, now), target, now, 3);
}

async function loadsForHorizon(store: Store, calendar: CalendarConfig, now: number) {
  const window = relevantWindow(calendar, now + calendar.minNotice, now + calendar.horizon);
  return resourceLoads(calendar, await store.activeBlocked(calendar.id, window.start, window.end));
}
