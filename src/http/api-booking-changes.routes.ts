import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Invalid, Refused } from '../booking/booking-changes.service.js';
import { reasonText } from '../booking/reasons.js';
import { formatInstant } from '../contract/timestamp.js';
import type { BookingRecord } from '../store/booking.js';
import { toApiBooking } from '../booking/api-booking.js';
import { Booking, BookingId, Nullable, problemAnswers, Text } from './api.schemas.js';
import { problem, sendProblem } from './problem.js';
import type { RouteContext } from './route-context.js';

const CancelBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'why, for the history; at most 500 characters' })),
  },
  { additionalProperties: false },
);

const StartIso = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'ISO 8601, e.g. 2026-12-01T09:00:00.000Z; a time without a zone is UTC',
});
const Resource = Text(128, "a resource of the booking's calendar; without it, any free one (move: the same one)");
const Force = Type.Boolean({
  description:
    'true: book outside hours, notice, grid, horizon and the per-day cap; an overlap with a booking or busy time is ' +
    'still refused (409)',
});

const CreateBody = Type.Object(
  {
    calendar: Text(128, 'the calendar id'),
    start_iso: StartIso,
    resource: Type.Optional(Resource),
    contact_id: Type.Optional(Nullable(Text(256))),
    external_contact_id: Type.Optional(Nullable(Text(256))),
    contact_details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'name, e-mail, phone…' })),
    force: Type.Optional(Force),
  },
  { additionalProperties: false },
);

const MoveBody = Type.Object(
  { start_iso: StartIso, resource: Type.Optional(Resource), force: Type.Optional(Force) },
  { additionalProperties: false },
);

/** The operator's changes to bookings, in the API's scope (token check, validator, problem answers). */
export function registerBookingChangeRoutes(scope: FastifyInstance, context: RouteContext): void {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { changes } = context;
  const present = (booking: BookingRecord) =>
    toApiBooking(booking, context.config.calendar(booking.calendarId)?.timezone);
  const common = { tags: ['bookings'], security: [{ bearer: [] }] };

  api.post(
    '/bookings',
    {
      schema: {
        ...common,
        summary: 'Book a slot',
        description:
          "Without `force`, the rules of telli's /book apply (grid, hours, notice, horizon, per-day cap, busy time " +
          'of other calendars); with `force: true` only an overlap with another booking or busy time on the ' +
          'resource refuses it. A refused time is a 409 with the nearest free `alternatives`. Without ' +
          '`contact_id` and `external_contact_id` the booking is its own contact; with one, the same contact ' +
          "booking the same start again answers its booking (200), and another start follows the calendar's " +
          '`on_rebook`.',
        body: CreateBody,
        response: { 200: Booking, 201: Booking, ...problemAnswers(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const outcome = await changes.create(request.body, request.adminActor);
      if (outcome.status === 'invalid') return invalid(reply, outcome);
      if (outcome.status === 'refused') return refused(reply, outcome);
      return reply.code(outcome.status === 'created' ? 201 : 200).send(present(outcome.booking));
    },
  );

  api.post(
    '/bookings/:id/move',
    {
      schema: {
        ...common,
        summary: 'Move a booking',
        description:
          'The same booking at a new start (and, with `resource`, on another resource), with the same rules and ' +
          '`force` as booking; its own current time does not stand in its way. Atomic: moved, or a 409 with ' +
          'the nearest free `alternatives` and unchanged. Its CalDAV event is updated in the background. A ' +
          'cancelled or replaced booking cannot be moved (409).',
        params: BookingId,
        body: MoveBody,
        response: { 200: Booking, ...problemAnswers(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const outcome = await changes.move(request.params.id, request.body, request.adminActor);
      if (outcome.status === 'not_found') return sendProblem(reply, problem(404, `No booking ${request.params.id}.`));
      if (outcome.status === 'invalid') return invalid(reply, outcome);
      if (outcome.status === 'inactive') {
        return sendProblem(reply, problem(409, `The booking is ${outcome.booking.status}: it holds no time to move.`));
      }
      if (outcome.status === 'refused') return refused(reply, outcome);
      return present(outcome.booking);
    },
  );

  api.post(
    '/bookings/:id/cancel',
    {
      schema: {
        ...common,
        summary: 'Cancel a booking',
        description:
          'The booking is kept with status `cancelled`, its slot is free at once on every process, and its ' +
          'CalDAV events are deleted in the background. Cancelling it again answers the same booking; a ' +
          'booking replaced by its contact cannot be cancelled (409).',
        params: BookingId,
        body: CancelBody,
        response: { 200: Booking, ...problemAnswers(400, 401, 404, 409) },
      },
      // No body at all means no reason.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const outcome = await changes.cancel(request.params.id, request.adminActor, request.body.reason ?? null);
      if (outcome.status === 'not_found') {
        return sendProblem(reply, problem(404, `No booking ${request.params.id}.`));
      }
      if (outcome.status === 'replaced') {
        return sendProblem(reply, problem(409, 'The contact booked another slot, which replaced this booking.'));
      }
      return present(outcome.booking);
    },
  );
}

function invalid(reply: FastifyReply, outcome: Invalid): FastifyReply {
  return sendProblem(reply, problem(400, outcome.detail, outcome.field));
}

/** A 409 that says why in English, with the reason's code and the nearest free starts. */
function refused(reply: FastifyReply, outcome: Refused): FastifyReply {
  const detail = reasonText('en', outcome.timezone, outcome.code, { existing: outcome.existing });
  return sendProblem(reply, {
    ...problem(409, detail),
    code: outcome.code,
    alternatives: outcome.alternatives.map(formatInstant),
  });
}
