import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Longer than any phone number however it is written: the parser is not given more. */
const MAX_LENGTH = 64;
/** Where a contact's phone number may be, in the order they are tried. */
const PHONE_KEYS = ['phone', 'phone_number', 'mobile'] as const;

/**
 * A phone number in E.164 (`+4915112345678`), however it was written: a national number
 * (`0151 1234 5678`) is read in `country`; without one, only international numbers are read.
 * Undefined for what is no possible phone number.
 */
export function toE164(text: string, country: string | undefined): string | undefined {
  if (text.length > MAX_LENGTH) return undefined;
  const parsed = parsePhoneNumberFromString(
    text,
    country === undefined ? undefined : { defaultCountry: country as CountryCode },
  );
  return parsed?.isPossible() ? parsed.number : undefined;
}

/**
 * The contact's phone number in E.164, from the first of `phone`, `phone_number` and `mobile` that
 * holds something (a string that is not blank, or a number); null when that is no phone number.
 */
export function contactPhone(contactDetails: unknown, country: string | undefined): string | null {
  if (typeof contactDetails !== 'object' || contactDetails === null) return null;
  const details = contactDetails as Record<string, unknown>;
  for (const key of PHONE_KEYS) {
    const value = details[key];
    if (typeof value === 'string' && value.trim() !== '') return toE164(value, country) ?? null;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return toE164(String(value), country) ?? null;
  }
  return null;
}
