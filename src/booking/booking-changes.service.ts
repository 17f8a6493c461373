// Node 20 has String.prototype.isWellFormed; the ES2022 library the project compiles against does not.
/// <reference lib="es2024.string" />
import { randomUUID } from 'node:crypto';
import type { CalendarConfig } from '../config/config.types.js';
import type { LiveConfig } from '../config/live-config.js';
import { nestsTooDeep } from '../contract/book-request.js';
import { parseInstant } from '../contract/timestamp.js';
import { blockedRange } from '../engine/availability.js';
import type { BookingRecord, BookingSnapshot, MovePlan } from '../store/booking.js';
import type { Store } from '../store/store.js';
import type { LiveBusy } from '../sources/live-check.js';
import type { Availability } from './availability.service.js';
import { decisionScope, judge, unoccupied, writtenTo, type BookingService, type Override } from './booking.service.js';
import type { ReasonCode } from './reasons.js';
import { groupBusy, resourceLoads } from './resource-loads.js';

/** How an operator's cancel ended. */
export type CancelOutcome =
  | { readonly status: 'cancelled'; readonly booking: BookingRecord }
  | { readonly status: 'not_found' }
  /** The contact booked another slot: the booking is no longer theirs to cancel. */
  | { readonly status: 'replaced'; readonly booking: BookingRecord };

/** A request the service cannot act on: the field at fault and why. */
export interface Invalid {
  readonly status: 'invalid';
  readonly field: string;
  readonly detail: string;
}

/** The rules or what occupies the resource refuse the time: why, and the nearest free starts. */
export interface Refused {
  readonly status: 'refused';
  readonly code: ReasonCode;
  readonly existing?: number;
  readonly alternatives: readonly number[];
  /** The calendar's zone, to say the times in. */
  readonly timezone: string;
}

export type CreateOutcome =
  /** `created`: a new booking; `found`: the contact's booking at that start already (a retry). */
  { readonly status: 'created' | 'found'; readonly booking: BookingRecord } | Invalid | Refused;

export type MoveOutcome =
  | { readonly status: 'moved'; readonly booking: BookingRecord }
  | { readonly status: 'not_found' }
  /** Cancelled or replaced: it holds no slot to move. */
  | { readonly status: 'inactive'; readonly booking: BookingRecord }
  | Invalid
  | Refused;

/** What the business asks to book; the fields as the API names them. */
export interface CreateRequest {
  readonly calendar: string;
  readonly start_iso: string;
  readonly resource?: string;
  readonly contact_id?: string | null;
  readonly external_contact_id?: string | null;
  readonly contact_details?: Record<string, unknown>;
  readonly force?: boolean;
}

export interface MoveRequest {
  readonly start_iso: string;
  readonly resource?: string;
  readonly force?: boolean;
}

export interface BookingChangesDeps {
  readonly config: LiveConfig;
  readonly store: Store;
  readonly availability: Availability;
  readonly booking: BookingService;
  /** Asks other calendars about the target of a move, as /book does; without it the synced busy time decides. */
  readonly liveBusy?: LiveBusy;
  readonly now: () => number;
}

export interface BookingChanges {
  /** Books for `actor` with the rules of telli's /book, or past them with `force`. */
  create(request: CreateRequest, actor: string): Promise<CreateOutcome>;
  /** Moves an active booking to another start (and resource), atomically: moved, or refused and unchanged. */
  move(bookingId: string, request: MoveRequest, actor: string): Promise<MoveOutcome>;
  /** Cancels a booking for `actor`; cancelling a cancelled booking answers it again and writes nothing. */
  cancel(bookingId: string, actor: string, reason: string | null): Promise<CancelOutcome>;
}

