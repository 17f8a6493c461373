import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { MoveRequest } from '../booking/booking-changes.service.js';
import { formatInstant } from '../contract/timestamp.js';
import { localDateOf } from '../engine/zone.js';
import type { ListedBooking } from '../store/booking.js';
import { formField, type DashboardContext } from './dashboard-context.js';
import { html, page } from './html.js';
import { moveForm, type ForcedValues, type MoveView } from './move.views.js';
import { bookingPath, contactName, instantOf, localTime } from './present.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';

const BookingParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
const MoveQuery = Type.Object({ date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })) });

type Extras = Pick<MoveView, 'error' | 'alternatives'> & { readonly forced?: ForcedValues };

/** `Move booking`: a free slot of a chosen date, or a time of one's own with `Force`; BookingChanges.move does it. */
export function registerMovePages(scope: FastifyInstance, context: DashboardContext): void {
  const routes = scope.withTypeProvider<TypeBoxTypeProvider>();

  /** The move page for an active booking of a configured calendar; the slots of `date` or of its own day. */
  const sendMove = async (reply: FastifyReply, booking: ListedBooking, date: string | undefined, extras: Extras) => {
    const calendar = context.config.calendar(booking.calendarId)!;
    const now = context.now();
    const zone = calendar.timezone;
    const today = localDateOf(zone, now);
    const ownDay = localDateOf(zone, booking.start);
    const shown = date ?? (ownDay < today ? today : ownDay);
    const slots = await Promise.all(
      calendar.resources.map(async (resource) => ({
        resourceId: resource.id,
        starts: await context.availability.startsOn(calendar, shown, now, resource.id),
      })),
    );
    const forced = extras.forced ?? {
      resource: booking.resourceId,
      date: ownDay,
      time: localTime(zone, booking.start),
      force: false,
    };
    const csrf = csrfToken(reply);
    const body = moveForm({ booking, calendar, date: shown, slots, ...extras, forced, csrf });
    const title = STRINGS.moveTitle(contactName(booking));
    return reply.type('text/html; charset=utf-8').send(page({ title, body, csrf }));
  };

  /** The booking, when it is active in a configured calendar; else an answer was sent. */
  const movable = async (id: string, reply: FastifyReply): Promise<ListedBooking | undefined> => {
    const booking = await context.store.bookingById(id);
    if (!booking) {
      await reply.callNotFound();
      return undefined;
    }
    if (booking.status !== 'active' || !context.config.calendar(booking.calendarId)) {
      const csrf = csrfToken(reply);
      const body = html`<h1>${STRINGS.moveTitle(contactName(booking))}</h1>
        <p class="error" role="alert">${STRINGS.cannotMove}</p>
        <p><a href="${bookingPath(booking.id)}">${STRINGS.backToBooking}</a></p>`;
      await reply
        .code(409)
        .type('text/html; charset=utf-8')
        .send(page({ title: STRINGS.moveBooking, body, csrf }));
      return undefined;
    }
    return booking;
  };

  routes.get(
    '/bookings/:id/move',
    { schema: { params: BookingParams, querystring: MoveQuery } },
    async (request, reply) => {
      const booking = await movable(request.params.id, reply);
      if (!booking) return reply;
      const { date } = request.query;
      if (date !== undefined && instantOf('UTC', date, '00:00') === undefined) {
        return sendMove(reply.code(400), booking, undefined, { error: STRINGS.badDateTime });
      }
      return sendMove(reply, booking, date, {});
    },
  );

  routes.post(
    '/bookings/:id/move',
    { schema: { params: BookingParams }, preHandler: scope.csrfProtection },
    async (request, reply) => {
      const booking = await movable(request.params.id, reply);
      if (!booking) return reply;
      const calendar = context.config.calendar(booking.calendarId)!;
      const zone = calendar.timezone;
      const field = (name: string) => formField(request.body, name)?.trim() ?? '';
      let move: MoveRequest;
      let forced: ForcedValues | undefined;
      if (field('kind') === 'time') {
        forced = {
          resource: field('resource'),
          date: field('date'),
          time: field('time'),
          force: field('force') !== '',
        };
        const start = instantOf(zone, forced.date, forced.time);
        if (start === undefined)
          return sendMove(reply.code(400), booking, undefined, { forced, error: STRINGS.badDateTime });
        move = { start_iso: formatInstant(start), resource: forced.resource, force: forced.force };
      } else {
        const [resource, startIso] = field('slot').split(' ');
        if (!resource || !startIso) return sendMove(reply.code(400), booking, undefined, { error: STRINGS.pickSlot });
        move = { start_iso: startIso, resource };
      }
      const outcome = await context.changes.move(booking.id, move, request.dashboardActor);
      switch (outcome.status) {
        case 'moved':
          request.log.info({ booking: booking.id, actor: request.dashboardActor }, 'dashboard move');
          return reply.redirect(`${bookingPath(booking.id)}?done=moved`, 303);
        case 'not_found':
          return reply.callNotFound();
        case 'inactive':
          await movable(booking.id, reply);
          return reply;
        case 'invalid':
          return sendMove(reply.code(400), booking, undefined, {
            forced,
            error: outcome.field === 'resource' ? STRINGS.noSuchResource(calendar.name) : STRINGS.badDateTime,
          });
        case 'refused':
          return sendMove(reply.code(409), booking, undefined, {
            forced,
            error: STRINGS.refusals[outcome.code] ?? STRINGS.refusedOther,
            alternatives: { resourceId: move.resource ?? booking.resourceId, starts: outcome.alternatives },
          });
      }
    },
  );
}
