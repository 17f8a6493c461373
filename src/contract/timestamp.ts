/**
 * Timestamps on the wire. Out: always `Date#toISOString()` (UTC, milliseconds, `Z`). In: ISO 8601
 * with or without seconds, fraction and zone; a time without a zone is UTC, as telli sends UTC.
 */

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const DAY_MS = 86_400_000;
/** 0000-03-01 and 10000-01-01: between them toISOString writes a four-digit year. */
const FIRST_FAST = -62_162_035_200_000;
const AFTER_FAST = 253_402_300_800_000;

/**
 * `new Date(instant).toISOString()`, computed without a Date: a page of bookings writes three
 * instants a booking, and toISOString was a fifth of the bookings list's CPU. The date is Howard
 * Hinnant's `civil_from_days` (eras of 400 years from 0000-03-01); instants outside years 0-9999,
 * and non-integers, go to toISOString.
 */
export function formatInstant(instant: number): string {
  if (!Number.isInteger(instant) || instant < FIRST_FAST || instant >= AFTER_FAST)
    return new Date(instant).toISOString();
  const days = Math.floor(instant / DAY_MS);
  const ms = instant - days * DAY_MS;
  const fromEpoch = days + 719_468;
  const era = Math.floor(fromEpoch / 146_097);
  const dayOfEra = fromEpoch - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return (
    `${year < 1000 ? String(year).padStart(4, '0') : year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T` +
    `${TWO_DIGITS[Math.floor(ms / 3_600_000)]}:${TWO_DIGITS[Math.floor(ms / 60_000) % 60]}:` +
    `${TWO_DIGITS[Math.floor(ms / 1000) % 60]}.${THREE_DIGITS[ms % 1000]}Z`
  );
}

/**
 * The fields' texts, made once: making each field's text per instant ("0" + 7, padStart) was a
 * quarter of the instructions a page of bookings spends on its instants.
 */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/** Epoch milliseconds, or undefined when the text is not a valid timestamp. */
export function parseInstant(text: string): number | undefined {
  const match = ISO_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', , sign, offsetHours, offsetMinutes] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) : 0;
  if (Math.abs(offset) > 18 * 60 || Number(offsetMinutes) > 59) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, millis);
  return date.getTime() - offset * 60_000;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
