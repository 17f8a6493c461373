/**
 * What `q` finds a booking by. At insert, each value of the contact (contact id, external id,
 * every string or number in contact_details) is stored as lower-case keys: the whole value and
 * each of its words; a value that looks like a phone number also gets `#` + its digits reversed,
 * leading zeros dropped, so that `+49 170 1234567`, `0170 1234567` and `01701234567` meet on
 * their common ending. A search is then a few index range lookups, never a scan of every booking.
 */

const MAX_KEYS = 64;
const MAX_KEY_LENGTH = 128;
/** Fewer digits than this are not taken for a phone number, and two numbers must share as many. */
const MIN_PHONE_DIGITS = 7;
const PHONE_PATTERN = /^[+\d\s()./-]+$/;
/** The greatest code point: every key that starts with a prefix sorts below prefix + this. */
const LAST = '\u{10FFFF}';

/** The search keys of a booking's contact, unique, at most 64. */
export function searchKeys(contact: {
  readonly contactId: string | null;
  readonly externalContactId: string | null;
  readonly contactDetails: unknown;
}): string[] {
  const keys = new Set<string>();
  for (const value of [contact.contactId, contact.externalContactId, ...leaves(contact.contactDetails, 0)]) {
    if (value === null) continue;
    const text = normalise(value);
    if (text === '') continue;
    keys.add(text.slice(0, MAX_KEY_LENGTH));
    for (const word of text.split(/[^\p{L}\p{N}]+/u)) if (word !== '') keys.add(word.slice(0, MAX_KEY_LENGTH));
    const phone = phoneKey(value);
    if (phone) keys.add(phone);
  }
  return [...keys].slice(0, MAX_KEYS);
}

/** Which keys match `q`: those in `exact`, and those in one of the `ranges` [from, to). */
export interface SearchTerms {
  readonly ranges: readonly (readonly [string, string])[];
  readonly exact: readonly string[];
}

export function searchTerms(q: string): SearchTerms {
  const text = normalise(q).slice(0, MAX_KEY_LENGTH);
  const ranges: [string, string][] = text === '' ? [] : [[text, text + LAST]];
  const phone = phoneKey(q);
  if (!phone) return { ranges, exact: [] };
  // q ends a stored number (a key starts with q's key), or a stored number ends q.
  ranges.push([phone, phone + LAST]);
  const exact: string[] = [];
  for (let length = MIN_PHONE_DIGITS + 1; length < phone.length; length += 1) exact.push(phone.slice(0, length));
  return { ranges, exact };
}

function normalise(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{Noncharacter_Code_Point}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** `#` and the digits backwards without leading zeros, for a value written like a phone number. */
function phoneKey(value: string): string | undefined {
  if (!PHONE_PATTERN.test(value)) return undefined;
  const digits = value.replace(/\D/g, '').replace(/^0+/, '');
  if (digits.length < MIN_PHONE_DIGITS) return undefined;
  return `#${[...digits].reverse().join('')}`.slice(0, MAX_KEY_LENGTH);
}

/** Strings and numbers in contact details, nested a little at most. */
function leaves(value: unknown, depth: number): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (depth >= 3 || typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap((each) => leaves(each, depth + 1));
}
