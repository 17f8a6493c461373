import type { FastifyRequest } from 'fastify';

/**
 * Query parameters whose values open something (the feed token, and any key, secret or signature
 * a client sends) or are personal: the API's `q` searches by names, e-mails and phone numbers.
 */
const SECRET_PARAMETER = /token|key|secret|signature|password|auth|^q$/i;

/**
 * A request as its log line shows it: Fastify's default fields, with the values of secret query
 * parameters replaced, so that `bookings.ics?token=...` is logged as `bookings.ics?token=[redacted]`
 * and `/api/v1/bookings?q=...` as `/api/v1/bookings?q=[redacted]`.
 */
export function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactQuery(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
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
