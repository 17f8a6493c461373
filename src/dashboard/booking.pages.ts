import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { HttpError } from '../http/http-error.js';
import type { ListedBooking } from '../store/booking.js';
import { bookingFlags, type BookingFlags } from './booking-flags.js';
import { bookingDetail, bookingsList, cancelForm, type ListFilters } from './booking.views.js';
import { formField, type DashboardContext } from './dashboard-context.js';
import { page, type Html } from './html.js';
import { bookingPath, contactName } from './present.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';

/** The same bounds as the API's `q`, `limit` and `reason`. */
const MAX_Q = 200;
const PAGE_SIZE = 50;
const MAX_REASON = 500;

const STATUSES = ['active', 'cancelled', 'replaced', 'all'] as const;
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 2_000 })),
  status: Type.Optional(Type.Union(STATUSES.map((status) => Type.Literal(status)))),
  cursor: Type.Optional(Type.String({ maxLength: 2_000 })),
});
const BookingParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
const DetailQuery = Type.Object({
  done: Type.Optional(Type.Union([Type.Literal('cancelled'), Type.Literal('moved')])),
});

/** The bookings list with search, one booking with its history, and its cancellation. */
export function registerBookingPages(scope: FastifyInstance, context: DashboardContext): void {
  const routes = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = context;
  // One CSRF token a page: without a secret cookie yet, each call would make another secret.
  const send = (reply: FastifyReply, title: string, body: (csrf: string) => Html) => {
    const csrf = csrfToken(reply);
    return reply.type('text/html; charset=utf-8').send(page({ title, body: body(csrf), csrf }));
  };

  routes.get('/bookings', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const q = request.query.q?.trim() || undefined;
    const filters: ListFilters = { q, status: request.query.status ?? 'active' };
    if (q !== undefined && q.length > MAX_Q) {
      return send(reply.code(400), STRINGS.bookings, () =>
        bookingsList(context.config.current, filters, [], { error: STRINGS.searchTooLong(MAX_Q) }),
      );
    }
    const cursorFilters = { dashboard: 'bookings', ...filters };
    const after =
      request.query.cursor === undefined ? undefined : context.cursors.open(request.query.cursor, cursorFilters);
    if (after === undefined && request.query.cursor !== undefined) throw new HttpError(400, 'bad_request', 'cursor');
    const position = after && typeof after[0] === 'number' && typeof after[1] === 'string' ? after : undefined;
    const result = await store.listBookings({
      status: filters.status,
      q,
      after: position && { start: position[0] as number, id: position[1] as string },
      limit: PAGE_SIZE,
    });
    const next = result.next && context.cursors.seal([result.next.start, result.next.id], cursorFilters);
    const flags = await flagsOf(context, result.bookings);
    return send(reply, STRINGS.bookings, () =>
      bookingsList(context.config.current, filters, result.bookings, { flags, next, paged: !!position }),
    );
  });

  routes.get(
    '/bookings/:id',
    { schema: { params: BookingParams, querystring: DetailQuery } },
    async (request, reply) => {
      const booking = await store.bookingById(request.params.id);
      if (!booking) return reply.callNotFound();
      const history = await store.bookingHistory(booking.id);
      const { done } = request.query;
      const notice = done === 'cancelled' ? STRINGS.cancelled : done === 'moved' ? STRINGS.moved : undefined;
      return send(reply, STRINGS.bookingTitle(contactName(booking)), () =>
        bookingDetail(context.config.current, booking, history, notice),
      );
    },
  );

  routes.get('/bookings/:id/cancel', { schema: { params: BookingParams } }, async (request, reply) => {
    const booking = await store.bookingById(request.params.id);
    if (!booking) return reply.callNotFound();
    if (booking.status !== 'active') return reply.redirect(bookingPath(booking.id), 303);
    return send(reply, STRINGS.cancelTitle, (csrf) => cancelForm(booking, csrf, MAX_REASON));
  });

  routes.post(
    '/bookings/:id/cancel',
    { schema: { params: BookingParams }, preHandler: scope.csrfProtection },
    async (request, reply) => {
      const reason = formField(request.body, 'reason')?.trim() || null;
      if (reason !== null && reason.length > MAX_REASON) {
        const booking = await store.bookingById(request.params.id);
        if (!booking) return reply.callNotFound();
        const error = STRINGS.reasonTooLong(MAX_REASON);
        return send(reply.code(400), STRINGS.cancelTitle, (csrf) =>
          cancelForm(booking, csrf, MAX_REASON, error, reason),
        );
      }
      const outcome = await context.changes.cancel(request.params.id, request.dashboardActor, reason);
      if (outcome.status === 'not_found') return reply.callNotFound();
      if (outcome.status === 'replaced') {
        const history = await store.bookingHistory(outcome.booking.id);
        const detail = () =>
          bookingDetail(context.config.current, outcome.booking, history, STRINGS.cannotCancelReplaced);
        return send(reply.code(409), STRINGS.bookingTitle(contactName(outcome.booking)), detail);
      }
      request.log.info({ booking: outcome.booking.id, actor: request.dashboardActor }, 'dashboard cancel');
      return reply.redirect(`${bookingPath(outcome.booking.id)}?done=cancelled`, 303);
    },
  );
}

/** The flags of a page of bookings: each calendar's time off over its bookings' range, and its misfits. */
async function flagsOf(context: DashboardContext, bookings: readonly ListedBooking[]): Promise<BookingFlags> {
  const byCalendar = new Map<string, ListedBooking[]>();
  for (const booking of bookings)
    byCalendar.set(booking.calendarId, [...(byCalendar.get(booking.calendarId) ?? []), booking]);
  const flags = await Promise.all(
    [...byCalendar].map(async ([calendarId, group]) => {
      const from = Math.min(...group.map((booking) => booking.start));
      const to = Math.max(...group.map((booking) => booking.end));
      const timeOff = await context.timeOff.list({ calendarId, from, to });
      return bookingFlags(context.config.calendar(calendarId), group, timeOff, context.now());
    }),
  );
  return new Map(flags.flatMap((map) => [...map]));
}
