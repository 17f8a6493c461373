import { createObject, davRequest, deleteObject, type DAVResponse } from 'tsdav';
import { DEFAULT_SOURCE_MAX_BYTES } from '../config/config.defaults.js';
import { capResponse } from '../shared/capped-response.js';

/**
 * A thin CalDAV client for one calendar collection, on top of tsdav: tsdav builds the requests and
 * parses multistatus answers; this module adds Basic auth, a timeout on every request, status
 * checks, and errors that never carry the password.
 */

/** One calendar collection, e.g. `https://dav.example.com/alice/work/`. */
export interface CaldavSource {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

export interface CaldavOptions {
  /** Per request (each of them, including reading its answer); default DEFAULT_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** The most a PROPFIND or REPORT answer may hold, in bytes; default DEFAULT_SOURCE_MAX_BYTES. */
  readonly maxBytes?: number;
  /** Aborts the request early, as the timeout does. */
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** A failed CalDAV request. `status` is the HTTP status when the server answered at all. */
export class CaldavError extends Error {
  override readonly name = 'CaldavError';
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/**
 * The calendar objects (raw iCalendar, one VCALENDAR each) with a VEVENT overlapping `range`
 * (epoch ms, end exclusive), filtered by the server with a calendar-query REPORT. A recurring
 * event comes back whole, its RECURRENCE-ID overrides included; expanding it is the caller's job.
 * `tag` is the collection's ctag (or sync-token), read before the query: if the calendar changes
 * in between, the next sync sees a new tag and reads again rather than missing the change.
 */
export async function readEvents(
  source: CaldavSource,
  range: { readonly start: number; readonly end: number },
  options: CaldavOptions = {},
): Promise<{ objects: string[]; tag: string | null }> {
  const start = utcStamp(range.start, Math.floor);
  const end = utcStamp(range.end, Math.ceil);
  if (!(range.end > range.start)) throw new RangeError(`CalDAV time range ends before it starts: ${start}/${end}`);
  const connection = connect(source);
  const tag = await readTagOf(connection, options);
  const body = `<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter>
    <c:comp-filter name="VCALENDAR">
      <c:comp-filter name="VEVENT">
        <c:time-range start="${start}" end="${end}"/>
      </c:comp-filter>
    </c:comp-filter>
  </c:filter>
</c:calendar-query>`;
  const responses = await multistatus(connection, 'REPORT', body, '1', options);
  const objects: string[] = [];
  for (const response of responses) {
    if (isCollection(connection, response.href)) {
      // Some servers list the collection itself (404 when nothing matched); 507 means truncated.
      if (response.ok || response.status === 404) continue;
      throw connection.error(`REPORT answered ${response.status} for the collection`, response.status);
    }
    const data = calendarData(response.props?.['calendarData']);
    // Leaving an object out would show its time as free, so a member without data fails the read.
    if (data === undefined) {
      throw connection.error(`REPORT gave no calendar-data for ${response.href} (${response.status})`, response.status);
    }
    objects.push(data);
  }
  return { objects, tag };
}

/** The collection's ctag, else its sync-token, else null: unchanged means nothing to read. */
export async function readTag(source: CaldavSource, options: CaldavOptions = {}): Promise<string | null> {
  return readTagOf(connect(source), options);
}

/** Creates or replaces `<uid>.ics` in the collection. */
export async function putEvent(
  source: CaldavSource,
  uid: string,
  ics: string,
  options: CaldavOptions = {},
): Promise<void> {
  const connection = connect(source);
  const url = connection.objectUrl(uid);
  const response = await connection.send('PUT', url, options, (fetchOptions) =>
    createObject({
      url,
      data: ics,
      headers: { 'content-type': 'text/calendar; charset=utf-8' },
      fetchOptions,
    }),
  );
  await connection.check('PUT', url, response);
}

/** Deletes `<uid>.ics` from the collection; one that is already gone counts as deleted. */
export async function deleteEvent(source: CaldavSource, uid: string, options: CaldavOptions = {}): Promise<void> {
  const connection = connect(source);
  const url = connection.objectUrl(uid);
  const response = await connection.send('DELETE', url, options, (fetchOptions) => deleteObject({ url, fetchOptions }));
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return;
  }
  await connection.check('DELETE', url, response);
}

type Connection = ReturnType<typeof connect>;

function connect(source: CaldavSource) {
  let parsed: URL;
  try {
    parsed = new URL(source.url);
  } catch {
    throw new CaldavError('CalDAV source URL is not a valid URL');
  }
  // Credentials in the URL itself: fetch refuses such URLs (quoting them), so move them to the header.
  const username = source.username ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined);
  const password = source.password ?? (parsed.password ? decodeURIComponent(parsed.password) : '');
  parsed.username = '';
  parsed.password = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  const collection = parsed.href;
  const authorization =
    username === undefined ? undefined : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const scrub = (text: string) => (password ? text.split(password).join('***') : text);
  const error = (message: string, status?: number, cause?: unknown) =>
    new CaldavError(scrub(`CalDAV ${message} (${collection})`), status, cause === undefined ? undefined : { cause });

