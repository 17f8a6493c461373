import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { CalendarConfig } from '../config/config.types.js';
import { bookingsFeed } from '../booking-ical/booking-event.js';
import { HttpError } from './http-error.js';
import { sameSecret, type RouteContext } from './route-context.js';

// Feeds stay subscribed for months in calendar apps: a month of history is plenty.
const FEED_HISTORY_MS = 30 * 86_400_000;

const FeedQuery = Type.Object({ token: Type.Optional(Type.String()) });
const CalendarFeedParams = Type.Object({ calendarId: Type.String() });
const ResourceFeedParams = Type.Object({ calendarId: Type.String(), resourceId: Type.String() });

/**
 * A query the schema refuses (the token given twice, say) is handed to the route rather than
 * answered with a 400, so that it looks like any wrong token: no feed at all.
 */
const feedSchema = <Params extends typeof CalendarFeedParams | typeof ResourceFeedParams>(params: Params) => ({
  schema: { params, querystring: FeedQuery },
  attachValidation: true,
});

interface FeedRequest {
  readonly params: Static<typeof CalendarFeedParams>;
  readonly query: Static<typeof FeedQuery>;
  readonly validationError?: Error;
}

/** Bookings as iCalendar feeds, per calendar and per resource, opened by the calendar's feed token. */
export function registerFeedRoutes({ app: untyped, config, store, now }: RouteContext): void {
  const app = untyped.withTypeProvider<TypeBoxTypeProvider>();

  /** The calendar whose feed the token opens; anything else looks like no feed at all. */
  const feedCalendar = ({ params, query, validationError }: FeedRequest): CalendarConfig => {
    const calendar = config.calendar(params.calendarId);
    const { token } = query;
    if (validationError || !calendar?.feedToken || token === undefined || !sameSecret(token, calendar.feedToken)) {
      throw noFeed();
    }
    return calendar;
  };

  app.get('/calendars/:calendarId/bookings.ics', feedSchema(CalendarFeedParams), async (request, reply) => {
    const calendar = feedCalendar(request);
    const bookings = await store.activeBookings(calendar.id, now() - FEED_HISTORY_MS);
    return reply.type('text/calendar; charset=utf-8').send(bookingsFeed(calendar, bookings));
  });

  app.get(
    '/calendars/:calendarId/resources/:resourceId/bookings.ics',
    feedSchema(ResourceFeedParams),
    async (request, reply) => {
      const calendar = feedCalendar(request);
      const { resourceId } = request.params;
      if (!calendar.resources.some((resource) => resource.id === resourceId)) throw noFeed();
      const bookings = await store.activeBookings(calendar.id, now() - FEED_HISTORY_MS);
      const own = bookings.filter((booking) => booking.resourceId === resourceId);
      return reply.type('text/calendar; charset=utf-8').send(bookingsFeed(calendar, own));
    },
  );
}

function noFeed(): HttpError {
  return new HttpError(404, 'not_found', 'There is no such feed.');
}
