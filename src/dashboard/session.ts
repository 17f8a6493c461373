import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminToken } from '../config/config.types.js';
import { keyFromTokens } from '../http/admin-token.js';

export const SESSION_COOKIE = 'slotline_session';
export const SESSION_MS = 12 * 60 * 60 * 1000;

/**
 * Stateless sessions: `base64url(JSON [token name, expiry]).base64url(MAC)`, the MAC keyed from
 * that token's own value. So a session is good on every process with the same config, ends at its
 * expiry, and ends at once when its token is removed or changed, while other tokens' sessions live
 * on. Nothing is stored on the server.
 */
export interface SessionCodec {
  seal(tokenName: string, expiresAt: number): string;
  /** The token name of a session still valid at `now`, or undefined. */
  open(value: string | undefined, now: number): string | undefined;
}

export function sessionCodec(tokens: readonly AdminToken[]): SessionCodec {
  const keys = new Map(tokens.map((token) => [token.name, keyFromTokens('slotline-session', [token])]));
  const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();

  return {
    seal(tokenName, expiresAt) {
      const key = keys.get(tokenName);
      if (!key) throw new Error(`No admin token named ${tokenName}.`);
      const payload = Buffer.from(JSON.stringify([tokenName, expiresAt])).toString('base64url');
      return `${payload}.${mac(key, payload).toString('base64url')}`;
    },
    open(value, now) {
      const [payload, signature, ...rest] = (value ?? '').split('.');
      if (!payload || !signature || rest.length > 0) return undefined;
      const decoded = parseJson(Buffer.from(payload, 'base64url').toString());
      if (!Array.isArray(decoded) || decoded.length !== 2) return undefined;
      const [name, expiresAt] = decoded as unknown[];
      if (typeof name !== 'string' || typeof expiresAt !== 'number' || !(now < expiresAt)) return undefined;
      const key = keys.get(name);
      if (!key) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(key, payload);
      return given.length === expected.length && timingSafeEqual(given, expected) ? name : undefined;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether the browser reached us over HTTPS: directly, or through a proxy that says so in
 * `X-Forwarded-Proto`. The app does not set `trustProxy`, so Fastify ignores that header; it is
 * read here only to mark cookies `Secure`, which can only narrow where a browser sends them, so a
 * forged header harms nobody but the one who forged it.
 */
export function cameOverHttps(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',', 1)[0]?.trim().toLowerCase();
  return first === 'https';
}

/** A CSRF token for a form on the page being answered; its secret cookie is as `Secure` as the session's. */
export function csrfToken(reply: FastifyReply): string {
  return reply.generateCsrf({ secure: cameOverHttps(reply.request) });
}
