import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminToken } from '../config/config.types.js';

/**
 * Finds the admin token that an `Authorization: Bearer <token>` header carries, and answers its
 * name, or undefined. Both sides are SHA-256 hashes, so every comparison has the same length
 * whatever was sent, and every token is compared, so the time taken tells nothing about which
 * one came close.
 */
export function adminTokenMatcher(tokens: readonly AdminToken[]): (authorization?: string) => string | undefined {
  const hashed = tokens.map((token) => ({ name: token.name, hash: sha256(token.token) }));
  return (authorization) => {
    const bearer = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer === undefined) return undefined;
    const given = sha256(bearer);
    let name: string | undefined;
    for (const token of hashed) {
      if (timingSafeEqual(given, token.hash)) name = token.name;
    }
    return name;
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
