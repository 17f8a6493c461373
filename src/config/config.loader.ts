/**
 * Loads slotline.yaml into a validated, normalised, deeply frozen `Config`.
 *
 * Pipeline: YAML → `${VAR}` expansion on string scalars → coercion of strings
 * where the schema wants a number or boolean → TypeBox structure check →
 * semantic checks and normalisation. The first problem found is thrown as a
 * ConfigError naming its key path, e.g. `calendars[0].hours.mon[1]: ...`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DateTime, IANAZone } from 'luxon';
import { LineCounter, parseDocument } from 'yaml';
import type { TSchema } from 'typebox';
import type { TLocalizedValidationError } from 'typebox/error';
import { Value } from 'typebox/value';
import type {
  CalendarConfig,
  Config,
  PoolSettings,
  ResourceConfig,
  Schedule,
  SourceConfig,
  WallRange,
  Weekday,
} from './config.types.js';
import {
  RawConfigSchema,
  type RawCalendar,
  type RawConfig,
  type RawRanges,
  type RawResource,
  type RawSource,
} from './config.schema.js';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Where the problem is, e.g. `calendars[0].hours.mon[1]`; a line and column for YAML syntax errors. */
    readonly keyPath: string,
    readonly reason: string,
  ) {
    super(`${keyPath}: ${reason}`);
  }
}

/** Reads and loads a config file; `env` supplies `${VAR}` values. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // Reported like any other config problem, so callers need to handle one error type only.
    throw new ConfigError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseConfig(text, env);
}

/** Loads config from YAML text; `env` supplies `${VAR}` values. */
export function parseConfig(yamlText: string, env: NodeJS.ProcessEnv = process.env): Config {
  const expanded = expandEnv(parseYaml(yamlText), env, []);
  const raw = validate(coerceScalars(RawConfigSchema, expanded));
  return deepFreeze(normaliseConfig(raw));
}

/** A setting that is valid but probably not meant; the config loads, and the commands show it. */
export interface ConfigWarning {
  readonly keyPath: string;
  readonly message: string;
}

/** What `validate-config` and `serve` warn about in a loaded config. */
export function configWarnings(config: Config): ConfigWarning[] {
  const minutes = (ms: number) => `${ms / 60_000} min`;
  return config.calendars.flatMap((calendar, index) => {
    const blocked = calendar.bufferBefore + calendar.duration + calendar.bufferAfter;
    if (calendar.interval >= blocked) return [];
    return {
      keyPath: formatPath(['calendars', index, 'interval']),
      message:
        `${minutes(calendar.interval)} is shorter than duration + buffer_before + buffer_after ` +
        `(${minutes(blocked)}): a booking also takes the next offered start on its resource`,
    };
  });
}

// ---------------------------------------------------------------------------
// Key paths

type Path = readonly (string | number)[];

/** `['calendars', 0, 'hours', 'mon']` → `calendars[0].hours.mon`; odd keys are quoted so that spaces show. */
function formatPath(path: Path): string {
  const text = path
    .map((segment) => {
      if (typeof segment === 'number') return `[${segment}]`;
      return /^[\w-]+$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
    })
    .join('');
  return text.replace(/^\./, '') || '(root)';
}

function fail(path: Path, reason: string): never {
  throw new ConfigError(formatPath(path), reason);
}

// ---------------------------------------------------------------------------
// YAML and environment variables

function parseYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  // The core (YAML 1.2) schema keeps unquoted dates such as 2026-12-24 as strings,
  // even in a file that declares `%YAML 1.1`, so override keys are always strings.
  const doc = parseDocument(text, { schema: 'core', prettyErrors: false, lineCounter });
  const [error] = doc.errors;
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new ConfigError(`line ${line}, column ${col}`, error.message);
  }
  return doc.toJS();
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rebuilds a YAML value with every string passed through `expandString`; keys are left alone. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: Path): unknown {
  if (typeof value === 'string') return expandString(value, env, path);
  if (Array.isArray(value)) return value.map((item, index) => expandEnv(item, env, [...path, index]));
  if (isMapping(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandEnv(item, env, [...path, key])]));
  }
  return value;
}

/** Any `${`, up to the next `}`; the closing brace is captured separately to detect a missing one. */
const REFERENCE = /\$\{([^}]*)(\}?)/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

