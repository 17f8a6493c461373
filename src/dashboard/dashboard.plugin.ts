import { perConfig } from '../config/live-config.js';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { FastifyError } from 'fastify';
import { cursorCodecOf } from '../http/api-cursor.js';
import { keyFromTokens } from '../http/admin-token.js';
import { toHttpError } from '../http/http-error.js';
import type { RouteContext } from '../http/route-context.js';
import { registerBookingPages } from './booking.pages.js';
import { registerCalendarPages } from './calendar.pages.js';
import { registerEmailPages } from './email.pages.js';
import { registerMovePages } from './move.pages.js';
import { registerTimeOffPages } from './time-off.pages.js';
import { registerWebhookPages } from './webhooks.pages.js';
import { formField, type DashboardContext } from './dashboard-context.js';
import { html, page } from './html.js';
import { sessionCodec, SESSION_COOKIE } from './session.js';
import { registerSignIn, SIGN_IN_PATH } from './sign-in.pages.js';
import { STRINGS } from './strings.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Under /admin: the name of the signed-in admin token, who did it in the audit trail. */
    dashboardActor: string;
  }
}

/** The dashboard's own files, from src/dashboard or dist/dashboard alike. */
const ASSETS_DIR = fileURLToPath(new URL('../../src/dashboard/assets/', import.meta.url));
const EVENT_CALENDAR_DIR = dirname(
  createRequire(import.meta.url).resolve('@event-calendar/build/dist/event-calendar.min.js'),
);

/**
 * The front desk's web dashboard under `/admin`, a plugin of its own: its security headers,
 * cookies, CSRF check, rate limit, form parser and HTML error pages apply here only, so neither
 * telli's routes nor the API pay for them. Registered only when `admin` is configured.
 */
export function registerDashboard(routeContext: RouteContext): void {
  const { config } = routeContext;
  const context: DashboardContext = {
    config,
    store: routeContext.store,
    changes: routeContext.changes,
    timeOff: routeContext.timeOff,
    availability: routeContext.availability,
    now: routeContext.now,
    get sessions() {
      return sessionsOf(config.current);
    },
    get cursors() {
      return cursorCodecOf(config.current);
    },
  };
  routeContext.app.register(
    async (scope) => {
      await scope.register(helmet, {
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'"],
            styleSrc: ["'self'"],
            imgSrc: ["'self'", 'data:'],
            fontSrc: ["'self'"],
            connectSrc: ["'self'"],
            objectSrc: ["'none'"],
            baseUri: ["'none'"],
            formAction: ["'self'"],
            frameAncestors: ["'none'"],
          },
        },
      });
      await scope.register(cookie, {
        secret: keyFromTokens('slotline-cookie', config.current.admin?.tokens ?? []).toString('base64url'),
      });
      await scope.register(csrf, {
        cookieKey: 'slotline_csrf',
        cookieOpts: { path: '/admin', sameSite: 'strict', httpOnly: true, signed: true },
        getToken: (request) => formField(request.body, '_csrf'),
      });
      await scope.register(rateLimit, {
        global: false,
        errorResponseBuilder: () => Object.assign(new Error('Too many sign-in attempts.'), { statusCode: 429 }),
      });
      await scope.register(fastifyStatic, { root: [ASSETS_DIR, EVENT_CALENDAR_DIR], prefix: '/assets/' });

      scope.decorateRequest('dashboardActor', '');
      scope.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 16_384 },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        const status = error.validation ? 400 : toHttpError(error).status;
        if (status >= 500) request.log.error({ err: error }, 'dashboard request failed');
        return reply.code(status).type('text/html; charset=utf-8').send(errorPage(status));
      });
      scope.setNotFoundHandler((_request, reply) =>
        reply.code(404).type('text/html; charset=utf-8').send(errorPage(404)),
      );

      registerSignIn(scope, context);
      scope.register(async (signedIn) => {
        signedIn.addHook('onRequest', async (request, reply) => {
          const name = context.sessions.open(request.cookies[SESSION_COOKIE], context.now());
          if (name === undefined) return reply.redirect(SIGN_IN_PATH, 303);
          request.dashboardActor = name;
        });
        registerCalendarPages(signedIn, context);
        registerBookingPages(signedIn, context);
        registerMovePages(signedIn, context);
        registerTimeOffPages(signedIn, context);
        registerWebhookPages(signedIn, context);
        registerEmailPages(signedIn, context);
      });
    },
    { prefix: '/admin' },
  );
}

function errorPage(status: number): string {
  const title = STRINGS.errorTitle(status);
  return page({
    title,
    body: html`<h1>${title}</h1>
      <p>${STRINGS.errorDetail(status)}</p>`,
  });
}

/** The codecs of a config's admin tokens, made again only when a reload replaced the config. */
const sessionsOf = perConfig((config) => sessionCodec(config.admin?.tokens ?? []));