  /** Runs one request with the auth header and the timeout; transport failures become CaldavError. */
  const send = async <T>(
    method: string,
    url: string,
    options: CaldavOptions,
    request: (fetchOptions: RequestInit) => Promise<T>,
  ): Promise<T> => {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await request({
        headers: authorization ? { authorization } : {},
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
    } catch (cause) {
      const reason = isTimeout(cause) ? `timed out after ${timeoutMs} ms` : `failed: ${transportReason(cause)}`;
      throw new CaldavError(scrub(`CalDAV ${method} ${url} ${reason}`), undefined, { cause });
    }
  };

  /** Throws for a non-2xx answer (with the start of its body), else discards the body. */
  const check = async (method: string, url: string, response: Response): Promise<void> => {
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const detail = (await response.text().catch(() => '')).trim().slice(0, 200);
    throw new CaldavError(
      scrub(`CalDAV ${method} ${url} answered ${response.status} ${response.statusText}${detail ? `: ${detail}` : ''}`),
      response.status,
    );
  };

  const objectUrl = (uid: string) => {
    if (!uid) throw new CaldavError('CalDAV object UID is empty');
    return `${collection}${encodeURIComponent(uid)}.ics`;
  };

  return { collection, authorization, error, send, check, objectUrl };
}

async function readTagOf(connection: Connection, options: CaldavOptions): Promise<string | null> {
  const body = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop><cs:getctag/><d:sync-token/></d:prop>
</d:propfind>`;
  const responses = await multistatus(connection, 'PROPFIND', body, '0', options);
  const own = responses.find((response) => isCollection(connection, response.href)) ?? responses[0];
  if (own && !own.ok) throw connection.error(`PROPFIND answered ${own.status} for the collection`, own.status);
  for (const value of [own?.props?.['getctag'], own?.props?.['syncToken']]) {
    // tsdav turns number-like text into numbers (only when that is lossless); a tag is opaque text.
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return null;
}

/** A PROPFIND or REPORT on the collection; its multistatus responses, or CaldavError. */
async function multistatus(
  connection: Connection,
  method: 'PROPFIND' | 'REPORT',
  body: string,
  depth: '0' | '1',
  options: CaldavOptions,
): Promise<DAVResponse[]> {
  const url = connection.collection;
  const responses = await connection.send(method, url, options, (fetchOptions) =>
    davRequest({
      url,
      init: { method, headers: { depth, 'content-type': 'application/xml; charset=utf-8' }, body },
      convertIncoming: false,
      fetchOptions,
      // tsdav reads the whole answer as text before parsing it: the cap applies while it reads.
      fetch: async (input, init) => capResponse(await fetch(input, init), options.maxBytes ?? DEFAULT_SOURCE_MAX_BYTES),
    }),
  );
  // tsdav answers a non-2xx status, or a body that is not a parsable multistatus, with a single
  // response whose `raw` is the text (or the parsed non-multistatus document).
  const first = responses[0];
  const raw: unknown = first?.raw;
  const isMultistatus = typeof raw === 'object' && raw !== null && 'multistatus' in raw;
  if (!first || !isMultistatus) {
    const status = first?.status;
    const what =
      first && !first.ok ? `answered ${status} ${first.statusText}` : `answered ${status} without a multistatus`;
    throw connection.error(`${method} ${what}`, status);
  }
  // An empty multistatus comes back as one entry without an href.
  return responses.filter((response) => typeof response.href === 'string');
}

function isCollection(connection: Connection, href: string | undefined): boolean {
  if (href === undefined) return false;
  try {
    return samePath(new URL(href, connection.collection).pathname, new URL(connection.collection).pathname);
  } catch {
    return false;
  }
}

function samePath(a: string, b: string): boolean {
  const normal = (path: string) => safeDecode(path).replace(/\/+$/, '');
  return normal(a) === normal(b);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** calendar-data as tsdav leaves it: the text, or `{ _cdata }` when the server used CDATA. */
function calendarData(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'object' && value !== null && '_cdata' in value && typeof value._cdata === 'string') {
    return value._cdata;
  }
  return undefined;
}

/** `20260105T090000Z`, rounding to whole seconds outward. */
function utcStamp(ms: number, round: (x: number) => number): string {
  const date = new Date(round(ms / 1000) * 1000);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime()) || year < 0 || year > 9999) {
    throw new RangeError(`CalDAV time range bound is out of range: ${ms}`);
  }
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The useful part of a fetch failure ("fetch failed" alone says nothing): e.g. `connect ECONNREFUSED …`. */
function transportReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
