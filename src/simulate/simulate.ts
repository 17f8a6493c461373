import { randomUUID } from 'node:crypto';
import { readJson, telliPost } from '../contract/telli-client.js';
import { prng } from './prng.js';

/**
 * Plays phone calls against any Generic Calendar implementation the way telli does, and checks
 * from the outside what the contract promises: idempotent retries and no over-booking.
 */
export interface SimulationOptions {
  readonly availableUrl: string;
  readonly bookUrl: string;
  readonly calls: number;
  readonly concurrency: number;
  /** telli API key: requests carry `x-telli-signature` when given. */
  readonly key?: string;
  /** Seeds every caller's decisions; random when left out (the report names the one used). */
  readonly seed?: number;
  /** Resources behind each slot: a start held by more contacts than this is a double booking. */
  readonly resources?: number;
  /** Per request; default 10 s. */
  readonly timeoutMs?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface SimulationReport {
  readonly calls: number;
  readonly seed: number;
  readonly durationMs: number;
  /** How each call ended; the four add up to `calls`. */
  readonly outcomes: {
    readonly booked: number;
    /** Three /book attempts failed. */
    readonly gaveUp: number;
    /** /available offered nothing (more) to choose from. */
    readonly nothingOffered: number;
    /** A transport problem (timeout, error status, unreadable answer) ended the call. */
    readonly broken: number;
  };
  /** Answers of /book, retries left out. */
  readonly book: {
    readonly succeeded: number;
    /** Failed, and the next /available no longer offered the slot (or a mind change may have freed it): taken. */
    readonly conflicts: number;
    /** Failed although the slot was still offered afterwards, and nobody of ours had left it. */
    readonly otherFailures: number;
    /** The first few distinct reasons of those other failures. */
    readonly otherReasons: readonly string[];
  };
  readonly retries: { readonly sent: number; readonly idempotencyViolations: number };
  readonly mindChanges: { readonly attempted: number; readonly succeeded: number };
  readonly http: {
    readonly requests: number;
    readonly non2xx: number;
    readonly status5xx: number;
    readonly timeouts: number;
    readonly networkErrors: number;
    /** 2xx answers that were not the contract's JSON. */
    readonly unreadable: number;
  };
  readonly latencyMs: { readonly available: Percentiles; readonly book: Percentiles };
  readonly throughput: { readonly callsPerSecond: number; readonly requestsPerSecond: number };
  readonly overbooking: {
    readonly resources: number;
    /** Contacts the simulator knows to hold a booking at the end, and on how many starts. */
    readonly heldContacts: number;
    readonly heldStarts: number;
    readonly mostHoldersOnOneStart: number;
    /** Contacts left out of the check because a /book of theirs got no answer. */
    readonly uncertainContacts: number;
    readonly doubleBookings: readonly { readonly start_iso: string; readonly holders: number }[];
    /** Starts held by `resources` contacts that the final /available still offers. */
    readonly offeredWhileFull: readonly string[];
    /** Whether the final /available answered, so `offeredWhileFull` means something. */
    readonly finalListingRead: boolean;
  };
  /** No double booking, no idempotency violation, no 5xx. */
  readonly ok: boolean;
}

const RETRY_SHARE = 0.1;
const MIND_CHANGE_SHARE = 0.1;
const LATER_DAY_SHARE = 0.2;
const FIRST_FEW = 3;
const ATTEMPTS = 3;
const DAY_MS = 86_400_000;
const KEPT_REASONS = 5;

type Endpoint = 'available' | 'book';
type Contact = { contact_id: string; external_contact_id: string; contact_details: { name: string } };
type BookAnswer = { status: 'success' } | { status: 'failed'; reason: string };
/** How one search for a slot ended; `unknown` when a /book got no answer, so it may have booked. */
type Search =
  { kind: 'booked'; start: string } | { kind: 'gaveUp' | 'nothingOffered' } | { kind: 'broken'; unknown: boolean };

export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const resources = options.resources ?? 1;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Contacts must be new to the server on every run, or a rerun would look like retries.
  const runTag = `sim-${randomUUID().slice(0, 8)}`;

