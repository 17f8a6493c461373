import { formatInstant, parseInstant } from '../contract/timestamp.js';
import type {
  BookPayload,
  AvailablePayload,
  CheckOptions,
  CheckResult,
  Exchange,
  Outcome,
  Post,
  Slot,
} from './check.types.js';
import {
  availablePayload,
  bookingUrl,
  bookPayload,
  DAY,
  MINUTE,
  newContact,
  quote,
  readBookAnswer,
  summarise,
  type BookAnswer,
} from './exchange.js';

/** Contacts booked into one slot, beyond the first, before concluding that the target double-books. */
const MAX_EXTRA_CONTACTS = 50;

export async function checkSignatures(options: CheckOptions, post: Post): Promise<CheckResult[]> {
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

interface Attempt {
  readonly exchange: Exchange;
  readonly answer: BookAnswer;
}
type Book = (contact: string, start: string) => Promise<Attempt>;

export async function checkBooking(options: CheckOptions, post: Post, slots: Slot[]): Promise<CheckResult[]> {
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
