import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { MAX_TIME_OFF_DAYS } from '../booking/time-off.service.js';
import { localDateOf } from '../engine/zone.js';
import { formField, type DashboardContext } from './dashboard-context.js';
import { page, type Html } from './html.js';
import { calendarPath, instantOf } from './present.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';
import { timeOffAdded, timeOffForm, type TimeOffFormValues } from './time-off.views.js';

const MAX_NOTE = 500;
const CalendarParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
const FormQuery = Type.Object({ date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })) });
const TimeOffParams = Type.Object({ id: Type.String({ maxLength: 200 }) });

/** Adding time off to a calendar (listing the bookings it conflicts with), and removing it again. */
export function registerTimeOffPages(scope: FastifyInstance, context: DashboardContext): void {
  const routes = scope.withTypeProvider<TypeBoxTypeProvider>();
  const send = (reply: FastifyReply, title: string, body: (csrf: string) => Html) => {
    const csrf = csrfToken(reply);
    return reply.type('text/html; charset=utf-8').send(page({ title, body: body(csrf), csrf }));
  };

  routes.get(
    '/calendars/:id/time-off',
    { schema: { params: CalendarParams, querystring: FormQuery } },
    async (request, reply) => {
      const calendar = context.config.calendar(request.params.id);
      if (!calendar) return reply.callNotFound();
      const date = request.query.date ?? localDateOf(calendar.timezone, context.now());
      const values = { resource: '', startDate: date, startTime: '09:00', endDate: date, endTime: '17:00', note: '' };
      return send(reply, STRINGS.addTimeOffTitle(calendar.name), (csrf) => timeOffForm(calendar, csrf, values));
    },
  );

  routes.post(
    '/calendars/:id/time-off',
    { schema: { params: CalendarParams }, preHandler: scope.csrfProtection },
    async (request, reply) => {
      const calendar = context.config.calendar(request.params.id);
      if (!calendar) return reply.callNotFound();
      const values = readForm(request.body);
      const refuse = (error: string) =>
        send(reply.code(400), STRINGS.addTimeOffTitle(calendar.name), (csrf) =>
          timeOffForm(calendar, csrf, values, error),
        );
      const start = instantOf(calendar.timezone, values.startDate, values.startTime);
      const end = instantOf(calendar.timezone, values.endDate, values.endTime);
      if (start === undefined || end === undefined) return refuse(STRINGS.badDateTime);
      if (values.note.length > MAX_NOTE) return refuse(STRINGS.noteTooLong(MAX_NOTE));
      const outcome = await context.timeOff.add(
        {
          calendarId: calendar.id,
          ...(values.resource !== '' && { resourceId: values.resource }),
          start,
          end,
          note: values.note.trim() || null,
        },
        request.dashboardActor,
      );
      if (outcome.status === 'invalid') {
        // The calendar was found above; the resource is gone after a reload, or the range is wrong.
        if (outcome.field === 'resource') return refuse(STRINGS.noSuchResource(calendar.name));
        return refuse(end <= start ? STRINGS.endBeforeStart : STRINGS.timeOffTooLong(MAX_TIME_OFF_DAYS));
      }
      const { timeOff, conflicts } = outcome;
      request.log.info(
        { time_off: timeOff.id, conflicts: conflicts.length, actor: request.dashboardActor },
        'dashboard time off added',
      );
      return send(reply.code(201), STRINGS.timeOffAddedTitle, () =>
        timeOffAdded(calendar, timeOff, conflicts, values.startDate),
      );
    },
  );

  routes.post(
    '/time-off/:id/remove',
    { schema: { params: TimeOffParams }, preHandler: scope.csrfProtection },
    async (request, reply) => {
      const removed = await context.timeOff.remove(request.params.id, request.dashboardActor);
      if (!removed) return reply.callNotFound();
      request.log.info({ time_off: removed.id, actor: request.dashboardActor }, 'dashboard time off removed');
      const zone = context.config.calendar(removed.calendarId)?.timezone ?? 'UTC';
      return reply.redirect(calendarPath(removed.calendarId, localDateOf(zone, removed.start)), 303);
    },
  );
}

function readForm(body: unknown): TimeOffFormValues {
  const text = (name: string) => formField(body, name)?.trim() ?? '';
  return {
    resource: text('resource'),
    startDate: text('start_date'),
    startTime: text('start_time'),
    endDate: text('end_date'),
    endTime: text('end_time'),
    note: text('note'),
  };
}
