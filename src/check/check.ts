import { randomUUID } from 'node:crypto';
import { sign } from '../contract/signature.js';
import { formatInstant, parseInstant } from '../contract/timestamp.js';

/**
 * A conformance check of any Generic Calendar implementation: it sends requests exactly as telli
 * does (POST, JSON, `x-telli-signature` over `JSON.stringify(payload)`) and judges the answers
 * against the contract and the decisions in DESIGN.md §1.
 */

export type Outcome = 'pass' | 'warn' | 'fail';

export interface CheckOptions {
  readonly availableUrl: string;
  /** Without it the booking checks are skipped. */
  readonly bookUrl?: string;
  /** The telli API key: signs every request and enables the checks that bad signatures are refused. */
  readonly key?: string;
  /** `false` books nothing on the target. */
  readonly book: boolean;
  readonly timeoutMs?: number;
}

export interface RequestRecord {
  readonly url: string;
  readonly status?: number;
  /** Why there was no answer: refused connection, timeout, ... */
  readonly error?: string;
  readonly ms: number;
}

export interface CheckResult {
  readonly name: string;
  readonly outcome: Outcome;
  readonly detail: string;
  readonly requests: readonly RequestRecord[];
}

/** A booking the target confirmed: it stays in the business's calendar until someone cancels it. */
export interface MadeBooking {
  /** The Book URL, which names the calendar. */
  readonly bookUrl: string;
  /** The start as sent, ISO 8601. */
  readonly start: string;
  readonly contactId: string;
}

export interface CheckReport {
  readonly availableUrl: string;
  readonly bookUrl?: string;
  readonly results: readonly CheckResult[];
  readonly summary: { readonly passed: number; readonly warned: number; readonly failed: number };
  /** Every booking the check made on the target, in the order made. */
  readonly bookings: readonly MadeBooking[];
}

export const CONTACT_PREFIX = 'slotline-check-';
const SLOW_MS = 1000;
/** Contacts booked into one slot, beyond the first, before concluding that the target double-books. */
const MAX_EXTRA_CONTACTS = 50;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CONTACT_DETAILS = { name: 'Slotline conformance check' };

interface Exchange {
  readonly request: RequestRecord;
  /** The answer's body; undefined when there was no answer. */
  readonly text?: string;
}

type Signing = 'key' | 'none' | 'wrong';
type Post = (url: string, payload: AvailablePayload | BookPayload, signing?: Signing) => Promise<Exchange>;

interface Slot {
  readonly start_iso: string;
  readonly end_iso: string;
}

export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const requests: RequestRecord[] = [];
  const bookings: MadeBooking[] = [];
  const post = notingBookings(poster(options, requests), options.bookUrl, bookings);
  const results: CheckResult[] = [];

  const listedAt = Date.now();
  const listing = await post(options.availableUrl, availablePayload());
  const slots = checkListing(listing, listedAt, options.key !== undefined, results);
  results.push(...(await checkSignatures(options, post)));
  results.push(...(await checkBooking(options, post, slots)));
  results.push(checkLatency(requests));

  const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
  return {
    availableUrl: options.availableUrl,
    ...(options.bookUrl === undefined ? {} : { bookUrl: options.bookUrl }),
    results,
    summary: { passed: count('pass'), warned: count('warn'), failed: count('fail') },
    bookings,
  };
}

function poster(options: CheckOptions, requests: RequestRecord[]): Post {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (url, payload, signing = 'key') => {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signWith = signing === 'key' ? options.key : signing === 'wrong' ? randomUUID() : undefined;
    if (signWith !== undefined) headers['x-telli-signature'] = sign(body, signWith);
    const started = performance.now();
    const record = (fields: { status?: number; error?: string }): RequestRecord => {
      const request = { url, ...fields, ms: Math.round(performance.now() - started) };
      requests.push(request);
      return request;
    };
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      return { request: record({ status: response.status }), text };
    } catch (error) {
      return { request: record({ error: noAnswerReason(error, timeoutMs) }) };
    }
  };
}

/**
 * Notes every booking the target confirms, whichever check asked for it (a target that ignores
 * signatures or books past starts makes bookings too), so that the report can list them all.
 */
function notingBookings(post: Post, bookUrl: string | undefined, bookings: MadeBooking[]): Post {
  return async (url, payload, signing) => {
    const exchange = await post(url, payload, signing);
    if (url !== bookUrl || !('start_iso' in payload)) return exchange;
    const answer = readBookAnswer(exchange);
    const { contact_id: contactId, start_iso: start } = payload;
    const known = bookings.some((booking) => booking.contactId === contactId && booking.start === start);
    if (answer.ok && answer.status === 'success' && !known) bookings.push({ bookUrl: url, start, contactId });
    return exchange;
  };
}

