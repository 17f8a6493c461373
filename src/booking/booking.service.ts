import type { CalendarConfig } from '../config/config.types.js';
import { readBookRequest, type BookRequest } from '../contract/book-request.js';
import {
  blockedRange,
  freeIgnoringRules,
  judgeStart,
  relevantWindow,
  type Judgement,
  type ResourceLoad,
} from '../engine/availability.js';
import { countInRange } from '../engine/interval.js';
import { dayInstants } from '../engine/schedule.js';
import { localDateOf } from '../engine/zone.js';
import type { BookingPlan, BookingQuery, BookingSnapshot } from '../store/booking.js';
import { StoreUnavailableError } from '../store/store-unavailable.error.js';
import type { Store } from '../store/store.js';
import type { LiveBusy } from '../sources/live-check.js';
import type { Availability } from './availability.service.js';
import { reasonText, type ReasonCode } from './reasons.js';
import { groupBusy, resourceLoads } from './resource-loads.js';
import { timeOrderedId } from '../shared/time-ordered-id.js';

/** A booking made, or found again on a retry. */
export interface Booked {
  readonly status: 'success';
  readonly kind: 'success' | 'replaced' | 'retry';
  readonly bookingId: string;
  readonly resourceId: string;
}

export type BookingOutcome =
  | Booked
  | {
      readonly status: 'failed';
      readonly kind: 'conflict' | 'invalid' | 'unavailable';
      /** Why, for the logs; `reason` says it to the caller. */
      readonly code: ReasonCode;
      readonly reason: string;
    };

type Decision = Booked | { readonly status: 'failed'; readonly code: ReasonCode; readonly existing?: number };

/** How the business may bend the rules when it books or moves: what telli's /book never can. */
export interface Override {
  /** Past hours, grid, notice, horizon and the per-day cap; never over bookings or busy time. */
  readonly force: boolean;
  /** Only this resource of the calendar. */
  readonly resourceId?: string;
}

/** How the business's booking ended: its id, or why not with the nearest free starts. */
export type OperatorOutcome =
  | Booked
  | {
      readonly status: 'failed';
      readonly code: ReasonCode;
      readonly existing?: number;
      readonly alternatives: number[];
    };

/** Codes after which the caller is offered the nearest free times. */
const OFFER_ALTERNATIVES = new Set<ReasonCode>([
  'past',
  'too_soon',
  'beyond_horizon',
  'closed',
  'off_grid',
  'taken',
  'missing_start',
  'bad_start',
]);

export interface BookingDeps {
  readonly store: Store;
  readonly availability: Availability;
  /** Asks other calendars about the slot right before it is booked; without it the synced busy time decides. */
  readonly liveBusy?: LiveBusy;
  readonly now: () => number;
}

/** How a /book request ended, and the start it asked for when that could be read (for the logs). */
export interface BookingAttempt {
  readonly start?: number;
  readonly outcome: BookingOutcome;
}

export interface BookingService {
  /** Books what telli's /book `body` asks for in `calendar`, or says why not; any body gets an outcome. */
  book(calendar: CalendarConfig, body: unknown): Promise<BookingAttempt>;
  /**
   * Books for the business (`actor` is the admin token's name) through the same transaction and
   * decision as /book, with its `override`. A database out of reach throws StoreUnavailableError.
   */
  bookFor(calendar: CalendarConfig, request: BookRequest, actor: string, override: Override): Promise<OperatorOutcome>;
}

