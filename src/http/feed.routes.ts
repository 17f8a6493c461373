import type { FastifyRequest } from 'fastify';
import type { CalendarConfig } from '../config/config.types.js';
import { bookingsFeed } from '../booking-ical/booking-event.js';
import { HttpError } from './http-error.js';
import { sameSecret, type RouteContext } from './route-context.js';

// Feeds stay subscribed for months in calendar apps: a month of history is plenty.
const FEED_HISTORY_MS = 30 * 86_400_000;

/** Bookings as iCalendar feeds, per calendar and per resource, opened by the calendar's feed token. */
export function registerFeedRoutes({ app, config, store, now }: RouteContext): void {
  const calendars = new Map(config.calendars.map((calendar) => [calendar.id, calendar]));

  /** The calendar whose feed the token opens; anything else looks like no feed at all. */
  const feedCalendar = (request: FastifyRequest): CalendarConfig => {
    const calendar = calendars.get((request.params as { calendarId: string }).calendarId);
    const token = (request.query as { token?: unknown }).token;
    if (!calendar?.feedToken || typeof token !== 'string' || !sameSecret(token, calendar.feedToken)) throw noFeed();
    return calendar;
  };

  app.get('/calendars/:calendarId/bookings.ics', async (request, reply) => {
    const calendar = feedCalendar(request);
    const bookings = await store.activeBookings(calendar.id, now() - FEED_HISTORY_MS);
    return reply.type('text/calendar; charset=utf-8').send(bookingsFeed(calendar, bookings));
  });

  app.get('/calendars/:calendarId/resources/:resourceId/bookings.ics', async (request, reply) => {
    const calendar = feedCalendar(request);
    const { resourceId } = request.params as { resourceId: string };
    if (!calendar.resources.some((resource) => resource.id === resourceId)) throw noFeed();
    const bookings = await store.activeBookings(calendar.id, now() - FEED_HISTORY_MS);
    const own = bookings.filter((booking) => booking.resourceId === resourceId);
    return reply.type('text/calendar; charset=utf-8').send(bookingsFeed(calendar, own));
  });
}

function noFeed(): HttpError {
  return new HttpError(404, 'not_found', 'There is no such feed.');
}