function noAnswerReason(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  // fetch only says "fetch failed"; the network error (ECONNREFUSED, ENOTFOUND, ...) is its cause.
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}

// ---- /available ----

/** Checks the answer, its shape, timestamps and slots; returns the slots fit to be booked. */
function checkListing(listing: Exchange, listedAt: number, signed: boolean, results: CheckResult[]): Slot[] {
  const add = (name: string, outcome: Outcome, detail: string) => results.push({ name, outcome, detail, requests: [] });

  const read = readJson200(listing);
  const refused = listing.request.status === 401 || listing.request.status === 403;
  const hint = !refused ? '' : signed ? ' (is --key the right key?)' : ' (the target wants a signature: give --key)';
  const answer = read.ok
    ? { outcome: 'pass' as const, detail: '200 with JSON' }
    : { outcome: 'fail' as const, detail: read.problem + hint };
  results.push({ name: 'available: answer', ...answer, requests: [listing.request] });
  if (!read.ok) return [];

  const shape = readAvailableShape(read.value);
  if (shape.problems.length > 0) add('available: shape', 'fail', summarise(shape.problems));
  else if (shape.extraKeys.length > 0) add('available: shape', 'warn', `extra keys: ${shape.extraKeys.join(', ')}`);
  else add('available: shape', 'pass', `${shape.slots.length} slots of {start_iso, end_iso}`);

  if (shape.slots.length === 0) {
    add('available: slots', 'warn', 'no slots offered, so timestamps and booking are not checked');
    return [];
  }

  const badTimes: string[] = [];
  const unusualForm: string[] = [];
  shape.slots.forEach((slot, index) => {
    for (const key of ['start_iso', 'end_iso'] as const) {
      const text = slot[key];
      const where = `slot ${index + 1} ${key} ${quote(text)}`;
      if (parseInstant(text) === undefined) badTimes.push(`not a time: ${where}`);
      else if (!/(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(text)) badTimes.push(`no time zone: ${where}`);
      else if (formatInstant(parseInstant(text)!) !== text) unusualForm.push(where);
    }
  });
  if (badTimes.length > 0) add('available: timestamps', 'fail', summarise(badTimes));
  else if (unusualForm.length > 0)
    add('available: timestamps', 'warn', `not toISOString() form: ${summarise(unusualForm)}`);
  else add('available: timestamps', 'pass', 'UTC, in Date#toISOString() form');

  const slotProblems: string[] = [];
  const usable: Slot[] = [];
  const seen = new Set<number>();
  let previousStart = -Infinity;
  shape.slots.forEach((slot, index) => {
    const start = parseInstant(slot.start_iso);
    const end = parseInstant(slot.end_iso);
    if (start === undefined || end === undefined) return;
    const where = `slot ${index + 1} (${slot.start_iso})`;
    const problems = [
      end <= start && `end not after start: ${where}`,
      start < listedAt && `in the past: ${where}`,
      start < previousStart && `not sorted: ${where}`,
      seen.has(start) && `duplicate start: ${where}`,
    ].filter((problem) => problem !== false);
    slotProblems.push(...problems);
    if (problems.length === 0) usable.push(slot);
    seen.add(start);
    previousStart = Math.max(previousStart, start);
  });
  if (slotProblems.length > 0) add('available: slots', 'fail', summarise(slotProblems));
  else add('available: slots', 'pass', 'ends after starts, in the future, sorted, no duplicates');
  return usable;
}

function readAvailableShape(value: unknown): { slots: Slot[]; problems: string[]; extraKeys: string[] } {
  const problems: string[] = [];
  const extraKeys = new Set<string>();
  if (!isObject(value) || !Array.isArray(value.available)) {
    return { slots: [], problems: ['expected {"available": [...]}'], extraKeys: [] };
  }
  for (const key of Object.keys(value)) if (key !== 'available') extraKeys.add(key);
  const slots: Slot[] = [];
  value.available.forEach((slot: unknown, index) => {
    if (!isObject(slot)) return problems.push(`slot ${index + 1} is not an object`);
    for (const key of Object.keys(slot)) if (key !== 'start_iso' && key !== 'end_iso') extraKeys.add(`slot.${key}`);
    const wrong = (['start_iso', 'end_iso'] as const).filter((key) => typeof slot[key] !== 'string');
    if (wrong.length > 0) return problems.push(`slot ${index + 1}: ${wrong.join(', ')} missing or not a string`);
    slots.push({ start_iso: slot.start_iso as string, end_iso: slot.end_iso as string });
  });
  return { slots, problems, extraKeys: [...extraKeys] };
}

// ---- signatures ----

async function checkSignatures(options: CheckOptions, post: Post): Promise<CheckResult[]> {
  if (options.key === undefined) {
    const detail =
      'not checked without --key; telli signs every request, and the endpoints should refuse unsigned ones';
    return [{ name: 'signature', outcome: 'warn', detail, requests: [] }];
  }
  const targets: [string, string, AvailablePayload | BookPayload][] = [
    ['available', options.availableUrl, availablePayload()],
  ];
  if (bookingUrl(options) !== undefined) {
    // A start in the past, so that even a target that ignores the signature books nothing.
    const yesterday = Math.floor((Date.now() - DAY) / (60 * MINUTE)) * 60 * MINUTE;
    targets.push(['book', bookingUrl(options)!, bookPayload(newContact(), formatInstant(yesterday))]);
  }
  const results: CheckResult[] = [];
  for (const [endpoint, url, payload] of targets) {
    for (const [signing, label] of [
      ['none', 'unsigned'],
      ['wrong', 'wrong key'],
    ] as const) {
      const exchange = await post(url, payload, signing);
      const [outcome, detail] = judgeRefusal(exchange);
      results.push({ name: `signature: ${endpoint} ${label}`, outcome, detail, requests: [exchange.request] });
    }
  }
  return results;
}

function judgeRefusal({ request }: Exchange): [Outcome, string] {
  const { status } = request;
  if (status === undefined) return ['fail', `no answer: ${request.error}`];
  if (status === 401 || status === 403) return ['pass', `refused with ${status}`];
  if (status === 200) return ['fail', 'signature ignored: answered 200'];
  if (status >= 500) return ['fail', `answered ${status}; 401 or 403 expected`];
  return ['warn', `refused with ${status}; 401 or 403 expected`];
}

// ---- /book ----

interface Attempt {
  readonly exchange: Exchange;
  readonly answer: BookAnswer;
}
type Book = (contact: string, start: string) => Promise<Attempt>;

type BookAnswer =
  | { ok: true; status: 'success' | 'failed'; reason?: string; extraKeys: string[] }
  | { ok: false; problem: string; shapeProblem?: boolean };

async function checkBooking(options: CheckOptions, post: Post, slots: Slot[]): Promise<CheckResult[]> {
  const url = bookingUrl(options);
  if (url === undefined) {
    const detail = options.book ? 'not checked: no --book-url given' : 'not checked (--no-book)';
    return [{ name: 'book', outcome: 'warn', detail, requests: [] }];
  }
  const slot = slots[0];
  if (slot === undefined) {
    return [{ name: 'book', outcome: 'warn', detail: 'not checked: no usable slot listed', requests: [] }];
  }

  const results: CheckResult[] = [];
  const answers: BookAnswer[] = [];
  const book: Book = async (contact, start) => {
    const exchange = await post(url, bookPayload(contact, start));
    const answer = readBookAnswer(exchange);
    answers.push(answer);
    return { exchange, answer };
  };
  const add = (name: string, outcome: Outcome, detail: string, attempts: Attempt[]) =>
    results.push({ name, outcome, detail, requests: attempts.map(({ exchange }) => exchange.request) });

  const contact = newContact();
  const first = await book(contact, slot.start_iso);
  add('book: listed slot', ...expectSuccess(first.answer, `booked ${slot.start_iso}`), [first]);
  if (first.answer.ok && first.answer.status === 'success') {
    const retry = await book(contact, slot.start_iso);
    add('book: retry, same contact', ...expectSuccess(retry.answer, 'success again (idempotent)'), [retry]);
    add('book: same slot, other contact', ...(await checkDoubleBooking(book, slot)));
  }

  const offered = new Set(slots.map((listed) => parseInstant(listed.start_iso)));
  const start = parseInstant(slot.start_iso)!;
  const unoffered = start + 7 * MINUTE;
  if (offered.has(unoffered)) {
    add('book: unoffered start', 'warn', `not checked: ${formatInstant(unoffered)} is offered`, []);
  } else {
    const attempt = await book(newContact(), formatInstant(unoffered));
    add('book: unoffered start', ...expectRefusal(attempt.answer, `a start never offered was booked`), [attempt]);
  }
  // Whole days back keep the time of day, so the start is refused for being past, not for being off the grid.
  const past = start - (Math.floor((start - Date.now()) / DAY) + 1) * DAY;
  const attempt = await book(newContact(), formatInstant(past));
  add('book: past start', ...expectRefusal(attempt.answer, 'a start in the past was booked'), [attempt]);

  results.push(checkBookShape(answers));
  return results;
}

/** Books the slot for new contacts until refused: each success beyond the first is one more free resource. */
async function checkDoubleBooking(book: Book, slot: Slot): Promise<[Outcome, string, Attempt[]]> {
  const attempts: Attempt[] = [];
  for (let extra = 1; extra <= MAX_EXTRA_CONTACTS; extra++) {
    const attempt = await book(newContact(), slot.start_iso);
    attempts.push(attempt);
    const { answer } = attempt;
    if (!answer.ok) return ['fail', answer.problem, attempts];
    if (answer.status === 'failed') {
      if (extra === 1) return ['pass', `refused: ${quote(answer.reason ?? '')}`, attempts];
      const detail = `${extra} contacts got ${slot.start_iso} before the next was refused: ${extra} resources seem free for it`;
      return ['warn', detail, attempts];
    }
  }
  const detail = `double booking allowed: ${MAX_EXTRA_CONTACTS + 1} contacts all got ${slot.start_iso}`;
  return ['fail', detail, attempts];
}

function expectSuccess(answer: BookAnswer, passDetail: string): [Outcome, string] {
  if (!answer.ok) return ['fail', answer.problem];
  if (answer.status === 'failed') return ['fail', `refused: ${quote(answer.reason ?? '')}`];
  return ['pass', passDetail];
}

function expectRefusal(answer: BookAnswer, bookedDetail: string): [Outcome, string] {
  if (!answer.ok) return ['fail', answer.problem];
  if (answer.status === 'success') return ['fail', bookedDetail];
  return ['pass', `refused: ${quote(answer.reason ?? '')}`];
}

function readBookAnswer(exchange: Exchange): BookAnswer {
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

function checkBookShape(answers: BookAnswer[]): CheckResult {
  const problems = answers.flatMap((answer) => (!answer.ok && answer.shapeProblem ? [answer.problem] : []));
  const extraKeys = [...new Set(answers.flatMap((answer) => (answer.ok ? answer.extraKeys : [])))];
  const [outcome, detail]: [Outcome, string] =
    problems.length > 0
      ? ['fail', summarise(problems)]
      : extraKeys.length > 0
        ? ['warn', `extra keys: ${extraKeys.join(', ')}`]
        : ['pass', `${answers.length} answers, {status} plus a reason on failure`];
  return { name: 'book: answer shape', outcome, detail, requests: [] };
}

// ---- latency ----

function checkLatency(requests: RequestRecord[]): CheckResult {
  const slow = requests.filter((request) => request.ms > SLOW_MS);
  const max = Math.max(0, ...requests.map((request) => request.ms));
  const count = `${requests.length} request${requests.length === 1 ? '' : 's'}`;
  if (slow.length === 0) return { name: 'latency', outcome: 'pass', detail: `${count}, max ${max} ms`, requests: [] };
  const examples = summarise(slow.map((request) => `${request.url} ${request.ms} ms`));
  return {
    name: 'latency',
    outcome: 'warn',
    detail: `${slow.length} of ${count} over ${SLOW_MS} ms: ${examples}`,
    requests: [],
  };
}

// ---- helpers ----

function readJson200(exchange: Exchange): { ok: true; value: unknown } | { ok: false; problem: string } {
  const { request, text } = exchange;
  if (text === undefined) return { ok: false, problem: `no answer: ${request.error}` };
  if (request.status !== 200) return { ok: false, problem: `answered ${request.status}: ${quote(text)}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, problem: `answered 200 but not JSON: ${quote(text)}` };
  }
}

/** The book URL when booking is to be checked. */
function bookingUrl(options: CheckOptions): string | undefined {
  return options.book ? options.bookUrl : undefined;
}

const newContact = () => `${CONTACT_PREFIX}${randomUUID()}`;
interface AvailablePayload {
  readonly contact_id: string;
  readonly contact_details: typeof CONTACT_DETAILS;
}
const availablePayload = (): AvailablePayload => ({ contact_id: newContact(), contact_details: CONTACT_DETAILS });
interface BookPayload {
  readonly contact_id: string;
  readonly start_iso: string;
  readonly contact_details: typeof CONTACT_DETAILS;
}
const bookPayload = (contact: string, start: string): BookPayload => ({
  contact_id: contact,
  start_iso: start,
  contact_details: CONTACT_DETAILS,
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Server text in a one-line detail: quoted, escaped, cut short. */
function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? `${quoted.slice(0, 77)}..."` : quoted;
}

/** The first few problems and how many more there are. */
function summarise(problems: string[]): string {
  const shown = problems.slice(0, 3).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}
