import type { FastifyRequest } from 'fastify';
import type { LiveConfig } from '../config/live-config.js';
import { isValidSignature } from '../contract/signature.js';
import { HttpError } from './http-error.js';

/**
 * The preHandler of every route telli calls: with signing keys configured, a request must carry
 * `x-telli-signature` over its raw body by one of them; without keys, requests are accepted unsigned.
 */
export function telliSignatureCheck(config: LiveConfig) {
  return async (request: FastifyRequest): Promise<void> => {
    const { signingKeys } = config.current;
    if (signingKeys.length === 0) return;
    const header = request.headers['x-telli-signature'];
    const signature = typeof header === 'string' ? header : undefined;
    if (!isValidSignature(signature, request.rawBody ?? '', signingKeys)) {
      throw new HttpError(401, 'bad_signature', 'The x-telli-signature header is missing or wrong.');
    }
  };
}
