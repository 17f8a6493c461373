import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createBookingChanges } from '../booking/booking-changes.service.js';
import { toApiBooking } from '../booking/api-booking.js';
import { Booking, BookingId, problemAnswers } from './api.schemas.js';
import { problem, sendProblem } from './problem.js';
import type { RouteContext } from './route-context.js';

const CancelBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'why, for the history; at most 500 characters' })),
  },
  { additionalProperties: false },
);

/** The operator's changes to bookings, in the API's scope (token check, validator, problem answers). */
export function registerBookingChangeRoutes(scope: FastifyInstance, context: RouteContext): void {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const timezones = new Map(context.config.calendars.map((calendar) => [calendar.id, calendar.timezone]));
  const changes = createBookingChanges(context);

  api.post(
    '/bookings/:id/cancel',
    {
      schema: {
        summary: 'Cancel a booking',
        description:
          'The booking is kept with status `cancelled`, its slot is free at once on every process, and its ' +
          'CalDAV events are deleted in the background. Cancelling it again answers the same booking; a ' +
          'booking replaced by its contact cannot be cancelled (409).',
        tags: ['bookings'],
        security: [{ bearer: [] }],
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
      return toApiBooking(outcome.booking, timezones.get(outcome.booking.calendarId));
    },
  );
}