export function createBooking({ store, availability, liveBusy, now }: BookingDeps): BookingService {
  /**
   * The one booking transaction, for telli and the business: other calendars are asked about the
   * slot first, then the store decides and writes atomically, then this process's availability
   * takes the change. A retry of the same booking is a success that writes nothing, another slot
   * follows `on_rebook`, and the check and the insert are one transaction.
   */
  const decideAndBook = async (
    calendar: CalendarConfig,
    request: BookRequest,
    at: number,
    override?: Override,
    actor?: string,
  ): Promise<Decision> => {
    // Other calendars are asked only about a start that the rules allow at all.
    const worthAsking = liveBusy && judge(calendar, unoccupied(calendar), request.start, at, override).ok;
    const live = worthAsking ? await liveBusy(calendar, blockedRange(calendar, request.start)) : [];
    const query = {
      calendarId: calendar.id,
      ...decisionScope(calendar, request.start),
      start: request.start,
      contactKey: request.contactKey,
      now: at,
      country: calendar.country,
      actor,
    };
    const { result: decision, change } = await store.book(query, (snapshot) =>
      decide(calendar, request, { ...snapshot, busy: [...snapshot.busy, ...live] }, at, override),
    );
    if (change) availability.applyChange(calendar, change);
    return decision;
  };

  const bookSlot = async (calendar: CalendarConfig, request: BookRequest, at: number): Promise<BookingOutcome> => {
    if (!calendar.booking) return refuse(availability, calendar, 'booking_disabled', at);
    let decision;
    try {
      decision = await decideAndBook(calendar, request, at);
    } catch (error) {
      if (error instanceof StoreUnavailableError) return unavailable(calendar);
      throw error;
    }
    if (decision.status === 'success') return decision;
    return failure(availability, calendar, decision, request.start, at);
  };

  return {
    async book(calendar, body) {
      const read = readBookRequest(body);
      const at = now();
      return read.ok
        ? { start: read.request.start, outcome: await bookSlot(calendar, read.request, at) }
        : { start: read.start, outcome: await refuse(availability, calendar, read.problem, at) };
    },

    async bookFor(calendar, request, actor, override) {
      const at = now();
      const decision: Decision =
        calendar.booking || override.force
          ? await decideAndBook(calendar, request, at, override, actor)
          : { status: 'failed', code: 'booking_disabled' };
      if (decision.status === 'success') return decision;
      const alternatives = await availability.nearest(calendar, request.start, at, override.resourceId);
      return { ...decision, alternatives };
    },
  };
}

/**
 * What deciding a booking at `start` reads and locks: the bookings and busy time its blocked range
 * touches, which is all that a free check needs. Under `max_per_day` the decision counts the
 * bookings of the start's whole local day and takes that day's lock; `least_busy` counts them too.
 * Reading the whole day otherwise took a storm's bookings nearly half their time in SQLite (bench/README.md).
 */
export function decisionScope(calendar: CalendarConfig, start: number): Pick<BookingQuery, 'window' | 'cappedDay'> {
  const capped = Number.isFinite(calendar.maxPerDay);
  if (!capped && calendar.assignment !== 'least_busy') return { window: blockedRange(calendar, start) };
  const window = relevantWindow(calendar, start, start);
  return capped ? { window, cappedDay: localDateOf(calendar.timezone, start) } : { window };
}

/**
 * Whether `start` can be booked now, and on which resources (indices in calendar order): the
 * engine's judgement, narrowed to the resource the business asked for, and without the calendar's
 * rules when it forces the booking.
 */
export function judge(
  calendar: CalendarConfig,
  loads: readonly ResourceLoad[],
  start: number,
  now: number,
  override?: Override,
): Judgement {
  if (!override) return judgeStart(calendar, loads, start, now);
  const candidates =
    override.resourceId === undefined
      ? calendar.resources.map((_, index) => index)
      : calendar.resources.flatMap((resource, index) => (resource.id === override.resourceId ? [index] : []));
  const narrowed = candidates.map((index) => loads[index]!);
  let judgement: Judgement;
  if (!override.force) judgement = judgeStart(calendar, narrowed, start, now);
  else if (start < now) judgement = { ok: false, refusal: 'past' };
  else {
    const free = freeIgnoringRules(calendar, narrowed, start);
    judgement = free.length > 0 ? { ok: true, freeResources: free } : { ok: false, refusal: 'taken' };
  }
  return judgement.ok
    ? { ok: true, freeResources: judgement.freeResources.map((index) => candidates[index]!) }
    : judgement;
}

/** Why a request failed before it reached the database: nothing about the slot was checked. */
function refuse(availability: Availability, calendar: CalendarConfig, code: ReasonCode, now: number) {
  return failure(availability, calendar, { status: 'failed', code }, now, now);
}

