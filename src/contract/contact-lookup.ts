import { MAX_NESTING, nestsTooDeep } from './book-request.js';

/**
 * telli's contact lookup: before an inbound call connects, telli posts
 * `{"event":"contact_lookup","phone_number":"+4915112345678","to_number":"+4930…"}` and shows the
 * agent the contact it gets back. `first_name` and `last_name` are required, 1 to 50 characters.
 */

/** What a lookup asks: the caller's number as telli sent it, absent when it sent none. */
export type ContactLookupRequest =
  { readonly ok: true; readonly phoneNumber?: string } | { readonly ok: false; readonly problem: string };

/** Reads a lookup body; unknown fields are ignored, as telli may add some. */
export function readContactLookup(body: unknown): ContactLookupRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problem: 'The body must be a JSON object.' };
  }
  if (nestsTooDeep(body)) {
    return { ok: false, problem: `The body nests objects or arrays deeper than ${MAX_NESTING} levels.` };
  }
  const { event, phone_number: phoneNumber } = body as Record<string, unknown>;
  if (event !== undefined && event !== 'contact_lookup') {
    return { ok: false, problem: 'event must be "contact_lookup".' };
  }
  // A withheld number comes as nothing at all: an unknown caller, not a wrong request.
  if (phoneNumber === undefined || phoneNumber === null) return { ok: true };
  if (typeof phoneNumber !== 'string') return { ok: false, problem: 'phone_number must be a string.' };
  return { ok: true, phoneNumber };
}

export interface TelliContact {
  readonly first_name: string;
  readonly last_name: string;
  readonly email?: string;
  readonly external_id?: string;
  readonly phone_number: string;
  readonly properties: ContactProperties;
}

/** What the agent's prompt can use: the next appointment, spoken and exact, and how many there are. */
export interface ContactProperties {
  readonly next_appointment?: string;
  readonly next_appointment_iso?: string;
  readonly next_appointment_calendar?: string;
  readonly upcoming_appointments: number;
}

const MAX_NAME_LENGTH = 50;

/**
 * The contact's names from `first_name` and `last_name`, or else from `name` split at its last
 * word ("Ada King Lovelace": "Ada King", "Lovelace"). Each trimmed and cut to 50 characters;
 * undefined when neither way gives both.
 */
export function contactNames(contactDetails: unknown): { first: string; last: string } | undefined {
  if (typeof contactDetails !== 'object' || contactDetails === null) return undefined;
  const details = contactDetails as Record<string, unknown>;
  const first = nameText(details.first_name);
  const last = nameText(details.last_name);
  if (first && last) return { first: cut(first), last: cut(last) };
  const words = nameText(details.name)?.split(/\s+/u) ?? [];
  if (words.length < 2) return undefined;
  return { first: cut(words.slice(0, -1).join(' ')), last: cut(words.at(-1)!) };
}

/** A name's text, whitespace collapsed; undefined for what is not a non-blank string. */
function nameText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/\s+/gu, ' ').trim();
  return text === '' ? undefined : text;
}

/** At most 50 characters (UTF-16 units, as JavaScript counts), cut between code points, never ending in a space. */
function cut(text: string): string {
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > MAX_NAME_LENGTH) break;
    kept += character;
  }
  return kept.trimEnd();
}

/** A contact detail that is a non-blank string, trimmed. */
export function detailText(contactDetails: unknown, key: string): string | undefined {
  if (typeof contactDetails !== 'object' || contactDetails === null) return undefined;
  return nameText((contactDetails as Record<string, unknown>)[key]);
}
