import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** 64 hex digits in either case, optionally after `sha256=`, with surrounding white space. */
const SIGNATURE = /^\s*(?:sha256=)?([0-9a-f]{64})\s*$/i;

/** Whether a signature header is right for a raw body. */
export type SignatureCheck = (header: string | undefined, rawBody: string) => boolean;

/**
 * telli signs with `x-telli-signature`: lowercase hex HMAC-SHA256 of the body, keyed with the API
 * key. Its sample signs `JSON.stringify(payload)`, which may differ from the bytes on the wire, so
 * the raw body is tried first and its re-serialisation second. The keys are made key objects once,
 * not converted from their text on every request.
 */
export function signatureCheck(keys: readonly string[]): SignatureCheck {
  const keyObjects = keys.map((key) => createSecretKey(key, 'utf8'));
  return (header, rawBody) => isValidSignature(header, rawBody, keyObjects);
}

function isValidSignature(header: string | undefined, rawBody: string, keys: readonly KeyObject[]): boolean {
  const given = header === undefined ? null : SIGNATURE.exec(header);
  if (given === null) return false;
  const givenBytes = Buffer.from(given[1]!, 'hex');
  const signs = (body: string) =>
    keys.some((key) => timingSafeEqual(givenBytes, createHmac('sha256', key).update(body).digest()));
  if (signs(rawBody)) return true;
  // Only a body that is not signed as sent is parsed again: telli's own requests match above.
  const reserialised = reserialise(rawBody);
  return reserialised !== undefined && reserialised !== rawBody && signs(reserialised);
}

export function sign(body: string, key: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

function reserialise(rawBody: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(rawBody));
  } catch {
    return undefined;
  }
}
