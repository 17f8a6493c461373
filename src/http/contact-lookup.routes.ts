import { readContactLookup } from '../contract/contact-lookup.js';
import { ContactLookupAnswer, ContactLookupBodyDoc, ErrorAnswer, UnknownContactAnswer } from './contract.schemas.js';
import { documentedOnly } from './contract.routes.js';
import { HttpError } from './http-error.js';
import type { RouteContext } from './route-context.js';
import { telliSignatureCheck } from './telli-signature.js';

/**
 * telli's Contact Lookup Webhook, signed like the calendar URLs, but never open: without signing
 * keys every caller is unknown. No body schema: a withheld or unreadable caller number is an
 * unknown caller (404 `{}`), not a bad request.
 */
export function registerContactLookupRoute({ app, config, contactLookup }: RouteContext): void {
  app.post(
    '/telli/contact-lookup',
    {
      schema: {
        response: {
          200: ContactLookupAnswer,
          404: UnknownContactAnswer,
          400: ErrorAnswer,
          401: ErrorAnswer,
          413: ErrorAnswer,
          415: ErrorAnswer,
          503: ErrorAnswer,
        },
      },
      config: documentedOnly("Who is calling: the contact of the phone number's last booking", ContactLookupBodyDoc),
      preHandler: telliSignatureCheck(config),
    },
    async (request, reply) => {
      // Names and appointments behind phone numbers are for telli alone: unsigned, nobody is known.
      if (config.current.signingKeys.length === 0) {
        request.outcome = 'unsigned';
        request.log.warn('contact lookup answered 404: it needs signing_keys');
        return reply.code(404).send({});
      }
      const read = readContactLookup(request.body);
      if (!read.ok) throw new HttpError(400, 'bad_request', read.problem);
      const contact = read.phoneNumber === undefined ? undefined : await contactLookup.lookup(read.phoneNumber);
      request.outcome = contact ? 'found' : 'unknown';
      // Who called stays out of the log: only whether they were known.
      request.logFields = { found: contact !== undefined, upcoming: contact?.properties.upcoming_appointments };
      return contact ? { contact } : reply.code(404).send({});
    },
  );
}
