import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AdminToken, Config } from '../config/config.types.js';
import { perConfig } from '../config/live-config.js';
import { keyFromTokens } from './admin-token.js';

/**
 * Opaque, tamper-evident page cursors: `base64url(JSON [...position, filters hash]).base64url(MAC)`.
 * The MAC key is derived from the admin tokens, so every process with the same config reads the
 * others' cursors, and changing the tokens only makes old cursors a 400. The hash of the filters
 * binds a cursor to the query that made it: replayed on another query it is refused, not misread.
 */
export interface CursorCodec {
  seal(position: readonly (string | number)[], filters: unknown): string;
  /** The position sealed with these filters, or undefined for a cursor altered or made for other filters. */
  open(cursor: string, filters: unknown): unknown[] | undefined;
}

/** The cursor codec of a config's admin tokens, made again only when a reload replaced the config. */
export const cursorCodecOf = perConfig((config: Config) => cursorCodec(config.admin?.tokens ?? []));

function cursorCodec(tokens: readonly AdminToken[]): CursorCodec {
  const key = keyFromTokens('slotline-cursor', tokens);
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, 16);
  const filtersHash = (filters: unknown) =>
    createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);

  return {
    seal: (position, filters) => {
      const payload = Buffer.from(JSON.stringify([...position, filtersHash(filters)])).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    open: (cursor, filters) => {
      const [payload, signature, ...rest] = cursor.split('.');
      if (payload === undefined || signature === undefined || rest.length > 0) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const decoded: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString());
      if (!Array.isArray(decoded) || decoded.at(-1) !== filtersHash(filters)) return undefined;
      return decoded.slice(0, -1);
    },
  };
}
