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

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
