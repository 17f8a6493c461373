import { expect } from 'vitest';
import type { Running } from './harness.js';

/** The admin token the API tests configure, and the config section that names it `front-desk`. */
export const TOKEN = 'front-desk-token-0123456789abcdef';
export const ADMIN = `admin:\n  tokens:\n    - { name: front-desk, token: "${TOKEN}" }\n`;

export interface Reply {
  readonly status: number;
  readonly type: string | null;
  readonly body: any;
}

/**
 * Calls the API with the admin token, or with `token`, or none for null; `body` goes as JSON (a
 * string as it is), and without one the request has no body and no content type.
 */
export async function apiCall(
  app: Running,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<Reply> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${app.url}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: text && JSON.parse(text) };
}

/**
 * Books through telli's `/book` of `calendar` (`contact_details` default to Ada), expects success,
 * and answers the new booking's id.
 */
export async function bookedId(
  app: Running,
  booking: { contact_id: string; start_iso: string } & Record<string, unknown>,
  calendar = 'physio',
): Promise<string> {
  const answer = await app.post(`/calendars/${calendar}/book`, { contact_details: { name: 'Ada' }, ...booking });
  expect(answer.body).toEqual({ status: 'success' });
  const [created] = (await app.store.bookings(calendar)).filter(
    (candidate) => candidate.contactId === booking.contact_id && candidate.status === 'active',
  );
  return created!.id;
}

/** POSTs `body` to the API, as `apiCall`. */
export const apiPost = (app: Running, path: string, body: unknown, token?: string | null): Promise<Reply> =>
  apiCall(app, 'POST', path, body, token);

export function expectProblem(reply: Reply, status: number, field?: string): void {
  expect(reply.status).toBe(status);
  expect(reply.type).toMatch(/^application\/problem\+json\b/);
  expect(reply.body).toEqual(expect.objectContaining({ type: 'about:blank', status, detail: expect.any(String) }));
  if (field) expect(reply.body.field).toBe(field);
}

/** A 409 for a refused time: its reason's code, and free starts to offer instead. */
export function expectRefused(reply: Reply, code: string): void {
  expectProblem(reply, 409);
  expect(reply.body.code).toBe(code);
  expect(reply.body.alternatives.length).toBeGreaterThan(0);
  for (const alternative of reply.body.alternatives)
    expect(alternative).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
}
