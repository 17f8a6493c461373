import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { formatInstant, parseInstant } from '../contract/timestamp.js';
import type { TimeOff as StoredTimeOff } from '../store/time-off.js';
import { toApiBooking } from '../booking/api-booking.js';
import { rangeOf } from './api.bookings.routes.js';
import {
  AddedTimeOff,
  problemAnswers,
  TimeOff,
  TimeOffAnswer,
  TimeOffBody,
  TimeOffId,
  TimeOffQuery,
} from './api.schemas.js';
import { problem, sendProblem } from './problem.js';
import type { RouteContext } from './route-context.js';

/** Time off: `POST /time-off`, `GET /time-off`, `DELETE /time-off/{id}`, in the API's scope. */
export function registerTimeOffRoutes(scope: FastifyInstance, { config, timeOff }: RouteContext): void {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const common = { tags: ['time off'], security: [{ bearer: [] }] };

  api.post(
    '/time-off',
    {
      schema: {
        ...common,
        summary: 'Close a resource, or the whole calendar, for a while',
        description:
          'Availability and booking honour it at once on every process. Bookings already in it are not ' +
          'cancelled: they are answered in `conflicts`, for the business to move or cancel.',
        body: TimeOffBody,
        response: { 201: AddedTimeOff, ...problemAnswers(400, 401) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const start = parseInstant(body.start_iso);
      if (start === undefined) return sendProblem(reply, problem(400, 'Not an ISO 8601 instant.', 'start_iso'));
      const end = parseInstant(body.end_iso);
      if (end === undefined) return sendProblem(reply, problem(400, 'Not an ISO 8601 instant.', 'end_iso'));
      const outcome = await timeOff.add(
        { calendarId: body.calendar, resourceId: body.resource, start, end, note: body.note ?? null },
        request.adminActor,
      );
      if (outcome.status === 'invalid') return sendProblem(reply, problem(400, outcome.detail, outcome.field));
      const conflicts = outcome.conflicts.map((booking) =>
        toApiBooking(booking, config.calendar(booking.calendarId)?.timezone),
      );
      return reply.code(201).send({ ...toApiTimeOff(outcome.timeOff), conflicts });
    },
  );

  api.get(
    '/time-off',
    {
      schema: {
        ...common,
        summary: 'Time off overlapping a range, by start',
        querystring: TimeOffQuery,
        response: { 200: TimeOffAnswer, ...problemAnswers(400, 401) },
      },
    },
    async (request, reply) => {
      const { calendar } = request.query;
      if (calendar !== undefined && !config.calendar(calendar)) {
        return sendProblem(reply, problem(400, 'No such calendar.', 'calendar'));
      }
      const range = rangeOf(request.query);
      if ('status' in range) return sendProblem(reply, range);
      return { time_off: (await timeOff.list({ calendarId: calendar, ...range })).map(toApiTimeOff) };
    },
  );

  api.delete(
    '/time-off/:id',
    {
      schema: {
        ...common,
        summary: 'Remove time off: the time is free again at once',
        params: TimeOffId,
        response: { 204: Type.Null({ description: 'removed; no body' }), ...problemAnswers(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const removed = await timeOff.remove(request.params.id, request.adminActor);
      if (!removed) return sendProblem(reply, problem(404, `No time off ${request.params.id}.`));
      return reply.code(204).send(null);
    },
  );
}

function toApiTimeOff(timeOff: StoredTimeOff): Static<typeof TimeOff> {
  return {
    id: timeOff.id,
    calendar: timeOff.calendarId,
    resource: timeOff.resourceId,
    start_iso: formatInstant(timeOff.start),
    end_iso: formatInstant(timeOff.end),
    note: timeOff.note,
    created_at: formatInstant(timeOff.createdAt),
    created_by: timeOff.createdBy,
  };
}
