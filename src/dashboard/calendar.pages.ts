import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { CalendarConfig } from '../config/config.types.js';
import { addDays } from '../engine/local-date.js';
import { localDateOf } from '../engine/zone.js';
import { HttpError } from '../http/http-error.js';
import type { ListedBooking } from '../store/booking.js';
import type { Store } from '../store/store.js';
import { bookingFlags } from './booking-flags.js';
import { calendarViewData, viewDates, viewRange, type ViewKind } from './calendar-view.js';
import type { DashboardContext } from './dashboard-context.js';
import { html, jsonBlock, page } from './html.js';
import { calendarPath, timeOffPath } from './present.js';
import { timeOffList } from './time-off.views.js';
import { csrfToken } from './session.js';
import { STRINGS } from './strings.js';

const CalendarParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
const CalendarQuery = Type.Object({
  date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  view: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week')])),
});

/** `/admin`: the calendars (or straight to the only one); `/admin/calendars/{id}`: its day or week. */
export function registerCalendarPages(scope: FastifyInstance, context: DashboardContext): void {
  const routes = scope.withTypeProvider<TypeBoxTypeProvider>();
  routes.get('/', async (_request, reply) => {
    const { calendars } = context.config.current;
    const [only, ...others] = calendars;
    if (only && others.length === 0) return reply.redirect(calendarPath(only.id), 303);
    const body = html`<h1>${STRINGS.calendars}</h1>
      ${calendars.length === 0 && html`<p>${STRINGS.noCalendars}</p>`}
      <ul class="calendars">
        ${calendars.map(
          (calendar) =>
            html`<li>
              <a href="${calendarPath(calendar.id)}">${calendar.name}</a>
              <span class="muted">${STRINGS.resources(calendar.resources.length)} · ${calendar.timezone}</span>
            </li>`,
        )}
      </ul>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: STRINGS.calendars, body, csrf: csrfToken(reply) }));
  });

  routes.get(
    '/calendars/:id',
    { schema: { params: CalendarParams, querystring: CalendarQuery } },
    async (request, reply) => {
      const calendar = context.config.calendar(request.params.id);
      if (!calendar) return reply.callNotFound();
      const today = localDateOf(calendar.timezone, context.now());
      const date = request.query.date ?? today;
      if (!isDate(date)) throw new HttpError(400, 'bad_request', 'Not a date.');
      const view = request.query.view ?? 'day';
      const dates = viewDates(view, date);
      const range = viewRange(calendar.timezone, dates);
      const bookings = await activeBookings(context.store, calendar, range);
      const timeOff = await context.timeOff.list({ calendarId: calendar.id, ...range });
      const flags = bookingFlags(calendar, bookings, timeOff, context.now());
      const data = calendarViewData(calendar, view, dates, bookings, timeOff, flags);
      const csrf = csrfToken(reply);
      const step = view === 'day' ? 1 : 7;
      const body = html`<h1>${calendar.name}</h1>
        <p class="muted">${STRINGS.timeZoneNote(calendar.timezone)}</p>
        <div class="toolbar">
          <a href="${calendarPath(calendar.id, addDays(date, -step), view)}"
            >${view === 'day' ? STRINGS.previousDay : STRINGS.previousWeek}</a
          >
          <a href="${calendarPath(calendar.id, today, view)}">${STRINGS.today}</a>
          <a href="${calendarPath(calendar.id, addDays(date, step), view)}"
            >${view === 'day' ? STRINGS.nextDay : STRINGS.nextWeek}</a
          >
          <form method="get" action="${calendarPath(calendar.id)}" class="inline">
            <label for="date">${STRINGS.dateLabel}</label>
            <input id="date" name="date" type="date" value="${date}" required />
            ${view === 'week' && html`<input type="hidden" name="view" value="week" />`}
            <button type="submit">${STRINGS.show}</button>
          </form>
          <span class="views">
            ${viewLink(calendar.id, date, 'day', view)} ${viewLink(calendar.id, date, 'week', view)}
          </span>
          <a href="${timeOffPath(calendar.id, date)}" class="button">${STRINGS.addTimeOff}</a>
        </div>
        <h2>${dateTitle(view, dates)}</h2>
        <div id="calendar" class="calendar" role="region" aria-label="${STRINGS.calendarLabel(calendar.name)}"></div>
        <noscript><p>${STRINGS.noScript}</p></noscript>
        ${jsonBlock('calendar-data', data)} ${timeOffList(calendar, timeOff, csrf)}`;
      return reply.type('text/html; charset=utf-8').send(
        page({
          title: calendar.name,
          body,
          csrf,
          styles: ['event-calendar.min.css'],
          scripts: ['event-calendar.min.js', 'calendar.js'],
        }),
      );
    },
  );
}

/** Every active booking of the calendar starting in the range, page by page. */
async function activeBookings(
  store: Store,
  calendar: CalendarConfig,
  range: { from: number; to: number },
): Promise<ListedBooking[]> {
  const bookings: ListedBooking[] = [];
  let after: ListedBooking | undefined;
  for (;;) {
    const page = await store.listBookings({
      calendarId: calendar.id,
      ...range,
      status: 'active',
      after: after && { start: after.start, id: after.id },
      limit: 500,
    });
    bookings.push(...page.bookings);
    if (!page.next) return bookings;
    after = page.bookings[page.bookings.length - 1];
  }
}

function viewLink(id: string, date: string, view: ViewKind, current: ViewKind) {
  const label = view === 'day' ? STRINGS.dayView : STRINGS.weekView;
  return html`<a href="${calendarPath(id, date, view)}" ${view === current && html`aria-current="page"`}>${label}</a>`;
}

function dateTitle(view: ViewKind, dates: readonly string[]): string {
  const format = (date: string, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(STRINGS.locale, { ...options, timeZone: 'UTC' }).format(Date.parse(`${date}T00:00:00Z`));
  const long = { day: 'numeric', month: 'long', year: 'numeric' } as const;
  if (view === 'day') return format(dates[0]!, { weekday: 'long', ...long });
  return `${format(dates[0]!, long)} – ${format(dates[dates.length - 1]!, long)}`;
}

/** A real calendar date, not just its shape (2026-02-30 is not). */
function isDate(date: string): boolean {
  const parsed = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === date;
}