function expandString(text: string, env: NodeJS.ProcessEnv, path: Path): string {
  return text.replace(REFERENCE, (reference: string, inner: string, close: string) => {
    // A malformed reference is an error rather than literal text: `${PORT:3000}` is surely a typo.
    const match = close ? NAME_AND_DEFAULT.exec(inner) : null;
    if (!match) fail(path, `${reference} is not \${VAR} or \${VAR:-default}`);
    const name = match[1] as string;
    const fallback = match[2];
    const value = env[name];
    // As in the shell, `:-` also replaces a variable that is set but empty.
    if (fallback !== undefined) return value || fallback;
    if (value === undefined) fail(path, `environment variable ${name} is not set`);
    return value;
  });
}

// ---------------------------------------------------------------------------
// Coercion and structure

/** The parts of a JSON schema that coercion follows. */
interface SchemaNode {
  readonly type?: unknown;
  readonly properties?: Readonly<Record<string, TSchema>>;
  readonly patternProperties?: Readonly<Record<string, TSchema>>;
  readonly items?: TSchema;
}

const NUMBER_TEXT = /^-?\d+(?:\.\d+)?$/;

/**
 * Turns strings into numbers or booleans where the schema wants one, so that
 * `port: ${PORT:-3000}` works. Deliberately stricter than TypeBox's
 * Value.Convert, which would turn '' into 0 and '3.5' into the integer 3.
 * Unions are not descended: every union in the schema accepts strings.
 */
function coerceScalars(type: TSchema, value: unknown): unknown {
  const schema: SchemaNode = type;
  if (Array.isArray(value)) {
    const { items } = schema;
    return items ? value.map((item) => coerceScalars(items, item)) : value;
  }
  if (isMapping(value)) {
    // A Record's values all share the schema of its single pattern.
    const shared = Object.values(schema.patternProperties ?? {})[0];
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const itemSchema = schema.properties?.[key] ?? shared;
        return [key, itemSchema ? coerceScalars(itemSchema, item) : item];
      }),
    );
  }
  if (typeof value !== 'string') return value;
  if ((schema.type === 'integer' || schema.type === 'number') && NUMBER_TEXT.test(value)) {
    return Number(value);
  }
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function validate(value: unknown): RawConfig {
  if (Value.Check(RawConfigSchema, value)) return value;
  const errors = Value.Errors(RawConfigSchema, value);
  // A failed union lists each branch's complaint before its own; the union's own error is the useful one.
  const error = errors.find((candidate) => !candidate.schemaPath.includes('/anyOf/')) ?? errors[0];
  if (!error) throw new Error('TypeBox rejected the config without reporting an error');
  throw schemaError(value, error);
}

