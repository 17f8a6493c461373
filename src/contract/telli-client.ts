import { sign } from './signature.js';

/**
 * Sends a request as telli does: POST, `application/json`, and with a key the `x-telli-signature`
 * header, the hex HMAC-SHA256 of the body. The checker, the simulator and the HTTP tests all send
 * through here.
 */
export interface TelliPostOptions {
  /** Signs the body with this key; unsigned without it. */
  readonly key?: string;
  /** Gives up after this long; waits as long as it takes without it. */
  readonly timeoutMs?: number;
  /** Sent besides, and over, the usual headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An answer with its body, or why there was none; `ms` until the body was read or the attempt ended. */
export type TelliExchange =
  | { readonly answered: true; readonly status: number; readonly text: string; readonly ms: number }
  | {
      readonly answered: false;
      readonly failure: 'timeout' | 'network';
      /** For people: "no answer within 10 s", ECONNREFUSED, ... */
      readonly reason: string;
      readonly ms: number;
    };

export async function telliPost(url: string, body: string, options: TelliPostOptions = {}): Promise<TelliExchange> {
  const { key, timeoutMs } = options;
  const headers = {
    'content-type': 'application/json',
    ...(key === undefined ? {} : { 'x-telli-signature': sign(body, key) }),
    ...options.headers,
  };
  const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal });
    const text = await response.text();
    return { answered: true, status: response.status, text, ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof Error && error.name === 'TimeoutError') {
      return { answered: false, failure: 'timeout', reason: `no answer within ${timeoutMs! / 1000} s`, ms };
    }
    return { answered: false, failure: 'network', reason: networkReason(error), ms };
  }
}

/** An answer's body as JSON, or that it is none. */
export function readJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch only says "fetch failed"; the network error (ECONNREFUSED, ENOTFOUND, ...) is its cause.
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}
