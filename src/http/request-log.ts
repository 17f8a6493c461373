import { hostname } from 'node:os';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino from 'pino';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * What the route adds to its request's log line: the calendar, the outcome, never the caller.
     * Flat values only, so no object (contact details) can ride along.
     */
    logFields?: Readonly<Record<string, string | number | boolean | undefined>>;
  }
}

/** pino's number for info, the level of every request line. */
const INFO = 30;

/** Whether a pino logger at `level` writes info lines. */
export function logsInfo(level: string): boolean {
  return (pino.levels.values[level] ?? Infinity) <= INFO;
}

/**
 * A stream of log lines. One that writes its lines in batches (serve's stdout) can also take a line
 * to be made when its batch is written: out of the request, among its batch's lines, the lines of a
 * batch are made cheaper than one at a time in each request (bench/README.md, 2026-12-01, third
 * session: about 7 % of /available's CPU a request).
 */
export interface LineStream {
  write(line: string): void;
  writeLater?(makeLine: () => string): void;
}

export interface RequestEnd {
  /** Where the request lines go (the logger's stream); absent when info is not logged. */
  readonly lines?: LineStream;
  /** What else is recorded at the end of every request: its metrics. */
  readonly completed: (request: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * The end of every request: its metrics, then one line at info, `request completed`, written when
 * the answer has gone: the request id (`reqId`), method and path, status, time in ms, and the
 * route's `logFields`. Fastify's own `incoming request` line is at debug, for following a request
 * that never completes.
 *
 * Both happen here rather than in an onResponse hook (Fastify then runs no hook chain per request),
 * and the line is written with pino's fields and order but without pino: its serializer and
 * redaction pass and its JSON writer cost /available more than the line's text does. What it holds
 * is known and flat, so one JSON.stringify of it is the line; a failed request's line still goes
 * through pino, with the error.
 */
export class RequestLog extends LogController {
  readonly #end: RequestEnd;
  /** pino's `base`: the process id and host name on every line. */
  readonly #pid = process.pid;
  readonly #hostname = hostname();

  constructor(end: RequestEnd) {
    super();
    this.#end = end;
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    this.#end.completed(request, reply);
    if (error) {
      const fields = { req: request, res: reply, responseTime: reply.elapsedTime, ...request.logFields };
      reply.log.error({ ...fields, err: error }, 'request errored');
    } else if (this.#end.lines) {
      const { lines } = this.#end;
      const makeLine = this.#line(request, reply);
      if (lines.writeLater) lines.writeLater(makeLine);
      else lines.write(makeLine());
    }
  }

  /** The request's line, its values read now (the request and reply are not kept), made when called. */
  #line(request: FastifyRequest, reply: FastifyReply): () => string {
    const time = Date.now();
    const reqId = request.id;
    const req = requestForLog(request);
    const { statusCode, elapsedTime } = reply;
    const fields = request.logFields;
    return () =>
      JSON.stringify({
        level: INFO,
        time,
        pid: this.#pid,
        hostname: this.#hostname,
        reqId,
        req,
        res: { statusCode },
        responseTime: elapsedTime,
        ...fields,
        msg: 'request completed',
      }) + '\n';
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
export function requestForLog(request: FastifyRequest): { method: string; url: string; remoteAddress?: string } {
  // Fastify types the address as always there; it is gone when the caller closed first.
  return { method: request.method, url: redactQuery(request.url), remoteAddress: request.ip as string | undefined };
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