function decide(
  calendar: CalendarConfig,
  request: BookRequest,
  snapshot: BookingSnapshot,
  now: number,
  override?: Override,
): BookingPlan<Decision> {
  const retried = snapshot.contactBookings.find((booking) => booking.start === request.start);
  if (retried) {
    return { result: { status: 'success', kind: 'retry', bookingId: retried.id, resourceId: retried.resourceId } };
  }

  const upcoming = snapshot.contactBookings.filter((booking) => booking.start > now);
  if (calendar.onRebook === 'reject' && upcoming[0]) {
    return { result: { status: 'failed', code: 'already_booked', existing: upcoming[0].start } };
  }
  // A replaced booking must not stand in the way of its own replacement.
  const replaced = calendar.onRebook === 'replace' ? upcoming : [];
  const replacedIds = new Set(replaced.map((booking) => booking.id));
  const nearby = snapshot.nearby.filter((range) => !replacedIds.has(range.bookingId));
  const { loads } = resourceLoads(calendar, nearby, groupBusy(calendar, snapshot.busy));
  const judgement = judge(calendar, loads, request.start, now, override);
  if (!judgement.ok) return { result: { status: 'failed', code: judgement.refusal } };

  const chosen = assign(calendar, judgement.freeResources, loads, snapshot, request.start);
  const resourceId = calendar.resources[chosen]!.id;
  const blocked = blockedRange(calendar, request.start);
  const id = timeOrderedId(now);
  return {
    insert: {
      id,
      calendarId: calendar.id,
      resourceId,
      start: request.start,
      end: request.start + calendar.duration,
      blockedStart: blocked.start,
      blockedEnd: blocked.end,
      contactKey: request.contactKey,
      contactId: request.contactId,
      externalContactId: request.externalContactId,
      contactDetails: request.contactDetails,
      createdAt: now,
    },
    replace: replaced,
    writebacks: [
      ...writtenTo(calendar, resourceId).map((sourceId) => ({ bookingId: id, sourceId, action: 'put' as const })),
      ...replaced.flatMap((booking) =>
        writtenTo(calendar, booking.resourceId).map((sourceId) => ({
          bookingId: booking.id,
          sourceId,
          action: 'delete' as const,
        })),
      ),
    ],
    result: { status: 'success', kind: replaced.length > 0 ? 'replaced' : 'success', bookingId: id, resourceId },
  };
}

/** The calendar's resources with nothing booked and nothing busy. */
export function unoccupied(calendar: CalendarConfig): ResourceLoad[] {
  return calendar.resources.map((resource) => ({ schedule: resource.schedule, blocked: [], bookingStarts: [] }));
}

/** The CalDAV sources a resource's bookings are written to. */
export function writtenTo(calendar: CalendarConfig, resourceId: string): string[] {
  const resource = calendar.resources.find((candidate) => candidate.id === resourceId);
  return (resource?.sources ?? []).filter((source) => source.writeBookings).map((source) => source.id);
}

/** Picks one of the free resources (indices in calendar order) by the calendar's rule. */
function assign(
  calendar: CalendarConfig,
  free: readonly number[],
  loads: readonly ResourceLoad[],
  snapshot: BookingSnapshot,
  start: number,
): number {
  const score = (index: number): number => {
    if (calendar.assignment === 'least_busy') {
      const day = dayInstants(calendar.timezone, localDateOf(calendar.timezone, start));
      return countInRange(loads[index]!.bookingStarts, day.start, day.end);
    }
    if (calendar.assignment === 'round_robin') {
      // The resource that waited longest since its last booking; never booked comes first.
      return snapshot.lastAssigned.get(calendar.resources[index]!.id) ?? -Infinity;
    }
    return 0;
  };
  // Ties go to the earlier resource in the calendar's order.
  return free.reduce((best, index) => (score(index) < score(best) ? index : best));
}

async function failure(
  availability: Availability,
  calendar: CalendarConfig,
  decision: Extract<Decision, { status: 'failed' }>,
  target: number,
  now: number,
): Promise<BookingOutcome> {
  let alternatives: number[] | undefined;
  try {
    if (OFFER_ALTERNATIVES.has(decision.code)) alternatives = await availability.nearest(calendar, target, now);
  } catch (error) {
    if (error instanceof StoreUnavailableError) return unavailable(calendar);
    throw error;
  }
  const reason = reasonText(calendar.language, calendar.timezone, decision.code, {
    alternatives,
    existing: decision.existing,
  });
  const kind = decision.code === 'taken' || decision.code === 'already_booked' ? 'conflict' : 'invalid';
  return { status: 'failed', kind, code: decision.code, reason };
}

/** The database is out of reach: nothing was booked, and the caller can hear why. */
function unavailable(calendar: CalendarConfig): BookingOutcome {
  return {
    status: 'failed',
    kind: 'unavailable',
    code: 'unavailable',
    reason: reasonText(calendar.language, calendar.timezone, 'unavailable'),
  };
}
