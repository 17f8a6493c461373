import { parseInstant } from './timestamp.js';

export interface BookRequest {
  /** `contact_id`, else `external_contact_id`: whose booking this is. */
  readonly contactKey: string;
  readonly contactId: string | null;
  readonly externalContactId: string | null;
  readonly start: number;
  readonly contactDetails: unknown;
}

export type BookRequestProblem = 'not_an_object' | 'no_contact' | 'missing_start' | 'bad_start';

/** Reads a `/book` body; unknown fields are ignored, as the contract allows telli to add some. */
export function readBookRequest(
  body: unknown,
): { ok: true; request: BookRequest } | { ok: false; problem: BookRequestProblem } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problem: 'not_an_object' };
  }
  const fields = body as Record<string, unknown>;
  if (fields.start_iso === undefined || fields.start_iso === null || fields.start_iso === '') {
    return { ok: false, problem: 'missing_start' };
  }
  const start = typeof fields.start_iso === 'string' ? parseInstant(fields.start_iso) : undefined;
  if (start === undefined) return { ok: false, problem: 'bad_start' };
  const contactId = identifier(fields.contact_id);
  const externalContactId = identifier(fields.external_contact_id);
  const contactKey = contactId ?? externalContactId;
  if (contactKey === null) return { ok: false, problem: 'no_contact' };
  return {
    ok: true,
    request: { contactKey, contactId, externalContactId, start, contactDetails: fields.contact_details ?? {} },
  };
}

// Control characters are no part of an id, and PostgreSQL cannot store NUL in text.
const CONTROL = /\p{Cc}/u;

function identifier(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '' && !CONTROL.test(value.trim())) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