  const http = { requests: 0, non2xx: 0, status5xx: 0, timeouts: 0, networkErrors: 0, unreadable: 0 };
  const latencies: Record<Endpoint, number[]> = { available: [], book: [] };
  const outcomes = { booked: 0, gaveUp: 0, nothingOffered: 0, broken: 0 };
  const book = { succeeded: 0, conflicts: 0, otherFailures: 0, otherReasons: [] as string[] };
  const retries = { sent: 0, idempotencyViolations: 0 };
  const mindChanges = { attempted: 0, succeeded: 0 };
  /** start_iso → contacts holding a successful booking there, as far as the answers tell. */
  const holders = new Map<string, Set<string>>();
  const uncertain = new Set<string>();
  /**
   * start_iso → our mind changes away from it: under way now, and begun or ended so far. One that
   * overlaps a failed booking may have freed the slot before the next /available was read.
   */
  const leaving = new Map<string, { underWay: number; events: number }>();

  /** The parsed JSON of a 2xx answer, or undefined after counting what went wrong. */
  async function post(endpoint: Endpoint, payload: object): Promise<unknown> {
    const url = endpoint === 'available' ? options.availableUrl : options.bookUrl;
    http.requests++;
    const exchange = await telliPost(url, JSON.stringify(payload), { key: options.key || undefined, timeoutMs });
    if (!exchange.answered) {
      if (exchange.failure === 'timeout') http.timeouts++;
      else http.networkErrors++;
      return undefined;
    }
    latencies[endpoint].push(exchange.ms);
    if (exchange.status < 200 || exchange.status > 299) {
      http.non2xx++;
      if (exchange.status >= 500) http.status5xx++;
      return undefined;
    }
    const read = readJson(exchange.text);
    if (!read.ok) http.unreadable++;
    return read.ok ? read.value : undefined;
  }

  const available = async (contact: Contact) => readSlots(await post('available', contact));

  function readSlots(answer: unknown): string[] | undefined {
    if (answer === undefined) return undefined;
    const list = (answer as { available?: unknown }).available;
    if (!Array.isArray(list) || !list.every((slot) => typeof slot?.start_iso === 'string')) {
      http.unreadable++;
      return undefined;
    }
    return list.map((slot: { start_iso: string }) => slot.start_iso);
  }

  async function bookOnce(contact: Contact, start: string): Promise<BookAnswer | undefined> {
    const answer = (await post('book', { ...contact, start_iso: start })) as Partial<BookAnswer> | undefined;
    if (answer === undefined) return undefined;
    if (answer.status === 'success') return { status: 'success' };
    if (answer.status === 'failed') return { status: 'failed', reason: String(answer.reason ?? '') };
    http.unreadable++;
    return undefined;
  }

