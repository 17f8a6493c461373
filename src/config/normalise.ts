import { createHash } from 'node:crypto';
import { getCountry, getCountryForTimezone } from 'countries-and-timezones';
import { IANAZone } from 'luxon';
import { fail, formatPath, type Path } from './config-error.js';
import {
  DEFAULT_ASSIGNMENT,
  DEFAULT_DATABASE,
  DEFAULT_HORIZON,
  DEFAULT_HOST,
  DEFAULT_LANGUAGE,
  DEFAULT_MAX_SLOTS,
  DEFAULT_ON_REBOOK,
  DEFAULT_ON_STALE,
  DEFAULT_POOL,
  DEFAULT_PORT,
  DEFAULT_SOURCE_MAX_BYTES,
  DEFAULT_SYNC_EVERY,
} from './config.defaults.js';
import type { RawAdmin, RawCalendar, RawConfig, RawResource, RawSource } from './config.schema.js';
import type {
  AdminToken,
  CalendarConfig,
  Config,
  PoolSettings,
  ResourceConfig,
  Schedule,
  SourceConfig,
} from './config.types.js';
import { parseDuration } from './duration.js';
import { normaliseEmail, readAddress } from './email.js';
import { parseOverrides, parseWeekly } from './hours.js';
import { parseSize } from './size.js';
import { normaliseWebhooks } from './webhooks.js';

/** Semantic checks on a structurally valid config, and defaults filled in: the `Config` the code uses. */

const MAX_HORIZON = 730 * 86_400_000;

export function normaliseConfig(raw: RawConfig): Config {
  assertUniqueIds(raw.calendars, ['calendars']);
  return {
    port: raw.port ?? DEFAULT_PORT,
    host: raw.host ?? DEFAULT_HOST,
    database: raw.database ?? DEFAULT_DATABASE,
    databasePool: normalisePool(raw.database_pool ?? {}, ['database_pool']),
    // `${TELLI_API_KEY:-}` expands to '' when unset: that means "no key", not an empty key.
    signingKeys: (raw.signing_keys ?? []).filter((key): key is string => key !== null && key !== ''),
    // Empty, like an unset `${METRICS_TOKEN:-}`, means no token.
    metricsToken: raw.metrics_token || undefined,
    admin: raw.admin && { tokens: normaliseAdminTokens(raw.admin, ['admin', 'tokens']) },
    email: raw.email && normaliseEmail(raw.email, ['email']),
    calendars: raw.calendars.map((calendar, index) => normaliseCalendar(calendar, ['calendars', index])),
    webhooks: normaliseWebhooks(raw.webhooks ?? [], raw.calendars, ['webhooks']),
  };
}

/** Long enough that guessing one over the network is hopeless. */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

/** The actor name of changes that come through telli's `/book`; no token may pretend to be telli. */
export const TELLI_ACTOR = 'telli';

function normaliseAdminTokens(raw: RawAdmin, listPath: Path): AdminToken[] {
  const firstIndex = new Map<string, number>();
  return raw.tokens.map(({ name, token }, index) => {
    const path = [...listPath, index];
    if (name === TELLI_ACTOR) fail([...path, 'name'], `"${TELLI_ACTOR}" is reserved for bookings made by telli`);
    const first = firstIndex.get(name);
    if (first !== undefined) {
      fail([...path, 'name'], `"${name}" is already the name of ${formatPath([...listPath, first])}`);
    }
    firstIndex.set(name, index);
    // The length only, never the token: this message may end up in a log.
    if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
      fail([...path, 'token'], `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters, it has ${token.length}`);
    }
    return { name, token };
  });
}

function normalisePool(raw: NonNullable<RawConfig['database_pool']>, path: Path): PoolSettings {
  return {
    max: raw.max ?? DEFAULT_POOL.max,
    connectTimeout: readPositiveDuration(
      [...path, 'connect_timeout'],
      raw.connect_timeout,
      DEFAULT_POOL.connectTimeout,
    ),
    statementTimeout: readPositiveDuration(
      [...path, 'statement_timeout'],
      raw.statement_timeout,
      DEFAULT_POOL.statementTimeout,
    ),
    idleTimeout: readPositiveDuration([...path, 'idle_timeout'], raw.idle_timeout, DEFAULT_POOL.idleTimeout),
  };
}

function assertUniqueIds(items: readonly { id: string }[], listPath: Path): void {
  const firstIndex = new Map<string, number>();
  items.forEach(({ id }, index) => {
    const first = firstIndex.get(id);
    if (first !== undefined) {
      fail([...listPath, index, 'id'], `"${id}" is already the id of ${formatPath([...listPath, first])}`);
    }
    firstIndex.set(id, index);
  });
}