/** Changes the business makes to bookings, with the same guarantees as telli's /book. */
export function createBookingChanges(deps: BookingChangesDeps): BookingChanges {
  const { config, store, availability, booking, liveBusy, now } = deps;
  const bookingById = async (id: string): Promise<BookingRecord> => {
    const found = await store.bookingById(id);
    // The transaction that answered it committed the booking: it is there.
    if (!found) throw new Error(`booking ${id} vanished after its commit`);
    return found;
  };

  return {
    async create(request, actor) {
      const calendar = config.calendar(request.calendar);
      if (!calendar) return invalid('calendar', `No calendar ${request.calendar}.`);
      const read = readTarget(calendar, request);
      if ('status' in read) return read;
      const details = request.contact_details ?? {};
      if (nestsTooDeep(details, MAX_DETAILS_NESTING)) return invalid('contact_details', 'Nested too deeply.');
      for (const field of ['contact_id', 'external_contact_id'] as const) {
        if (request[field]?.isWellFormed() === false) return invalid(field, 'Not well-formed Unicode.');
      }
      const contactId = request.contact_id ?? null;
      const externalContactId = request.external_contact_id ?? null;
      // Without an id the booking is its own contact: never a retry of, or replacement for, another.
      const contactKey =
        contactId !== null
          ? `contact_id:${contactId}`
          : externalContactId !== null
            ? `external_contact_id:${externalContactId}`
            : `booking:${randomUUID()}`;
      const outcome = await booking.bookFor(
        calendar,
        { contactKey, contactId, externalContactId, start: read.start, contactDetails: details },
        actor,
        read.override,
      );
      if (outcome.status === 'failed') {
        const { code, existing, alternatives } = outcome;
        return { status: 'refused', code, existing, alternatives, timezone: calendar.timezone };
      }
      const made = await bookingById(outcome.bookingId);
      return { status: outcome.kind === 'retry' ? 'found' : 'created', booking: made };
    },

    async move(bookingId, request, actor) {
      const current = await store.bookingById(bookingId);
      if (!current) return { status: 'not_found' };
      const calendar = config.calendar(current.calendarId);
      if (current.status !== 'active' || !calendar) return { status: 'inactive', booking: current };
      const read = readTarget(calendar, { ...request, resource: request.resource ?? current.resourceId });
      if ('status' in read) return read;
      const { start, override } = read;
      const at = now();
      if (!calendar.booking && !override.force) return refused(availability, calendar, 'booking_disabled', read, at);
      // Other calendars are asked first, as /book does: nothing slow runs inside the transaction.
      const worthAsking = liveBusy && judge(calendar, unoccupied(calendar), start, at, override).ok;
      const live = worthAsking ? await liveBusy(calendar, blockedRange(calendar, start)) : [];
      const moved = await store.move(
        {
          bookingId,
          calendarId: calendar.id,
          contactKey: current.contactKey,
          ...decisionScope(calendar, start),
          start,
          now: at,
          actor,
        },
        (found, snapshot) => decideMove(calendar, found, read, { ...snapshot, busy: [...snapshot.busy, ...live] }, at),
      );
      if (moved.change) availability.applyChange(calendar, moved.change);
      const { booking: after, decision } = moved;
      if (!after) return { status: 'not_found' };
      if (after.status !== 'active' || !decision) return { status: 'inactive', booking: after };
      if (decision.status === 'failed') return refused(availability, calendar, decision.code, read, at);
      return { status: 'moved', booking: after };
    },

    async cancel(bookingId, actor, reason) {
      const { booking: cancelled, change } = await store.cancel({
        bookingId,
        actor,
        reason,
        now: now(),
        writtenTo: (found) => {
          const calendar = config.calendar(found.calendarId);
          return calendar ? writtenTo(calendar, found.resourceId) : [];
        },
      });
      if (!cancelled) return { status: 'not_found' };
      const calendar = config.calendar(cancelled.calendarId);
      if (change && calendar) availability.applyChange(calendar, change);
      return cancelled.status === 'replaced'
        ? { status: 'replaced', booking: cancelled }
        : { status: 'cancelled', booking: cancelled };
    },
  };
}

/** contact_details may nest as deep as a /book body's, the body being one level more. */
const MAX_DETAILS_NESTING = 31;

interface Target {
  readonly start: number;
  readonly override: Override;
}

/** The start and resource asked for, checked against the calendar. */
function readTarget(
  calendar: CalendarConfig,
  request: { readonly start_iso: string; readonly resource?: string; readonly force?: boolean },
): Target | Invalid {
  const start = parseInstant(request.start_iso);
  if (start === undefined) return invalid('start_iso', 'Not an ISO 8601 time, e.g. 2026-12-01T09:00:00.000Z.');
  const { resource } = request;
  if (resource !== undefined && !calendar.resources.some((each) => each.id === resource)) {
    return invalid('resource', `No resource ${resource} in calendar ${calendar.id}.`);
  }
  return { start, override: { force: request.force === true, resourceId: resource } };
}

type MoveDecision = { readonly status: 'moved' } | { readonly status: 'failed'; readonly code: ReasonCode };

/**
 * Where the booking goes, decided on the snapshot under the locks: its own range does not stand
 * in its way (a move by a quarter of an hour overlaps itself), everything else is judged as
 * /book would, or past the rules with `force`. The event is put again where the booking now is,
 * and deleted where it was when the resource changes.
 */
function decideMove(
  calendar: CalendarConfig,
  booking: BookingRecord,
  target: Target,
  snapshot: BookingSnapshot,
  now: number,
): MovePlan<MoveDecision> {
  const resourceId = target.override.resourceId ?? booking.resourceId;
  if (target.start === booking.start && resourceId === booking.resourceId) return { result: { status: 'moved' } };
  const others = snapshot.nearby.filter((range) => range.bookingId !== booking.id);
  const { loads } = resourceLoads(calendar, others, groupBusy(calendar, snapshot.busy));
  const judgement = judge(calendar, loads, target.start, now, { ...target.override, resourceId });
  if (!judgement.ok) return { result: { status: 'failed', code: judgement.refusal } };
  const blocked = blockedRange(calendar, target.start);
  const writeback = (action: 'put' | 'delete', onResource: string) =>
    writtenTo(calendar, onResource).map((sourceId) => ({ bookingId: booking.id, sourceId, action }));
  return {
    to: {
      resourceId,
      start: target.start,
      end: target.start + calendar.duration,
      blockedStart: blocked.start,
      blockedEnd: blocked.end,
    },
    writebacks: [
      ...writeback('put', resourceId),
      ...(resourceId === booking.resourceId ? [] : writeback('delete', booking.resourceId)),
    ],
    result: { status: 'moved' },
  };
}

function invalid(field: string, detail: string): Invalid {
  return { status: 'invalid', field, detail };
}

async function refused(
  availability: Availability,
  calendar: CalendarConfig,
  code: ReasonCode,
  target: Target,
  now: number,
): Promise<Refused> {
  const alternatives = await availability.nearest(calendar, target.start, now, target.override.resourceId);
  return { status: 'refused', code, alternatives, timezone: calendar.timezone };
}