/** Names a JSON type the way a YAML author thinks of it. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

/** Our own wording for TypeBox errors; TypeBox's messages are set globally, which would affect other modules. */
function schemaError(root: unknown, error: TLocalizedValidationError): ConfigError {
  const path = pointerToPath(root, error.instancePath);
  const at = (where: Path, reason: string) => new ConfigError(formatPath(where), reason);
  switch (error.keyword) {
    case 'boolean': // `additionalProperties: false` reports each unknown key as a failed `false` schema
      return at(path, 'unknown key');
    case 'additionalProperties':
      return at([...path, error.params.additionalProperties[0] ?? ''], 'unknown key');
    case 'required':
      return at([...path, error.params.requiredProperties[0] ?? ''], 'required');
    case 'type': {
      const types = [error.params.type].flat().map((type) => TYPE_NAMES[type] ?? type);
      return at(path, `must be ${types.join(' or ')}`);
    }
    case 'anyOf': {
      const schema = Value.Pointer.Get(RawConfigSchema, error.schemaPath.replace(/^#/, ''));
      return at(path, `must be ${(schema as { description?: string }).description ?? 'valid'}`);
    }
    case 'enum':
      return at(path, `must be one of ${error.params.allowedValues.join(', ')}`);
    case 'minItems':
    case 'minLength':
      return at(path, error.params.limit === 1 ? 'must not be empty' : error.message);
    case 'minimum':
      return at(path, `must be at least ${error.params.limit}`);
    case 'maximum':
      return at(path, `must be at most ${error.params.limit}`);
    case 'pattern':
      return at(
        path,
        `${JSON.stringify(Value.Pointer.Get(root, error.instancePath))} must match ${error.params.pattern}`,
      );
    default:
      return at(path, error.message);
  }
}

/** Turns a JSON pointer into a key path, telling list indices from keys by looking at the value. */
function pointerToPath(root: unknown, pointer: string): Path {
  const path: (string | number)[] = [];
  let node = root;
  for (const segment of Value.Pointer.Indices(pointer)) {
    path.push(Array.isArray(node) ? Number(segment) : segment);
    node = isMapping(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

// ---------------------------------------------------------------------------
// Normalisation

const DEFAULT_DATABASE = 'sqlite:./data/slotline.db';
const DAY_MS = 86_400_000;
const DEFAULT_HORIZON = 14 * DAY_MS;
const MAX_HORIZON = 730 * DAY_MS;

function normaliseConfig(raw: RawConfig): Config {
  assertUniqueIds(raw.calendars, ['calendars']);
  return {
    port: raw.port ?? 3000,
    host: raw.host ?? '0.0.0.0',
    database: raw.database ?? DEFAULT_DATABASE,
    databasePool: normalisePool(raw.database_pool ?? {}, ['database_pool']),
    // `${TELLI_API_KEY:-}` expands to '' when unset: that means "no key", not an empty key.
    signingKeys: (raw.signing_keys ?? []).filter((key): key is string => key !== null && key !== ''),
    // Empty, like an unset `${METRICS_TOKEN:-}`, means no token.
    metricsToken: raw.metrics_token || undefined,
    calendars: raw.calendars.map((calendar, index) => normaliseCalendar(calendar, ['calendars', index])),
  };
}

function normalisePool(raw: NonNullable<RawConfig['database_pool']>, path: Path): PoolSettings {
  return {
    max: raw.max ?? 10,
    connectTimeout: readPositiveDuration([...path, 'connect_timeout'], raw.connect_timeout, 5_000),
    statementTimeout: readPositiveDuration([...path, 'statement_timeout'], raw.statement_timeout, 5_000),
    idleTimeout: readPositiveDuration([...path, 'idle_timeout'], raw.idle_timeout, 30_000),
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
    language: raw.language ?? 'en',
    duration,
    // Starts as far apart as a booking blocks, so that a booking never costs the next offered start.
    interval: readPositiveDuration([...path, 'interval'], raw.interval, bufferBefore + duration + bufferAfter),
    bufferBefore,
    bufferAfter,
    minNotice: readDuration([...path, 'min_notice'], raw.min_notice),
    horizon,
    maxSlots: raw.max_slots ?? 40,
    maxPerDay: raw.max_per_day ?? Infinity,
    onRebook: raw.on_rebook ?? 'replace',
    booking: raw.booking ?? true,
    assignment: raw.assignment ?? 'round_robin',
    feedToken: raw.feed_token || undefined,
    eventDetails: raw.event_details ?? [],
    resources: normaliseResources(raw, path, name, schedule),
  };
}

function normaliseResources(raw: RawCalendar, path: Path, name: string, schedule: Schedule): ResourceConfig[] {
  if (!raw.resources) return [{ id: raw.id, name, schedule, sources: [], syncEvery: DEFAULT_SYNC, onStale: 'keep' }];
  const listPath = [...path, 'resources'];
  assertUniqueIds(raw.resources, listPath);
  return raw.resources.map((resource, index) => normaliseResource(raw.id, resource, [...listPath, index], schedule));
}

const DEFAULT_SYNC = 5 * 60_000;
/** Far above any real calendar's feed, far below what would strain memory. */
const DEFAULT_SOURCE_MAX_BYTES = 10 * 1_048_576;

function normaliseResource(calendarId: string, raw: RawResource, path: Path, calendar: Schedule): ResourceConfig {
  const common = {
    id: raw.id,
    name: raw.name ?? raw.id,
    sources: (raw.sources ?? []).map((source, index) =>
      normaliseSource(`${calendarId}/${raw.id}`, source, [...path, 'sources', index]),
    ),
    syncEvery: readPositiveDuration([...path, 'sync_every'], raw.sync_every, DEFAULT_SYNC),
    onStale: raw.on_stale ?? 'keep',
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

// ---------------------------------------------------------------------------
// Hours and overrides

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Every weekday present, unmentioned ones closed; a weekday may be given by one key only. */
function parseWeekly(path: Path, raw: RawRanges): Record<Weekday, readonly WallRange[]> {
  const weekly: Record<Weekday, readonly WallRange[]> = {
    mon: [],
    tue: [],
    wed: [],
    thu: [],
    fri: [],
    sat: [],
    sun: [],
  };
  const givenBy = new Map<Weekday, string>();
  for (const [key, list] of Object.entries(raw)) {
    const keyPath = [...path, key];
    const days = parseDayKey(keyPath, key);
    const ranges = parseRanges(keyPath, list);
    for (const day of days) {
      const earlier = givenBy.get(day);
      if (earlier !== undefined) fail(keyPath, `${day} is already given by ${earlier}`);
      givenBy.set(day, key);
      weekly[day] = ranges;
    }
  }
  return weekly;
}

/** `mon` → [mon]; `mon-fri` → [mon … fri]; a range may wrap around the week end: `fri-mon` → [fri, sat, sun, mon]. */
function parseDayKey(path: Path, key: string): Weekday[] {
  const [first, last = first, ...rest] = key.split('-');
  const start = WEEKDAYS.indexOf(first as Weekday);
  const end = WEEKDAYS.indexOf(last as Weekday);
  if (rest.length > 0 || start < 0 || end < 0) fail(path, 'not a weekday (mon..sun) or weekday range such as mon-fri');
  // `mon-mon` could mean one day or the whole week; make the author say which.
  if (last !== first && start === end) fail(path, 'a weekday range needs two different days');
  const length = ((end - start + 7) % 7) + 1;
  return Array.from({ length }, (_, offset) => WEEKDAYS[(start + offset) % 7] as Weekday);
}

const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

function parseOverrides(path: Path, raw: RawRanges): Map<string, readonly WallRange[]> {
  const overrides = new Map<string, readonly WallRange[]>();
  for (const [date, list] of Object.entries(raw)) {
    const datePath = [...path, date];
    if (!DATE_KEY.test(date) || !DateTime.fromISO(date).isValid) {
      fail(datePath, 'not a real date of the form YYYY-MM-DD');
    }
    overrides.set(date, parseRanges(datePath, list));
  }
  return overrides;
}

/** Parses one day's ranges and returns them sorted by start; overlapping ranges are an error. */
function parseRanges(path: Path, texts: readonly string[]): WallRange[] {
  const ranges = texts.map((text, index) => ({ index, text, ...parseRange([...path, index], text) }));
  ranges.sort((a, b) => a.start - b.start);
  ranges.forEach((range, position) => {
    const previous = ranges[position - 1];
    if (previous && range.start < previous.end) {
      // Blame whichever of the two the author wrote later.
      const [earlier, later] = previous.index < range.index ? [previous, range] : [range, previous];
      fail([...path, later.index], `"${later.text}" overlaps "${earlier.text}"`);
    }
  });
  return ranges.map(({ start, end }) => ({ start, end }));
}

/** "09:00-17:30" → {540, 1050}. */
function parseRange(path: Path, text: string): WallRange {
  const times = text.split('-');
  const [start, end] = times.map(toMinutes);
  if (times.length !== 2 || start === undefined || end === undefined) {
    fail(path, `${JSON.stringify(text)} is not HH:MM-HH:MM`);
  }
  // Also rejects 24:00 as a start: nothing can end after it.
  if (end <= start) fail(path, `${JSON.stringify(text)}: the end must be after the start`);
  return { start, end };
}

const TIME = /^(\d\d):(\d\d)$/;
const MINUTES_PER_DAY = 24 * 60;

/** "HH:MM" → minutes since midnight, up to 24:00 (the end of the day); undefined if not a time. */
function toMinutes(time: string): number | undefined {
  const match = TIME.exec(time);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  const total = hours * 60 + minutes;
  return minutes > 59 || total > MINUTES_PER_DAY ? undefined : total;
}

// ---------------------------------------------------------------------------

/** Freezes objects and arrays all the way down; Maps stay mutable at run time (ReadonlyMap by type) but their values are frozen. */
function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    for (const item of value.values()) deepFreeze(item);
  } else if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
