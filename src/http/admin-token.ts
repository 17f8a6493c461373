import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminToken } from '../config/config.types.js';

/**
 * Finds the admin token that an `Authorization: Bearer <token>` header carries, and answers its
 * name, or undefined. Both sides are SHA-256 hashes, so every comparison has the same length
 * whatever was sent, and every token is compared, so the time taken tells nothing about which
 * one came close.
 */
export function adminTokenMatcher(tokens: readonly AdminToken[]): (authorization?: string) => string | undefined {
  const tokenName = adminTokenFinder(tokens);
  return (authorization) => {
    const bearer = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
    return bearer === undefined ? undefined : tokenName(bearer);
  };
}

/** The name of the admin token `given` is, or undefined; in constant time, as above. */
export function adminTokenFinder(tokens: readonly AdminToken[]): (given: string) => string | undefined {
  const hashed = tokens.map((token) => ({ name: token.name, hash: sha256(token.token) }));
  return (given) => {
    const hash = sha256(given);
    let name: string | undefined;
    for (const token of hashed) {
      if (timingSafeEqual(hash, token.hash)) name = token.name;
    }
    return name;
  };
}

/**
 * A secret key for one `purpose` (cursor MACs, session MACs, cookie signing), derived from the
 * admin tokens' values: every process with the same tokens derives the same key, in whatever order
 * the config lists them, and changing a token changes it. Each purpose gets its own key.
 */
export function keyFromTokens(purpose: string, tokens: readonly AdminToken[]): Buffer {
  return sha256([purpose, ...tokens.map((token) => token.token).sort()].join('\u0000'));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
