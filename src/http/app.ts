import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CalendarConfig, Config } from '../config/config.types.js';
import { createAvailability } from '../booking/availability.service.js';
import { bookSlot, refuseRequest } from '../booking/booking.service.js';
import { readBookRequest } from '../contract/book-request.js';
import { isValidSignature } from '../contract/signature.js';
import { formatInstant } from '../contract/timestamp.js';
import { bookingsFeed } from '../sources/booking-event.js';
import { liveBusyReader } from '../sources/live-check.js';
import { isStale } from '../sources/sync.service.js';
import type { Interval } from '../engine/interval.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { AvailableAnswer, BookAnswer, CalendarParams, ErrorAnswer } from './contract.schemas.js';
import { HttpError } from './http-error.js';
import { createMetrics, timedStore } from './metrics.js';

export interface AppOptions {
  readonly config: Config;
  readonly store: Store;
  /** The clock; tests pin it. */
  readonly now?: () => number;
  /** pino level and destination; false silences the logs. */
  readonly logger?: false | { level: string; stream?: { write(line: string): void } };
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    /** The business outcome, for the request metrics. */
    outcome?: string;
  }
}

const BODY_LIMIT = 64 * 1024;

/** Paths that must never reach a log line: keys, signatures and what callers tell about themselves. */
const REDACT = [
  'req.headers["x-telli-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'body',
  'contact_details',
  '*.contact_details',
];

