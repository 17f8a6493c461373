import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { perConfig, type LiveConfig } from '../config/live-config.js';
import { adminTokenMatcher } from './admin-token.js';
import { registerBookingChangeRoutes } from './api-booking-changes.routes.js';
import { registerTimeOffRoutes } from './api-time-off.routes.js';
import { registerBookingReadRoutes } from './api.bookings.routes.js';
import { registerEmailRoutes } from './api.email.routes.js';
import { registerWebhookRoutes } from './api.webhooks.routes.js';
import { CalendarsAnswer, problemAnswers } from './api.schemas.js';
import { toHttpError } from './http-error.js';
import { problem, sendProblem, type ProblemBody } from './problem.js';
import type { RouteContext } from './route-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Under /api/v1: the name of the admin token the request came with, who did it in the audit trail. */
    adminActor: string;
  }
}

export const API_PREFIX = '/api/v1';

/**
 * The business's API under `/api/v1`, in a scope of its own: its token check, validator and
 * error answers (RFC 9457 problem details) apply here only, so telli's routes neither change
 * nor pay for them. Without `admin` in the config every path here is a 404. The routes exist when
 * the config at start has `admin`; the tokens are read per request, so a reload can change them,
 * or remove `admin` and make every path a 404 again.
 */
export function registerApi(context: RouteContext): void {
  const { app, config, store } = context;
  app.register(
    async (scope) => {
      const api = scope.withTypeProvider<TypeBoxTypeProvider>();
      // The app's Ajv coerces types ("5" for 5); the API refuses a wrong type with a 400 instead.
      api.setValidatorCompiler(TypeBoxValidatorCompiler);
      api.setErrorHandler((error: FastifyError, request, reply) => {
        const body = toProblem(error);
        if (body.status === 503) request.log.warn({ err: error }, 'database unavailable');
        else if (body.status >= 500) request.log.error({ err: error }, 'request failed');
        return sendProblem(reply, body);
      });
      api.setNotFoundHandler((request, reply) => sendProblem(reply, noRoute(request)));
      if (config.current.admin) {
        requireAdminToken(api, config);
        registerCalendarRoutes(api, config);
        registerBookingChangeRoutes(api, context);
        registerBookingReadRoutes(api, config, store);
        registerTimeOffRoutes(api, context);
        registerWebhookRoutes(api, config, store);
        registerEmailRoutes(api, config, store);
      }
    },
    { prefix: API_PREFIX },
  );
}

function requireAdminToken(api: FastifyInstance, config: LiveConfig): void {
  const matcherOf = perConfig((current) => adminTokenMatcher(current.admin?.tokens ?? []));
  api.decorateRequest('adminActor', '');
  api.addHook('onRequest', async (request, reply) => {
    // A reload removed `admin`: the API is off, as if it had never been there.
    if (!config.current.admin) return sendProblem(reply, noRoute(request));
    const name = matcherOf(config.current)(request.headers.authorization);
    if (name === undefined) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(reply, problem(401, 'Send an admin token as Authorization: Bearer <token>.'));
    }
    request.adminActor = name;
  });
}

function registerCalendarRoutes(scope: FastifyInstance, config: LiveConfig): void {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const answerOf = perConfig((current) => ({
    calendars: current.calendars.map((calendar) => ({
      id: calendar.id,
      name: calendar.name,
      timezone: calendar.timezone,
      resources: calendar.resources.map((resource) => ({ id: resource.id, name: resource.name })),
    })),
  }));
  api.get(
    '/calendars',
    {
      schema: {
        summary: 'The calendars and their resources',
        tags: ['calendars'],
        security: [{ bearer: [] }],
        response: { 200: CalendarsAnswer, ...problemAnswers(401) },
      },
    },
    async () => answerOf(config.current),
  );
}

function noRoute(request: FastifyRequest): ProblemBody {
  return problem(404, `No route ${request.method} ${request.url.split('?', 1)[0]}.`);
}

/** Validation errors name the field at fault; everything else keeps the status the app gives it. */
function toProblem(error: FastifyError): ProblemBody {
  if (error.validation) return problem(400, error.message, fieldOf(error));
  const answer = toHttpError(error);
  return problem(answer.status, answer.message);
}

/** `limit` for `/limit`, `contact_details.name` for a missing `name` in `/contact_details`. */
function fieldOf({ validation, validationContext }: FastifyError): string | undefined {
  const first = validation?.[0];
  if (!first) return validationContext;
  const path = first.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const missing = (first.params as { requiredProperties?: string[] }).requiredProperties?.[0];
  if (first.keyword === 'required' && missing !== undefined) path.push(missing);
  return path.join('.') || validationContext;
}