function normaliseCalendar(raw: RawCalendar, path: Path): CalendarConfig {
  if (!IANAZone.isValidZone(raw.timezone)) {
    fail([...path, 'timezone'], `"${raw.timezone}" is not an IANA time zone such as Europe/Berlin`);
  }
  const duration = readPositiveDuration([...path, 'duration'], raw.duration);
  const horizon = readPositiveDuration([...path, 'horizon'], raw.horizon, DEFAULT_HORIZON);
  if (horizon > MAX_HORIZON) fail([...path, 'horizon'], 'must be at most 730d');
  const bufferBefore = readDuration([...path, 'buffer_before'], raw.buffer_before);
  const bufferAfter = readDuration([...path, 'buffer_after'], raw.buffer_after);
  const name = raw.name ?? raw.id;
  const schedule: Schedule = {
    weekly: parseWeekly([...path, 'hours'], raw.hours),
    overrides: parseOverrides([...path, 'overrides'], raw.overrides ?? {}),
  };
  return {
    id: raw.id,
    name,
    timezone: raw.timezone,
    language: raw.language ?? DEFAULT_LANGUAGE,
    country: readCountry([...path, 'country'], raw.country, raw.timezone),
    duration,
    // Starts as far apart as a booking blocks, so that a booking never costs the next offered start.
    interval: readPositiveDuration([...path, 'interval'], raw.interval, bufferBefore + duration + bufferAfter),
    bufferBefore,
    bufferAfter,
    minNotice: readDuration([...path, 'min_notice'], raw.min_notice),
    horizon,
    maxSlots: raw.max_slots ?? DEFAULT_MAX_SLOTS,
    maxPerDay: raw.max_per_day ?? Infinity,
    onRebook: raw.on_rebook ?? DEFAULT_ON_REBOOK,
    booking: raw.booking ?? true,
    assignment: raw.assignment ?? DEFAULT_ASSIGNMENT,
    feedToken: raw.feed_token || undefined,
    eventDetails: raw.event_details ?? [],
    resources: normaliseResources(raw, path, name, schedule),
  };
}

function normaliseResources(raw: RawCalendar, path: Path, name: string, schedule: Schedule): ResourceConfig[] {
  if (!raw.resources)
    return [{ id: raw.id, name, schedule, sources: [], syncEvery: DEFAULT_SYNC_EVERY, onStale: DEFAULT_ON_STALE }];
  const listPath = [...path, 'resources'];
  assertUniqueIds(raw.resources, listPath);
  return raw.resources.map((resource, index) => normaliseResource(raw.id, resource, [...listPath, index], schedule));
}

function normaliseResource(calendarId: string, raw: RawResource, path: Path, calendar: Schedule): ResourceConfig {
  const common = {
    id: raw.id,
    name: raw.name ?? raw.id,
    sources: (raw.sources ?? []).map((source, index) =>
      normaliseSource(`${calendarId}/${raw.id}`, source, [...path, 'sources', index]),
    ),
    syncEvery: readPositiveDuration([...path, 'sync_every'], raw.sync_every, DEFAULT_SYNC_EVERY),
    onStale: raw.on_stale ?? DEFAULT_ON_STALE,
    email: readAddress([...path, 'email'], raw.email),
  };
  // Resources on the calendar's hours share its schedule object, so the engine computes its days once.
  if (!raw.hours && !raw.overrides) return { ...common, schedule: calendar };
  const own = parseOverrides([...path, 'overrides'], raw.overrides ?? {});
  return {
    ...common,
    schedule: {
      weekly: raw.hours ? parseWeekly([...path, 'hours'], raw.hours) : calendar.weekly,
      // Later entries win, so the resource's override replaces the calendar's for the same date.
      overrides: new Map([...calendar.overrides, ...own]),
    },
  };
}

function normaliseSource(owner: string, raw: RawSource, path: Path): SourceConfig {
  if (!URL.canParse(raw.url) || !/^https?:$/.test(new URL(raw.url).protocol)) {
    fail([...path, 'url'], 'must be an http:// or https:// URL');
  }
  if (raw.type === 'ics' && raw.write_bookings)
    fail([...path, 'write_bookings'], 'only a caldav source takes bookings');
  return {
    id: `${owner}/${createHash('sha256').update(`${raw.type} ${raw.url}`).digest('hex').slice(0, 12)}`,
    type: raw.type,
    url: raw.url,
    username: raw.username,
    password: raw.password,
    writeBookings: raw.write_bookings ?? false,
    maxBytes: readSize([...path, 'max_size'], raw.max_size, DEFAULT_SOURCE_MAX_BYTES),
  };
}

/** An ISO 3166-1 alpha-2 code in capitals; by default the country of the time zone, if it has one. */
function readCountry(path: Path, raw: string | undefined, timezone: string): string | undefined {
  if (raw === undefined) return getCountryForTimezone(timezone)?.id;
  const code = raw.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || !getCountry(code)) {
    fail(path, `${JSON.stringify(raw)} is not an ISO 3166-1 alpha-2 country code such as DE`);
  }
  return code;
}

/** A positive size in bytes; `fallback` when the key is absent. */
function readSize(path: Path, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const bytes = parseSize(raw);
  if (bytes === undefined || bytes <= 0) fail(path, `${JSON.stringify(raw)} is not a size such as 512KB or 10MB`);
  return bytes;
}

/** A non-negative duration in ms; `fallbackMs` when the key is absent. */
function readDuration(path: Path, raw: number | string | undefined, fallbackMs = 0): number {
  if (raw === undefined) return fallbackMs;
  const ms = parseDuration(raw);
  if (ms === undefined) fail(path, `${JSON.stringify(raw)} is not a duration such as 90s, 30m, 2h or 14d`);
  return ms;
}

function readPositiveDuration(path: Path, raw: number | string | undefined, fallbackMs = 0): number {
  const ms = readDuration(path, raw, fallbackMs);
  if (ms <= 0) fail(path, 'must be more than 0');
  return ms;
}