export function buildApp(options: AppOptions): FastifyInstance {
  const { config } = options;
  const metrics = createMetrics();
  const store = timedStore(options.store, metrics);
  const now = options.now ?? Date.now;
  const logger = options.logger ?? { level: 'info' };
  const app = Fastify({
    logger: logger === false ? false : { ...logger, redact: { paths: REDACT, censor: '[redacted]' } },
    bodyLimit: BODY_LIMIT,
    requestTimeout: 10_000,
    connectionTimeout: 15_000,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Keep the raw body: the signature covers the bytes telli sent.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new HttpError(400, 'bad_json', 'The body is not valid JSON.'), undefined);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const answer = toHttpError(error);
    if (answer.status === 503) request.log.warn({ err: error }, 'database unavailable');
    else if (answer.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(answer.status).send({ error: answer.code, message: answer.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url}.` }),
  );

  const availability = createAvailability(store);
  const liveBusy = liveBusyReader(app.log);
  const calendars = new Map(config.calendars.map((calendar) => [calendar.id, calendar]));
  const defaultCalendar = config.calendars[0]!;
  const calendarOf = (request: FastifyRequest): CalendarConfig => {
    const id = (request.params as { calendarId?: string }).calendarId;
    if (id === undefined) return defaultCalendar;
    const calendar = calendars.get(id);
    if (!calendar) throw new HttpError(404, 'unknown_calendar', `There is no calendar "${id}".`);
    return calendar;
  };

  const verifySignature = async (request: FastifyRequest) => {
    if (config.signingKeys.length === 0) return;
    const signature = request.headers['x-telli-signature'];
    if (
      !isValidSignature(
        typeof signature === 'string' ? signature : undefined,
        request.rawBody ?? '',
        config.signingKeys,
      )
    ) {
      throw new HttpError(401, 'bad_signature', 'The x-telli-signature header is missing or wrong.');
    }
  };

  const errors = {
    400: ErrorAnswer,
    401: ErrorAnswer,
    404: ErrorAnswer,
    413: ErrorAnswer,
    415: ErrorAnswer,
    503: ErrorAnswer,
  };

  for (const prefix of ['', '/calendars/:calendarId']) {
    const params = prefix ? { params: CalendarParams } : {};

    app.post(
      `${prefix}/available`,
      { schema: { ...params, response: { 200: AvailableAnswer, ...errors } }, preHandler: verifySignature },
      async (request) => {
        const calendar = calendarOf(request);
        if (request.body !== undefined && !isObject(request.body)) {
          throw new HttpError(400, 'not_an_object', 'The body must be a JSON object.');
        }
        const slots = await availability.slots(calendar, now());
        metrics.slotsReturned.observe({ calendar: calendar.id }, slots.length);
        return wireAnswer(slots);
      },
    );

    app.post(
      `${prefix}/book`,
      { schema: { ...params, response: { 200: BookAnswer, ...errors } }, preHandler: verifySignature },
      async (request) => {
        const calendar = calendarOf(request);
        const read = readBookRequest(request.body);
        const outcome = read.ok
          ? await bookSlot(store, availability, calendar, read.request, now(), liveBusy)
          : await refuseRequest(availability, calendar, read.problem, now());
        request.log.info({ calendar: calendar.id, outcome: outcome.kind }, 'booking');
        request.outcome = outcome.kind;
        metrics.bookings.inc({ calendar: calendar.id, outcome: outcome.kind });
        return outcome.status === 'success'
          ? { status: 'success' as const }
          : { status: 'failed' as const, reason: outcome.reason };
      },
    );
  }

  app.addHook('onResponse', async (request, reply) => {
    metrics.requestDuration.observe(
      {
        // The route pattern, never the raw URL, keeps the label set small.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
        outcome: request.outcome ?? (reply.statusCode < 400 ? 'ok' : 'error'),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', async (request, reply) => {
    if (config.metricsToken && !hasBearer(request.headers.authorization, config.metricsToken)) {
      throw new HttpError(401, 'bad_token', 'GET /metrics needs the metrics token as a bearer token.');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Feeds stay up for weeks in calendar apps: a month of history is plenty.
  const FEED_HISTORY_MS = 30 * 86_400_000;
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

  /** The calendar whose feed the token opens; anything else looks like no feed at all. */
  function feedCalendar(request: FastifyRequest): CalendarConfig {
    const calendar = calendars.get((request.params as { calendarId: string }).calendarId);
    const token = (request.query as { token?: unknown }).token;
    if (!calendar?.feedToken || typeof token !== 'string' || !sameSecret(token, calendar.feedToken)) throw noFeed();
    return calendar;
  }

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ready', sources: await sourceReport(config, store, now()) };
    } catch (error) {
      request.log.warn({ err: error }, 'database not answering');
      return reply.code(503).send({ error: 'not_ready', message: 'The database does not answer.' });
    }
  });

  return app;
}

// Availability hands out the same slots array while its answer holds: format each array once.
const wireAnswers = new WeakMap<readonly Interval[], { available: { start_iso: string; end_iso: string }[] }>();

function wireAnswer(slots: readonly Interval[]) {
  let answer = wireAnswers.get(slots);
  if (!answer) {
    answer = {
      available: slots.map((slot) => ({ start_iso: formatInstant(slot.start), end_iso: formatInstant(slot.end) })),
    };
    wireAnswers.set(slots, answer);
  }
  return answer;
}

function hasBearer(header: string | undefined, token: string): boolean {
  return sameSecret(header?.replace(/^Bearer\s+/i, '') ?? '', token);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function noFeed(): HttpError {
  return new HttpError(404, 'not_found', 'There is no such feed.');
}

/** Each source's sync state, by id (never its URL, which may hold a secret). */
async function sourceReport(config: Config, store: Store, at: number) {
  const states = new Map((await store.sourceStates()).map((state) => [state.sourceId, state]));
  return config.calendars.flatMap((calendar) =>
    calendar.resources.flatMap((resource) =>
      resource.sources.map((source) => {
        const state = states.get(source.id);
        return {
          id: source.id,
          stale: isStale(state, resource.syncEvery, at),
          synced_at: state?.syncedAt ? formatInstant(state.syncedAt) : null,
          failures: state?.failures ?? 0,
        };
      }),
    ),
  );
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Client mistakes keep their 4xx; anything unexpected is a 500 that names nothing internal. */
function toHttpError(error: Error & { statusCode?: number; code?: string }): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreUnavailableError) {
    return new HttpError(503, 'not_ready', 'The database cannot be reached. Try again shortly.');
  }
  const status = error.statusCode;
  if (status === 413) return new HttpError(413, 'body_too_large', `The body is over ${BODY_LIMIT} bytes.`);
  if (status === 415) return new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
  if (status !== undefined && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', error.message);
  }
  return new HttpError(500, 'internal', 'Something went wrong on our side.');
}
