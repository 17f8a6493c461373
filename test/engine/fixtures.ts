import type { Schedule, WallRange, Weekday } from '../../src/engine/schedule.js';
import type { SlotRules } from '../../src/engine/availability.js';

const MINUTE = 60_000;

export const minutes = (n: number): number => n * MINUTE;

export function range(text: string): WallRange {
  const [start, end] = text.split('-').map((part) => {
    const [hours, mins] = part.split(':').map(Number);
    return hours! * 60 + mins!;
  });
  return { start: start!, end: end! };
}

/** The same ranges every day of the week, plus optional dated overrides. */
export function everyDay(ranges: string[], overrides: Record<string, string[]> = {}): Schedule {
  const days: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const wall = ranges.map(range);
  return {
    weekly: Object.fromEntries(days.map((day) => [day, wall])) as Record<Weekday, WallRange[]>,
    overrides: new Map(Object.entries(overrides).map(([date, list]) => [date, list.map(range)])),
  };
}

export function rules(overrides: Partial<SlotRules> = {}): SlotRules {
  return {
    timezone: 'UTC',
    duration: minutes(30),
    interval: minutes(30),
    bufferBefore: 0,
    bufferAfter: 0,
    minNotice: 0,
    horizon: minutes(60 * 24 * 30),
    maxSlots: 1000,
    maxPerDay: Infinity,
    ...overrides,
  };
}
