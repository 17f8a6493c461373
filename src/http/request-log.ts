import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the route adds to its request's log line: the calendar, the outcome, never the caller. */
    logFields?: Readonly<Record<string, unknown>>;
  }
}

/**
 * One line per request at info, `request completed`, written when the answer has gone: the request
 * id (`reqId`), method and path, status, time in ms, and the route's `logFields`. Fastify's own
 * `incoming request` line is at debug, for following a request that never completes.
 */
export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime, ...request.logFields };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}

/**
 * Query parameters whose values open something (the feed token, and any key, secret or signature
 * a client sends) or are personal: the API's `q` searches by names, e-mails and phone numbers.
 */
const SECRET_PARAMETER = /token|key|secret|signature|password|auth|^q$/i;

/**
 * A request as its log line shows it: method, URL and caller's address, with the values of secret
 * query parameters replaced, so that `bookings.ics?token=...` is logged as `bookings.ics?token=[redacted]`
 * and `/api/v1/bookings?q=...` as `/api/v1/bookings?q=[redacted]`.
 */
export function requestForLog(request: FastifyRequest) {
  return { method: request.method, url: redactQuery(request.url), remoteAddress: request.ip };
}

/** The URL with the path untouched and every secret parameter's value replaced. */
export function redactQuery(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return url;
  const parameters = url
    .slice(question + 1)
    .split('&')
    .map((parameter) => {
      const name = parameter.split('=', 1)[0]!;
      return SECRET_PARAMETER.test(decodedName(name)) ? `${name}=[redacted]` : parameter;
    });
  return `${url.slice(0, question + 1)}${parameters.join('&')}`;
}

/** The name as the query parser reads it (`%74oken` is `token`); a malformed escape is read as it is. */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}
