import { randomUUID } from 'node:crypto';
import { telliPost } from '../contract/telli-client.js';
import { checkBooking, checkSignatures } from './booking.checks.js';
import { cancelMadeBookings } from './cleanup.js';
import type {
  CheckOptions,
  CheckReport,
  CheckResult,
  MadeBooking,
  Outcome,
  Post,
  RequestRecord,
} from './check.types.js';
import { availablePayload, readBookAnswer, summarise } from './exchange.js';
import { checkListing } from './listing.checks.js';

export type {
  CheckOptions,
  CheckReport,
  CheckResult,
  Cleanup,
  MadeBooking,
  Outcome,
  RequestRecord,
} from './check.types.js';
export { CONTACT_PREFIX } from './exchange.js';

const SLOW_MS = 1000;

/**
 * A conformance check of any Generic Calendar implementation: it sends requests exactly as telli
 * does (POST, JSON, `x-telli-signature` over `JSON.stringify(payload)`) and judges the answers
 * against the contract and the decisions in DESIGN.md §1.
 */
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
  const cleanup =
    options.adminToken !== undefined && bookings.length > 0
      ? { cleanup: await cancelMadeBookings(bookings, options.adminToken, options.timeoutMs ?? 10_000) }
      : {};
  return {
    availableUrl: options.availableUrl,
    ...(options.bookUrl === undefined ? {} : { bookUrl: options.bookUrl }),
    results,
    summary: { passed: count('pass'), warned: count('warn'), failed: count('fail') },
    bookings,
    ...cleanup,
  };
}

function poster(options: CheckOptions, requests: RequestRecord[]): Post {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (url, payload, signing = 'key') => {
    const key = signing === 'key' ? options.key : signing === 'wrong' ? randomUUID() : undefined;
    const exchange = await telliPost(url, JSON.stringify(payload), { key, timeoutMs });
    const ms = Math.round(exchange.ms);
    const request = exchange.answered ? { url, status: exchange.status, ms } : { url, error: exchange.reason, ms };
    requests.push(request);
    return exchange.answered ? { request, text: exchange.text } : { request };
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
