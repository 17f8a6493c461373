import { formatInstant, parseInstant } from '../contract/timestamp.js';
import type { CheckResult, Exchange, Outcome, Slot } from './check.types.js';
import { isObject, quote, readJson200, summarise } from './exchange.js';

/** Checks the answer, its shape, timestamps and slots; returns the slots fit to be booked. */
export function checkListing(listing: Exchange, listedAt: number, signed: boolean, results: CheckResult[]): Slot[] {
  const add = (name: string, outcome: Outcome, detail: string) => results.push({ name, outcome, detail, requests: [] });

  const read = readJson200(listing);
  const refused = listing.request.status === 401 || listing.request.status === 403;
  const hint = !refused ? '' : signed ? ' (is --key the right key?)' : ' (the target wants a signature: give --key)';
  const answer = read.ok
    ? { outcome: 'pass' as const, detail: '200 with JSON' }
    : { outcome: 'fail' as const, detail: read.problem + hint };
  results.push({ name: 'available: answer', ...answer, requests: [listing.request] });
  if (!read.ok) return [];

  const shape = readAvailableShape(read.value);
  if (shape.problems.length > 0) add('available: shape', 'fail', summarise(shape.problems));
  else if (shape.extraKeys.length > 0) add('available: shape', 'warn', `extra keys: ${shape.extraKeys.join(', ')}`);
  else add('available: shape', 'pass', `${shape.slots.length} slots of {start_iso, end_iso}`);

  if (shape.slots.length === 0) {
    add('available: slots', 'warn', 'no slots offered, so timestamps and booking are not checked');
    return [];
  }

  const badTimes: string[] = [];
  const unusualForm: string[] = [];
  shape.slots.forEach((slot, index) => {
    for (const key of ['start_iso', 'end_iso'] as const) {
      const text = slot[key];
      const where = `slot ${index + 1} ${key} ${quote(text)}`;
      if (parseInstant(text) === undefined) badTimes.push(`not a time: ${where}`);
      else if (!/(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(text)) badTimes.push(`no time zone: ${where}`);
      else if (formatInstant(parseInstant(text)!) !== text) unusualForm.push(where);
    }
  });
  if (badTimes.length > 0) add('available: timestamps', 'fail', summarise(badTimes));
  else if (unusualForm.length > 0)
    add('available: timestamps', 'warn', `not toISOString() form: ${summarise(unusualForm)}`);
  else add('available: timestamps', 'pass', 'UTC, in Date#toISOString() form');

  const slotProblems: string[] = [];
  const usable: Slot[] = [];
  const seen = new Set<number>();
  let previousStart = -Infinity;
  shape.slots.forEach((slot, index) => {
    const start = parseInstant(slot.start_iso);
    const end = parseInstant(slot.end_iso);
    if (start === undefined || end === undefined) return;
    const where = `slot ${index + 1} (${slot.start_iso})`;
    const problems = [
      end <= start && `end not after start: ${where}`,
      start < listedAt && `in the past: ${where}`,
      start < previousStart && `not sorted: ${where}`,
      seen.has(start) && `duplicate start: ${where}`,
    ].filter((problem) => problem !== false);
    slotProblems.push(...problems);
    if (problems.length === 0) usable.push(slot);
    seen.add(start);
    previousStart = Math.max(previousStart, start);
  });
  if (slotProblems.length > 0) add('available: slots', 'fail', summarise(slotProblems));
  else add('available: slots', 'pass', 'ends after starts, in the future, sorted, no duplicates');
  return usable;
}

function readAvailableShape(value: unknown): { slots: Slot[]; problems: string[]; extraKeys: string[] } {
  const problems: string[] = [];
  const extraKeys = new Set<string>();
  if (!isObject(value) || !Array.isArray(value.available)) {
    return { slots: [], problems: ['expected {"available": [...]}'], extraKeys: [] };
  }
  for (const key of Object.keys(value)) if (key !== 'available') extraKeys.add(key);
  const slots: Slot[] = [];
  value.available.forEach((slot: unknown, index) => {
    if (!isObject(slot)) return problems.push(`slot ${index + 1} is not an object`);
    for (const key of Object.keys(slot)) if (key !== 'start_iso' && key !== 'end_iso') extraKeys.add(`slot.${key}`);
    const wrong = (['start_iso', 'end_iso'] as const).filter((key) => typeof slot[key] !== 'string');
    if (wrong.length > 0) return problems.push(`slot ${index + 1}: ${wrong.join(', ')} missing or not a string`);
    slots.push({ start_iso: slot.start_iso as string, end_iso: slot.end_iso as string });
  });
  return { slots, problems, extraKeys: [...extraKeys] };
}
