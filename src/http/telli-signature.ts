import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { perConfig, type LiveConfig } from '../config/live-config.js';
import { signatureCheck } from '../contract/signature.js';
import { HttpError } from './http-error.js';

/**
 * The preHandler of every route telli calls: with signing keys configured, a request must carry
 * `x-telli-signature` over its raw body by one of them; without keys, requests are accepted unsigned.
 * It takes Fastify's `done` rather than being async: the check is synchronous, and an async hook
 * costs every request a promise and a turn of the microtask queue.
 */
export function telliSignatureCheck(config: LiveConfig) {
  const checkOf = perConfig((current) => signatureCheck(current.signingKeys));
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const current = config.current;
    const header = request.headers['x-telli-signature'];
    const signature = typeof header === 'string' ? header : undefined;
    if (current.signingKeys.length === 0 || checkOf(current)(signature, request.rawBody ?? '')) done();
    else done(new HttpError(401, 'bad_signature', 'The x-telli-signature header is missing or wrong.'));
  };
}
