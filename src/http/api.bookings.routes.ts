import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { calendarsById, perConfig, type LiveConfig } from '../config/live-config.js';
import { formatInstant, parseInstant } from '../contract/timestamp.js';
import type { AuditEntry as StoredAuditEntry } from '../store/audit.js';
import type { BookingRecord } from '../store/booking.js';
import type { Store } from '../store/store.js';
import { toApiBooking } from '../booking/api-booking.js';
import { answerMemo, sendJsonBytes } from './answer-memo.js';
import { cursorCodecOf, type CursorCodec } from './api-cursor.js';
import {
  AuditAnswer,
  AuditEntry,
  AuditQuery,
  BookingId,
  BookingsAnswer,
  BookingsQuery,
  BookingWithHistory,
  problemAnswers,
} from './api.schemas.js';
import { problem, sendProblem, type ProblemBody } from './problem.js';

/** What the bookings list keeps of its answers: about 25 one-day lists of 175 bookings (76 kB each). */
const LIST_ANSWERS_BYTES = 2 * 1024 * 1024;

/** Reading the business's bookings and audit trail: `GET /bookings`, `GET /bookings/{id}`, `GET /audit`. */
export function registerBookingReadRoutes(scope: FastifyInstance, config: LiveConfig, store: Store): void {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const present = (booking: BookingRecord) => toApiBooking(booking, config.calendar(booking.calendarId)?.timezone);
  const common = { tags: ['bookings'], security: [{ bearer: [] }] };
  // Per app, since its answers are its store's; per config, since they carry its time zones and cursors.
  const listAnswers = perConfig(() => answerMemo(LIST_ANSWERS_BYTES));

  api.get(
    '/bookings',
    {
      schema: {
        ...common,
        summary: 'Bookings by start, filtered and paged',
        querystring: BookingsQuery,
        response: { 200: BookingsAnswer, ...problemAnswers(400, 401) },
      },
      // The schemas document the answers; the answers are built in their shape (toApiBooking, problem),
      // and JSON.stringify writes a page of bookings in two thirds of the schema serialiser's time
      // (the page itself is sent as the bytes kept in `listAnswers`, problems through this).
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request, reply) => {
      const query = request.query;
      // One config throughout: the answer is kept in this config's memo, made with its time zones and cursors.
      const current = config.current;
      const cursors = cursorCodecOf(current);
      const calendar = query.calendar === undefined ? undefined : calendarsById(current).get(query.calendar);
      if (query.calendar !== undefined && !calendar) return badRequest(reply, 'calendar', 'No such calendar.');
      if (query.resource !== undefined) {
        const resources = calendar ? [calendar] : current.calendars;
        if (!resources.some((each) => each.resources.some((resource) => resource.id === query.resource)))
          return badRequest(reply, 'resource', 'No such resource.');
      }
      const range = rangeOf(query);
      if ('status' in range) return sendProblem(reply, range);
      const filters = {
        calendar: query.calendar,
        resource: query.resource,
        ...range,
        status: query.status ?? 'active',
        q: query.q,
      };
      const after = positionOf(cursors, query.cursor, filters, isBookingPosition);
      if (after === null) return badCursor(reply);
      // Read before the page: a page made after it is at least as new (answer-memo.ts).
      const mark = await store.committedMark(filters.calendar);
      const answer = await listAnswers(current).answer(request.url, mark, async () => {
        const page = await store.listBookings({
          calendarId: filters.calendar,
          resourceId: filters.resource,
          from: range.from,
          to: range.to,
          status: filters.status,
          q: filters.q,
          after: after && { start: after[0], id: after[1] },
          limit: query.limit ?? 100,
        });
        const timezoneOf = (calendarId: string) => calendarsById(current).get(calendarId)?.timezone;
        const body: Static<typeof BookingsAnswer> = {
          bookings: page.bookings.map((booking) => toApiBooking(booking, timezoneOf(booking.calendarId))),
          next_cursor: page.next ? cursors.seal([page.next.start, page.next.id], filters) : null,
        };
        return Buffer.from(JSON.stringify(body));
      });
      return sendJsonBytes(reply, answer);
    },
  );

  api.get(
    '/bookings/:id',
    {
      schema: {
        ...common,
        summary: 'One booking, with its history',
        params: BookingId,
        response: { 200: BookingWithHistory, ...problemAnswers(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const booking = await store.bookingById(request.params.id);
      if (!booking) return sendProblem(reply, problem(404, 'No such booking.'));
      const history = await store.bookingHistory(booking.id);
      return { ...present(booking), history: history.map(toApiAuditEntry) };
    },
  );

  api.get(
    '/audit',
    {
      schema: {
        ...common,
        tags: ['audit'],
        summary: 'The audit trail, oldest first, paged',
        querystring: AuditQuery,
        response: { 200: AuditAnswer, ...problemAnswers(400, 401) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const cursors = cursorCodecOf(config.current);
      const range = rangeOf(query);
      if ('status' in range) return sendProblem(reply, range);
      if (query.booking !== undefined && !(await store.bookingById(query.booking)))
        return badRequest(reply, 'booking', 'No such booking.');
      const filters = { ...range, booking: query.booking };
      const after = positionOf(cursors, query.cursor, filters, isAuditPosition);
      if (after === null) return badCursor(reply);
      const page = await store.auditEntries({
        from: range.from,
        to: range.to,
        bookingId: query.booking,
        after: after?.[0],
        limit: query.limit ?? 100,
      });
      return {
        entries: page.entries.map(toApiAuditEntry),
        next_cursor: page.next === undefined ? null : cursors.seal([page.next], filters),
      };
    },
  );
}

function toApiAuditEntry(entry: StoredAuditEntry): Static<typeof AuditEntry> {
  return {
    at: formatInstant(entry.at),
    actor: entry.actor,
    action: entry.action,
    booking_id: entry.bookingId,
    time_off_id: entry.timeOffId,
    before: entry.before,
    after: entry.after,
  };
}

/** `from` and `to` as instants, or the problem with them. */
export function rangeOf(query: { from?: string; to?: string }): { from?: number; to?: number } | ProblemBody {
  const from = query.from === undefined ? undefined : parseInstant(query.from);
  const to = query.to === undefined ? undefined : parseInstant(query.to);
  if (query.from !== undefined && from === undefined) return problem(400, 'Not an ISO 8601 instant.', 'from');
  if (query.to !== undefined && to === undefined) return problem(400, 'Not an ISO 8601 instant.', 'to');
  if (from !== undefined && to !== undefined && from >= to) return problem(400, '`to` must be after `from`.', 'to');
  return { from, to };
}

/** The cursor's position: undefined without a cursor, null for one that is not a cursor of these filters. */
function positionOf<P>(
  cursors: CursorCodec,
  cursor: string | undefined,
  filters: unknown,
  isPosition: (position: unknown[]) => position is P & unknown[],
): P | undefined | null {
  if (cursor === undefined) return undefined;
  const position = cursors.open(cursor, filters);
  return position && isPosition(position) ? position : null;
}

const isBookingPosition = (position: unknown[]): position is [number, string] =>
  position.length === 2 && Number.isSafeInteger(position[0]) && typeof position[1] === 'string';

const isAuditPosition = (position: unknown[]): position is [number] =>
  position.length === 1 && Number.isSafeInteger(position[0]);

function badRequest(reply: Parameters<typeof sendProblem>[0], field: string, detail: string) {
  return sendProblem(reply, problem(400, detail, field));
}

function badCursor(reply: Parameters<typeof sendProblem>[0]) {
  return badRequest(reply, 'cursor', 'Not a cursor of this query; start again without one.');
}
