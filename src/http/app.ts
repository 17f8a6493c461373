import { MIMEType } from 'node:util';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAvailability, type Availability } from '../booking/availability.service.js';
import { createBookingChanges } from '../booking/booking-changes.service.js';
import { createBooking } from '../booking/booking.service.js';
import { createTimeOff } from '../booking/time-off.service.js';
import { createContactLookup } from '../booking/contact-lookup.service.js';
import type { Config } from '../config/config.types.js';
import { liveConfigOf, type LiveConfig } from '../config/live-config.js';
import { registerDashboard } from '../dashboard/dashboard.plugin.js';
import { createOutboxWorker, type OutboxWorker } from '../outbox/outbox.worker.js';
import { saturatedBy } from '../outbox/saturation.js';
import { liveBusyReader } from '../sources/live-check.js';
import type { Store } from '../store/store.js';
import { registerApi } from './api.routes.js';
import { registerContactLookupRoute } from './contact-lookup.routes.js';
import { registerContractRoutes } from './contract.routes.js';
import { registerFeedRoutes } from './feed.routes.js';
import { BODY_LIMIT, errorBody, HttpError, toHttpError, unsupportedMediaType } from './http-error.js';
import { createMetrics, requestDurations, timedStore, watchOutbox } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerOpsRoutes } from './ops.routes.js';
import { logsInfo, RequestLog, requestForLog, type LineStream } from './request-log.js';
import type { RouteContext } from './route-context.js';

export interface AppOptions {
  /** A holder when the config may be reloaded; routes read it per request. */
  readonly config: Config | LiveConfig;
  readonly store: Store;
  /** The clock; tests pin it. */
  readonly now?: () => number;
  /** pino level and destination (stdout when not given); false silences the logs. */
  readonly logger?: false | { level: string; stream?: LineStream };
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    /** The business outcome, for the request metrics. */
    outcome?: string;
  }
  interface FastifyInstance {
    /** Fans out and sends the outbox (webhooks, e-mail); `slotline serve` starts it, closing the app stops it. */
    outbox: OutboxWorker;
    /** What `/available` answers from; `slotline serve`'s sync hands it the busy time it writes. */
    availability: Availability;
  }
}

/**
 * What callers tell about themselves must never reach a log line. Headers (keys, signatures,
 * cookies) cannot: the request serializer (`requestForLog`) writes method, URL and address only.
 * No path starts with a wildcard: pino would then redact every field of every line, which cost
 * /available more than writing its line did.
 */
const REDACT = ['body', 'contact_details', 'err.body', 'err.contact_details'];

export function buildApp(options: AppOptions): FastifyInstance {
  const config = liveConfigOf(options.config);
  const metrics = createMetrics();
  const recordDuration = requestDurations(metrics);
  const store = timedStore(options.store, metrics);
  const now = options.now ?? Date.now;
  /** Requests answered so far: the outbox stands aside while they saturate the process. */
  let answered = 0;
  // Silenced, the logger is still there, at level silent: without one, Fastify would not call
  // RequestLog at the end of a request, which records the request metrics too.
  const { level, stream = process.stdout } =
    options.logger === false ? { level: 'silent' } : (options.logger ?? { level: 'info' });
  const app = Fastify({
    logger: { level, stream, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { req: requestForLog } },
    logController: new RequestLog({
      lines: logsInfo(level) ? stream : undefined,
      completed: (request, reply) => {
        answered += 1;
        recordDuration(
          request.routeOptions.url ?? 'unmatched',
          reply.statusCode,
          request.outcome ?? (reply.statusCode < 400 ? 'ok' : 'error'),
          reply.elapsedTime / 1000,
        );
      },
    }),
    bodyLimit: BODY_LIMIT,
    requestTimeout: 10_000,
    connectionTimeout: 15_000,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // telli sends JSON in UTF-8 and nothing else: any other body is refused before its signature is
  // looked at. (Fastify would otherwise read text/plain, and decode any charset as UTF-8.)
  app.removeAllContentTypeParsers();
  // Keep the raw body: the signature covers the bytes telli sent.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (!isUtf8(request.headers['content-type'])) return done(unsupportedMediaType(), undefined);
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
    return reply.code(answer.status).send(errorBody(answer));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url}.` }),
  );

  const liveBusy = liveBusyReader(app.log);
  app.addHook('onClose', () => liveBusy.close());
  const availability = createAvailability(store);
  app.decorate('availability', availability);
  // Each calendar's first answer is computed before the server listens, so the first caller
  // does not wait for it (a large calendar's first computation takes a good part of a second).
  app.addHook('onReady', async () => {
    for (const calendar of config.current.calendars) {
      await availability.slots(calendar, now()).catch((error: unknown) => {
        app.log.warn({ err: error, calendar: calendar.id }, 'availability not computed ahead; the first request will');
      });
    }
  });
  const booking = createBooking({ store, availability, liveBusy, now });
  const timeOff = createTimeOff({ config, store, now });
  const contactLookup = createContactLookup({ store, config, now });
  const changes = createBookingChanges({ config, store, availability, booking, liveBusy, now });
  const outbox = createOutboxWorker({
    config,
    store,
    log: app.log,
    onWebhookOutcome: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
    onEmailOutcome: (outcome) => metrics.emailDeliveries.inc({ outcome }),
    saturated: saturatedBy(() => answered),
  });
  app.decorate('outbox', outbox);
  app.addHook('onClose', () => outbox.stop());
  watchOutbox(metrics, store);
  // Routes are declared once: a reload can change the admin tokens, not whether the API exists.
  if (config.current.admin) registerOpenApi(app);
  // Routes go in a plugin so that they are declared after the OpenAPI plugin has loaded, which
  // documents only the routes it sees declared. The app's hooks and handlers apply in it as well.
  app.register(async (routes) => {
    const context: RouteContext = {
      app: routes,
      config,
      store,
      availability,
      booking,
      changes,
      timeOff,
      contactLookup,
      metrics,
      now,
    };
    registerContractRoutes(context);
    registerContactLookupRoute(context);
    registerFeedRoutes(context);
    registerOpsRoutes(context);
    registerApi(context);
    if (config.current.admin) registerDashboard(context);
  });

  return app;
}

/** A JSON content type without a charset is UTF-8 (RFC 8259); one with a charset must say so. */
function isUtf8(contentType: string | undefined): boolean {
  // telli's header, known without parsing it (a MIMEType per request showed in the profile).
  if (contentType === 'application/json') return true;
  try {
    const charset = new MIMEType(contentType ?? '').params.get('charset');
    return charset === null || UTF8_LABELS.has(charset.toLowerCase());
  } catch {
    return false;
  }
}

const UTF8_LABELS = new Set(['utf-8', 'utf8']);
