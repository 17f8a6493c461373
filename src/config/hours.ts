import { DateTime } from 'luxon';
import { fail, type Path } from './config-error.js';
import type { RawRanges } from './config.schema.js';
import type { WallRange, Weekday } from './config.types.js';

/** Opening hours (`mon-fri: ["09:00-17:00"]`) and date overrides (`2026-12-24: []`) as wall-time ranges. */

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Every weekday present, unmentioned ones closed; a weekday may be given by one key only. */
export function parseWeekly(path: Path, raw: RawRanges): Record<Weekday, readonly WallRange[]> {
  const weekly: Record<Weekday, readonly WallRange[]> = {
    mon: [],
    tue: [],
    wed: [],
    thu: [],
    fri: [],
    sat: [],
    sun: [],
  };
  const givenBy = new Map<Weekday, string>();
  for (const [key, list] of Object.entries(raw)) {
    const keyPath = [...path, key];
    const days = parseDayKey(keyPath, key);
    const ranges = parseRanges(keyPath, list);
    for (const day of days) {
      const earlier = givenBy.get(day);
      if (earlier !== undefined) fail(keyPath, `${day} is already given by ${earlier}`);
      givenBy.set(day, key);
      weekly[day] = ranges;
    }
  }
  return weekly;
}

/** `mon` → [mon]; `mon-fri` → [mon … fri]; a range may wrap around the week end: `fri-mon` → [fri, sat, sun, mon]. */
function parseDayKey(path: Path, key: string): Weekday[] {
  const [first, last = first, ...rest] = key.split('-');
  const start = WEEKDAYS.indexOf(first as Weekday);
  const end = WEEKDAYS.indexOf(last as Weekday);
  if (rest.length > 0 || start < 0 || end < 0) fail(path, 'not a weekday (mon..sun) or weekday range such as mon-fri');
  // `mon-mon` could mean one day or the whole week; make the author say which.
  if (last !== first && start === end) fail(path, 'a weekday range needs two different days');
  const length = ((end - start + 7) % 7) + 1;
  return Array.from({ length }, (_, offset) => WEEKDAYS[(start + offset) % 7] as Weekday);
}

const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

export function parseOverrides(path: Path, raw: RawRanges): Map<string, readonly WallRange[]> {
  const overrides = new Map<string, readonly WallRange[]>();
  for (const [date, list] of Object.entries(raw)) {
    const datePath = [...path, date];
    if (!DATE_KEY.test(date) || !DateTime.fromISO(date).isValid) {
      fail(datePath, 'not a real date of the form YYYY-MM-DD');
    }
    overrides.set(date, parseRanges(datePath, list));
  }
  return overrides;
}

/** Parses one day's ranges and returns them sorted by start; overlapping ranges are an error. */
function parseRanges(path: Path, texts: readonly string[]): WallRange[] {
  const ranges = texts.map((text, index) => ({ index, text, ...parseRange([...path, index], text) }));
  ranges.sort((a, b) => a.start - b.start);
  ranges.forEach((range, position) => {
    const previous = ranges[position - 1];
    if (previous && range.start < previous.end) {
      // Blame whichever of the two the author wrote later.
      const [earlier, later] = previous.index < range.index ? [previous, range] : [range, previous];
      fail([...path, later.index], `"${later.text}" overlaps "${earlier.text}"`);
    }
  });
  return ranges.map(({ start, end }) => ({ start, end }));
}

/** "09:00-17:30" → {540, 1050}. */
function parseRange(path: Path, text: string): WallRange {
  const times = text.split('-');
  const [start, end] = times.map(toMinutes);
  if (times.length !== 2 || start === undefined || end === undefined) {
    fail(path, `${JSON.stringify(text)} is not HH:MM-HH:MM`);
  }
  // Also rejects 24:00 as a start: nothing can end after it.
  if (end <= start) fail(path, `${JSON.stringify(text)}: the end must be after the start`);
  return { start, end };
}

const TIME = /^(\d\d):(\d\d)$/;
const MINUTES_PER_DAY = 24 * 60;

/** "HH:MM" → minutes since midnight, up to 24:00 (the end of the day); undefined if not a time. */
function toMinutes(time: string): number | undefined {
  const match = TIME.exec(time);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  const total = hours * 60 + minutes;
  return minutes > 59 || total > MINUTES_PER_DAY ? undefined : total;
}
