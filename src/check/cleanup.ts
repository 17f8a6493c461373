/** Cancelling what the check booked, on a Slotline target, through its admin API. */
import { parseInstant } from '../contract/timestamp.js';
import { errorMessage } from '../shared/error-message.js';
import type { Cleanup, MadeBooking } from './check.types.js';

const REASON = 'made by slotline check';

interface ApiBooking {
  readonly id: string;
  readonly contact_id: string | null;
  readonly start_iso: string;
}

/**
 * Where the admin API of the Slotline behind a Book URL lives: beside `/book` or
 * `/calendars/{id}/book`, under whatever prefix a proxy adds. Undefined for any other URL.
 */
export function adminApiOf(bookUrl: string): { base: string; calendar?: string } | undefined {
  const url = new URL(bookUrl);
  const match = /^(.*?)(?:\/calendars\/([^/]+))?\/book\/?$/.exec(url.pathname);
  if (!match) return undefined;
  const calendar = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  return { base: `${url.origin}${match[1]}/api/v1`, calendar };
}

/**
 * Cancels the check's bookings on a Slotline target with an admin token: each is found by its
 * contact id and start (`GET /bookings?q=`), then cancelled (`POST /bookings/{id}/cancel`). A
 * target without the admin API is another implementation: its bookings stay, as before.
 */
export async function cancelMadeBookings(
  bookings: readonly MadeBooking[],
  adminToken: string,
  timeoutMs: number,
): Promise<Cleanup> {
  const api = bookings[0] && adminApiOf(bookings[0].bookUrl);
  if (!api) return { cancelled: [], detail: 'the Book URL is not a Slotline one; nothing cancelled' };
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${api.base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, json: () => JSON.parse(text) as unknown };
  };

  const cancelled: MadeBooking[] = [];
  try {
    const probe = await call('/calendars');
    if (probe.status === 401) return { cancelled: [], detail: 'the target refused the admin token; nothing cancelled' };
    if (probe.status !== 200 || !isObject(probe.json(), 'calendars')) {
      return { cancelled: [], detail: `the target has no Slotline admin API (${probe.status}); nothing cancelled` };
    }
    for (const made of bookings) {
      const query = new URLSearchParams({ q: made.contactId, ...(api.calendar ? { calendar: api.calendar } : {}) });
      const found = await call(`/bookings?${query}`);
      const listed = found.status === 200 ? (found.json() as { bookings: ApiBooking[] }).bookings : [];
      const start = parseInstant(made.start);
      const booking = listed.find(
        (each) => each.contact_id === made.contactId && parseInstant(each.start_iso) === start,
      );
      if (!booking) continue;
      const done = await call(`/bookings/${encodeURIComponent(booking.id)}/cancel`, { reason: REASON });
      if (done.status === 200) cancelled.push(made);
    }
    const left = bookings.length - cancelled.length;
    return {
      cancelled,
      detail: `cancelled ${cancelled.length} of ${bookings.length} through the admin API${left > 0 ? `; ${left} could not be` : ''}`,
    };
  } catch (error) {
    return { cancelled, detail: `the admin API failed (${errorMessage(error)}) after ${cancelled.length} cancelled` };
  }
}

function isObject(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && key in value;
}
