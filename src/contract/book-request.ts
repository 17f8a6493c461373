// Node 20 has String.prototype.isWellFormed; the ES2022 library the project compiles against does not.
/// <reference lib="es2024.string" />
import { parseInstant } from './timestamp.js';

export interface BookRequest {
  /** Whose booking this is: `contact_id`, else `external_contact_id`, named with its kind. */
  readonly contactKey: string;
  readonly contactId: string | null;
  readonly externalContactId: string | null;
  readonly start: number;
  readonly contactDetails: unknown;
}

export type BookRequestProblem =
  'not_an_object' | 'nested_too_deep' | 'missing_contact' | 'missing_start' | 'bad_start';

/**
 * How deep objects and arrays may nest in a request body, the body itself being the first level.
 * Storing `contact_details` serialises it recursively, and thousands of levels overflow the stack.
 */
export const MAX_NESTING = 32;

/** Reads a `/book` body; unknown fields are ignored, as the contract allows telli to add some. */
export function readBookRequest(
  body: unknown,
): { ok: true; request: BookRequest } | { ok: false; problem: BookRequestProblem; start?: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problem: 'not_an_object' };
  }
  if (nestsTooDeep(body)) return { ok: false, problem: 'nested_too_deep' };
  const fields = body as Record<string, unknown>;
  if (fields.start_iso === undefined || fields.start_iso === null || fields.start_iso === '') {
    return { ok: false, problem: 'missing_start' };
  }
  const start = typeof fields.start_iso === 'string' ? parseInstant(fields.start_iso) : undefined;
  if (start === undefined) return { ok: false, problem: 'bad_start' };
  const contactId = identifier(fields.contact_id);
  const externalContactId = identifier(fields.external_contact_id);
  if (contactId === null && externalContactId === null) return { ok: false, problem: 'missing_contact', start };
  // The kinds are separate namespaces: "42" as a contact_id and as an external_contact_id are two people.
  const contactKey = contactId !== null ? `contact_id:${contactId}` : `external_contact_id:${externalContactId}`;
  return {
    ok: true,
    request: { contactKey, contactId, externalContactId, start, contactDetails: fields.contact_details ?? {} },
  };
}

/** Whether objects or arrays nest deeper than `levels`; it stops looking there, so it never recurses deeper. */
export function nestsTooDeep(value: unknown, levels = MAX_NESTING): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  // A loop rather than Object.values: /available checks every body, and an array per object showed in its profile.
  for (const key in value) {
    if (nestsTooDeep((value as Record<string, unknown>)[key], levels - 1)) return true;
  }
  return false;
}

// Control characters are no part of an id, and PostgreSQL cannot store NUL in text. Lone
// surrogates are no text at all: PostgreSQL would turn each into U+FFFD and merge distinct ids.
const CONTROL = /\p{Cc}/u;

function identifier(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const id = value.trim();
  return id !== '' && id.isWellFormed() && !CONTROL.test(id) ? id : null;
}
