import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import type { BookingOutcome } from '../booking/booking.service.js';
import type { CalendarConfig } from '../config/config.types.js';
import { MAX_NESTING, nestsTooDeep } from '../contract/book-request.js';
import { formatInstant } from '../contract/timestamp.js';
import type { Interval } from '../engine/interval.js';
import type { TSchema } from 'typebox';
import {
  AvailableAnswer,
  AvailableBodyDoc,
  BookAnswer,
  BookBodyDoc,
  CalendarParams,
  ErrorAnswer,
} from './contract.schemas.js';
import { HttpError } from './http-error.js';
import { slotCounts } from './metrics.js';
import type { RouteContext } from './route-context.js';
import { telliSignatureCheck } from './telli-signature.js';

const ERRORS = {
  400: ErrorAnswer,
  401: ErrorAnswer,
  404: ErrorAnswer,
  413: ErrorAnswer,
  415: ErrorAnswer,
  503: ErrorAnswer,
};

/** telli's two URLs, for the first calendar and for each calendar by id. */
export function registerContractRoutes({ app, config, availability, booking, metrics, now }: RouteContext): void {
  const calendarOf = (request: FastifyRequest): CalendarConfig => {
    const id = (request.params as { calendarId?: string }).calendarId;
    if (id === undefined) return config.current.calendars[0]!;
    const calendar = config.calendar(id);
    if (!calendar) throw new HttpError(404, 'unknown_calendar', `There is no calendar "${id}".`);
    return calendar;
  };

  const verifySignature = telliSignatureCheck(config);
  const recordSlots = slotCounts(metrics);

  for (const prefix of ['', '/calendars/:calendarId']) {
    const params = prefix ? { params: CalendarParams } : {};

    app.post(
      `${prefix}/available`,
      {
        schema: { ...params, response: { 200: AvailableAnswer, ...ERRORS } },
        config: documentedOnly('Free slots of the calendar', AvailableBodyDoc),
        preHandler: verifySignature,
      },
      async (request, reply) => {
        const calendar = calendarOf(request);
        checkAvailableBody(request.body);
        const slots = await availability.slots(calendar, now());
        request.logFields = { calendar: calendar.id, slots: slots.length };
        recordSlots(calendar.id, slots.length);
        return reply.type('application/json; charset=utf-8').send(wireAnswer(slots));
      },
    );

    // No body schema: the contract answers any body, however wrong, with `200 failed` and a reason
    // the voice agent can say; a schema would turn a bad body into a 400.
    app.post(
      `${prefix}/book`,
      {
        schema: { ...params, response: { 200: BookAnswer, ...ERRORS } },
        config: documentedOnly('Book a slot; a booking that cannot be made is 200 failed', BookBodyDoc),
        preHandler: verifySignature,
      },
      async (request) => {
        const calendar = calendarOf(request);
        const { start, outcome } = await booking.book(calendar, request.body);
        request.logFields = bookingLogFields(calendar, start, outcome);
        request.outcome = outcome.kind;
        metrics.bookings.inc({ calendar: calendar.id, outcome: outcome.kind });
        return outcome.status === 'success'
          ? { status: 'success' as const }
          : { status: 'failed' as const, reason: outcome.reason };
      },
    );
  }
}

/**
 * Puts a summary, the body and the signature into the OpenAPI document, and nothing into the route:
 * a body schema there would validate, and change the contract's answers and cost.
 */
export function documentedOnly(summary: string, body: TSchema): FastifyContextConfig {
  // Signed when signing keys are configured, else open: the empty requirement says "or nothing".
  const security: Record<string, string[]>[] = [{ telliSignature: [] }, {}];
  return {
    swaggerTransform: ({ schema, url }) => ({
      schema: { ...schema, summary, tags: ['telli'], body, security },
      url,
    }),
  };
}

// Availability hands out the same slots array while its answer holds: serialise each array once,
// into bytes (Fastify sends a Buffer as it is, with its length: no encoding or byte count per answer).
const wireAnswers = new WeakMap<readonly Interval[], Buffer>();

function wireAnswer(slots: readonly Interval[]): Buffer {
  let answer = wireAnswers.get(slots);
  if (answer === undefined) {
    const available = slots.map((slot) => ({ start_iso: formatInstant(slot.start), end_iso: formatInstant(slot.end) }));
    answer = Buffer.from(JSON.stringify({ available }));
    wireAnswers.set(slots, answer);
  }
  return answer;
}

/** What an operator needs to follow a call; who the caller is stays out of the log. */
function bookingLogFields(calendar: CalendarConfig, start: number | undefined, outcome: BookingOutcome) {
  return {
    calendar: calendar.id,
    outcome: outcome.kind,
    resource: outcome.status === 'success' ? outcome.resourceId : undefined,
    start: start === undefined ? undefined : formatInstant(start),
    reason: outcome.status === 'failed' ? outcome.code : undefined,
  };
}

/** /available reads nothing from its body, but a body that is there must be a JSON object of sane depth. */
function checkAvailableBody(body: unknown): void {
  if (body !== undefined && !isObject(body)) {
    throw new HttpError(400, 'not_an_object', 'The body must be a JSON object.');
  }
  if (nestsTooDeep(body)) {
    throw new HttpError(400, 'nested_too_deep', `The body nests objects or arrays deeper than ${MAX_NESTING} levels.`);
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
