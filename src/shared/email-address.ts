/**
 * A bare e-mail address (`name@example.com`, no display name), checked the way a sender needs:
 * one `@`, no spaces or address punctuation in the local part, a domain of dotted labels with a
 * top-level one. Deliberately narrower than RFC 5322 (no quoted local parts, no IP literals): an
 * address a caller dictated or a business typed either looks like this or is a mistake.
 */
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?`;
const ADDRESS = new RegExp(String.raw`^[^\s@<>()\[\],;:"\\]+@${LABEL}(?:\.${LABEL})+$`, 'u');

/** Longest address SMTP carries (RFC 5321's path limit less its angle brackets). */
const MAX_LENGTH = 254;

export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_LENGTH && ADDRESS.test(value);
}