  /** Asks for slots and books one, up to three attempts, as an agent does on a call. */
  async function search(contact: Contact, random: () => number, avoid?: string): Promise<Search> {
    let slots = await available(contact);
    if (!slots) return { kind: 'broken', unknown: false };
    const tried = new Set(avoid === undefined ? [] : [avoid]);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const start = pick(
        slots.filter((slot) => !tried.has(slot)),
        random,
      );
      if (start === undefined) return { kind: attempt === 1 ? 'nothingOffered' : 'gaveUp' };
      tried.add(start);
      const leavingBefore = leaving.get(start)?.events ?? 0;
      const answer = await bookOnce(contact, start);
      if (!answer) return { kind: 'broken', unknown: true };
      if (answer.status === 'success') {
        book.succeeded++;
        return { kind: 'booked', start };
      }
      // The agent reads the caller what is left; that list also tells whether the slot was taken,
      // unless another caller's change of mind freed it in the meantime.
      slots = await available(contact);
      if (!slots) return { kind: 'broken', unknown: false };
      const left = leaving.get(start);
      const mayHaveBeenFreed = left !== undefined && (left.underWay > 0 || left.events !== leavingBefore);
      if (!slots.includes(start) || mayHaveBeenFreed) book.conflicts++;
      else {
        book.otherFailures++;
        if (book.otherReasons.length < KEPT_REASONS && !book.otherReasons.includes(answer.reason)) {
          book.otherReasons.push(answer.reason);
        }
      }
    }
    return { kind: 'gaveUp' };
  }

  const hold = (start: string, contactId: string) => {
    const set = holders.get(start) ?? new Set<string>();
    holders.set(start, set.add(contactId));
  };

  async function playCall(index: number): Promise<void> {
    const random = prng(seed ^ Math.imul(index + 1, 0x9e3779b1));
    const contact: Contact = {
      contact_id: `${runTag}-${index}`,
      external_contact_id: `crm-${index}`,
      contact_details: { name: `Simulated caller ${index}` },
    };
    const retriesAfterTimeout = random() < RETRY_SHARE;
    const changesMind = random() < MIND_CHANGE_SHARE;

    const first = await search(contact, random);
    outcomes[first.kind]++;
    if (first.kind === 'broken' && first.unknown) uncertain.add(contact.contact_id);
    if (first.kind !== 'booked') return;
    hold(first.start, contact.contact_id);

    if (retriesAfterTimeout) {
      // telli timed out waiting and sends the very same request again: it must succeed again.
      retries.sent++;
      const again = await bookOnce(contact, first.start);
      if (again?.status === 'failed') retries.idempotencyViolations++;
    }

    if (changesMind) {
      mindChanges.attempted++;
      const left = leaving.get(first.start) ?? { underWay: 0, events: 0 };
      leaving.set(first.start, left);
      left.underWay++;
      left.events++;
      const second = await search(contact, random, first.start);
      left.underWay--;
      left.events++;
      if (second.kind === 'booked') {
        mindChanges.succeeded++;
        // The contract replaces the earlier booking; were it kept, counting it out only hides
        // over-booking, never invents it.
        holders.get(first.start)?.delete(contact.contact_id);
        hold(second.start, contact.contact_id);
      } else if (second.kind === 'broken' && second.unknown) {
        // It may or may not have replaced the first booking: count neither.
        holders.get(first.start)?.delete(contact.contact_id);
        uncertain.add(contact.contact_id);
      }
    }
  }

  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < options.calls) {
      await playCall(next++);
      options.onProgress?.(++done, options.calls);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.calls) }, worker));
  const durationMs = performance.now() - started;
  const requestsDuringRun = http.requests;

  const finalListing = readSlots(await post('available', { contact_id: `${runTag}-check` }));
  const held = [...holders].filter(([, set]) => set.size > 0);
  const doubleBookings = held
    .filter(([, set]) => set.size > resources)
    .map(([start, set]) => ({ start_iso: start, holders: set.size }))
    .sort((a, b) => Date.parse(a.start_iso) - Date.parse(b.start_iso));
  const offeredWhileFull = (finalListing ?? []).filter((start) => (holders.get(start)?.size ?? 0) >= resources);
  const seconds = durationMs / 1000;

  return {
    calls: options.calls,
    seed,
    durationMs: round(durationMs),
    outcomes,
    book,
    retries,
    mindChanges,
    http,
    latencyMs: { available: percentiles(latencies.available), book: percentiles(latencies.book) },
    throughput: {
      callsPerSecond: round(options.calls / seconds),
      requestsPerSecond: round(requestsDuringRun / seconds),
    },
    overbooking: {
      resources,
      heldContacts: held.reduce((sum, [, set]) => sum + set.size, 0),
      heldStarts: held.length,
      mostHoldersOnOneStart: Math.max(0, ...held.map(([, set]) => set.size)),
      uncertainContacts: uncertain.size,
      doubleBookings,
      offeredWhileFull,
      finalListingRead: finalListing !== undefined,
    },
    ok: doubleBookings.length === 0 && retries.idempotencyViolations === 0 && http.status5xx === 0,
  };
}

/** Mostly one of the first few offered, as callers take what they hear first; sometimes a later day. */
function pick(slots: readonly string[], random: () => number): string | undefined {
  if (slots.length === 0) return undefined;
  const first = Date.parse(slots[0]!);
  const later = slots.filter((slot) => Date.parse(slot) >= first + DAY_MS);
  const pool = random() < LATER_DAY_SHARE && later.length > 0 ? later : slots.slice(0, FIRST_FEW);
  return pool[Math.floor(random() * pool.length)];
}

/** Nearest-rank percentiles. */
function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: round(sorted.at(-1) ?? 0) };
}

const round = (value: number) => Math.round(value * 100) / 100;
