// What the checks send, and how they read and word the answers.
import { randomUUID } from 'node:crypto';
import { readJson } from '../contract/telli-client.js';
import type { AvailablePayload, BookPayload, CheckOptions, Exchange } from './check.types.js';

export const CONTACT_PREFIX = 'slotline-check-';
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
const CONTACT_DETAILS = { name: 'Slotline conformance check' };

export const newContact = () => `${CONTACT_PREFIX}${randomUUID()}`;
export const availablePayload = (): AvailablePayload => ({
  contact_id: newContact(),
  contact_details: CONTACT_DETAILS,
});
export const bookPayload = (contact: string, start: string): BookPayload => ({
  contact_id: contact,
  start_iso: start,
  contact_details: CONTACT_DETAILS,
});

/** The book URL when booking is to be checked. */
export function bookingUrl(options: CheckOptions): string | undefined {
  return options.book ? options.bookUrl : undefined;
}

export function readJson200(exchange: Exchange): { ok: true; value: unknown } | { ok: false; problem: string } {
  const { request, text } = exchange;
  if (text === undefined) return { ok: false, problem: `no answer: ${request.error}` };
  if (request.status !== 200) return { ok: false, problem: `answered ${request.status}: ${quote(text)}` };
  const read = readJson(text);
  return read.ok ? read : { ok: false, problem: `answered 200 but not JSON: ${quote(text)}` };
}

export type BookAnswer =
  | { ok: true; status: 'success' | 'failed'; reason?: string; extraKeys: string[] }
  | { ok: false; problem: string; shapeProblem?: boolean };

export function readBookAnswer(exchange: Exchange): BookAnswer {
  const read = readJson200(exchange);
  if (!read.ok) return read;
  const { value } = read;
  const problem = (text: string): BookAnswer => ({ ok: false, problem: text, shapeProblem: true });
  if (!isObject(value)) return problem(`not an object: ${quote(exchange.text ?? '')}`);
  const { status, reason } = value;
  if (status !== 'success' && status !== 'failed') {
    return problem(`status ${quote(String(status))}, not success or failed`);
  }
  if (status === 'failed' && (typeof reason !== 'string' || reason.trim() === '')) {
    return problem('status failed without a reason');
  }
  const allowed = status === 'failed' ? ['status', 'reason'] : ['status'];
  const extraKeys = Object.keys(value).filter((key) => !allowed.includes(key));
  return { ok: true, status, ...(typeof reason === 'string' ? { reason } : {}), extraKeys };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Server text in a one-line detail: quoted, escaped, cut short. */
export function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? `${quoted.slice(0, 77)}..."` : quoted;
}

/** The first few problems and how many more there are. */
export function summarise(problems: string[]): string {
  const shown = problems.slice(0, 3).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}
