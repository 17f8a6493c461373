import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { configWarnings } from '../../src/config/config-warnings.js';
import { loadConfigFile, parseConfig } from '../../src/config/config.loader.js';
import { parseDuration } from '../../src/config/duration.js';
import type { Config } from '../../src/config/config.types.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/slotline.yaml', import.meta.url));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const minutes = (time: string) => {
  const [h = 0, m = 0] = time.split(':').map(Number);
  return h * 60 + m;
};
/** range('09:00', '12:00') is "09:00-12:00" as the loader outputs it. */
const range = (start: string, end: string) => ({ start: minutes(start), end: minutes(end) });

/** A valid calendar with only the required keys, plus `patch` (an undefined value removes a key). */
function calendar(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'demo', timezone: 'Europe/Berlin', duration: '30m', hours: { 'mon-fri': ['09:00-17:00'] }, ...patch };
}

/** Parses a config given as a JS object, written out as YAML. */
function load(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Config {
  return parseConfig(stringify(config), env);
}

/** The ConfigError message for YAML text that must fail. */
function errorOf(yamlText: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(yamlText, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

/** A minimal config as YAML text, for tests about how the text is written (unquoted `${VAR}`, unquoted dates). */
const MINIMAL_YAML = `calendars:
  - id: demo
    timezone: Europe/Berlin
    duration: 30m
    hours: {}
`;

const errorFor = (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => errorOf(stringify(config), env);
const errorForCalendar = (patch: Record<string, unknown>) => errorFor({ calendars: [calendar(patch)] });

describe('examples/slotline.yaml', () => {
  const config = loadConfigFile(EXAMPLE, {});
  const [consultation] = config.calendars;
  const [anna, ben] = consultation?.resources ?? [];

  it('loads the top-level settings', () => {
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.database).toBe('sqlite:./data/slotline.db');
    expect(config.calendars).toHaveLength(1);
  });

  it('normalises the calendar, durations in milliseconds', () => {
    expect(consultation).toMatchObject({
      id: 'consultation',
      name: 'Initial consultation',
      timezone: 'Europe/Berlin',
      language: 'en',
      duration: 30 * MINUTE,
      interval: 40 * MINUTE,
      bufferBefore: 0,
      bufferAfter: 10 * MINUTE,
      minNotice: 2 * HOUR,
      horizon: 14 * DAY,
      maxSlots: 40,
      maxPerDay: 8,
      onRebook: 'replace',
      booking: true,
      assignment: 'round_robin',
    });
    expect(consultation?.resources.map((resource) => [resource.id, resource.name])).toEqual([
      ['anna', 'Anna Weber'],
      ['ben', 'Ben Okafor'],
    ]);
  });

  it('gives Anna the calendar hours, closed at the weekend', () => {
    const morningAndAfternoon = [range('09:00', '12:00'), range('13:00', '17:00')];
    expect(anna?.schedule.weekly).toEqual({
      mon: morningAndAfternoon,
      tue: morningAndAfternoon,
      wed: morningAndAfternoon,
      thu: morningAndAfternoon,
      fri: [range('09:00', '15:00')],
      sat: [],
      sun: [],
    });
  });

  it("gives Ben his own weekly hours and the calendar's overrides", () => {
    const noonToSix = [range('12:00', '18:00')];
    expect(ben?.schedule.weekly).toEqual({
      mon: noonToSix,
      tue: noonToSix,
      wed: noonToSix,
      thu: noonToSix,
      fri: noonToSix,
      sat: [],
      sun: [],
    });
    const expected = new Map([
      ['2026-12-24', []],
      ['2026-12-31', [range('09:00', '12:00')]],
    ]);
    expect(anna?.schedule.overrides).toEqual(expected);
    expect(ben?.schedule.overrides).toEqual(expected);
  });

  it('has no signing key without TELLI_API_KEY, one with it', () => {
    expect(config.signingKeys).toEqual([]);
    expect(loadConfigFile(EXAMPLE, { TELLI_API_KEY: '' }).signingKeys).toEqual([]);
    expect(loadConfigFile(EXAMPLE, { TELLI_API_KEY: 'secret-1' }).signingKeys).toEqual(['secret-1']);
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.calendars)).toBe(true);
    expect(Object.isFrozen(consultation)).toBe(true);
    expect(Object.isFrozen(anna?.schedule.weekly.mon)).toBe(true);
    expect(Object.isFrozen(anna?.schedule.weekly.mon[0])).toBe(true);
    expect(Object.isFrozen(anna?.schedule.overrides.get('2026-12-31'))).toBe(true);
  });
});

describe('defaults', () => {
  const config = load({ calendars: [calendar()] });
  const [demo] = config.calendars;

  it('fills in the top level', () => {
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      database: 'sqlite:./data/slotline.db',
      signingKeys: [],
    });
  });

  it('fills in the calendar', () => {
    expect(demo).toMatchObject({
      name: 'demo',
      language: 'en',
      interval: 30 * MINUTE,
      bufferBefore: 0,
      bufferAfter: 0,
      minNotice: 0,
      horizon: 14 * DAY,
      maxSlots: 40,
      maxPerDay: Infinity,
      onRebook: 'replace',
      booking: true,
      assignment: 'round_robin',
    });
  });

  it('gives a calendar without resources one resource named after it', () => {
    const [resource, ...others] = load({ calendars: [calendar({ name: 'Demo' })] }).calendars[0]?.resources ?? [];
    expect(others).toEqual([]);
    expect(resource).toMatchObject({ id: 'demo', name: 'Demo' });
    expect(resource?.schedule.weekly.mon).toEqual([range('09:00', '17:00')]);
    expect(resource?.schedule.overrides.size).toBe(0);
  });

  it('names a resource after its id', () => {
    const resources = load({ calendars: [calendar({ resources: [{ id: 'room-1' }] })] }).calendars[0]?.resources;
    expect(resources?.map(({ id, name }) => ({ id, name }))).toEqual([{ id: 'room-1', name: 'room-1' }]);
  });
});

describe('environment variables', () => {
  it('expands ${VAR} and ${VAR:-default} in any string', () => {
    const config = load(
      { database: '${DB}', host: '${HOST:-127.0.0.1}', calendars: [calendar({ name: '${PREFIX:-} Demo' })] },
      { DB: 'sqlite::memory:' },
    );
    expect(config.database).toBe('sqlite::memory:');
    expect(config.host).toBe('127.0.0.1');
    expect(config.calendars[0]?.name).toBe(' Demo');
  });

  it('uses the default for a variable that is set but empty, as the shell does', () => {
    expect(load({ host: '${HOST:-localhost}', calendars: [calendar()] }, { HOST: '' }).host).toBe('localhost');
  });

  it('coerces expanded strings to the numbers and booleans the schema wants', () => {
    const yaml = `port: \${PORT:-3000}\n${MINIMAL_YAML}    booking: \${BOOKING:-true}\n`;
    expect(parseConfig(yaml, {}).port).toBe(3000);
    const config = parseConfig(yaml, { PORT: '8080', BOOKING: 'false' });
    expect(config.port).toBe(8080);
    expect(config.calendars[0]?.booking).toBe(false);
  });

  it('drops empty and null signing keys', () => {
    const config = load(
      { signing_keys: ['${KEY_A:-}', null, '', '${KEY_B}'], calendars: [calendar()] },
      { KEY_B: 'b' },
    );
    expect(config.signingKeys).toEqual(['b']);
    expect(parseConfig(`signing_keys:\n${MINIMAL_YAML}`, {}).signingKeys).toEqual([]);
  });
});

describe('interval and buffers', () => {
  it('should default interval to duration + buffer_before + buffer_after', () => {
    const [demo] = load({ calendars: [calendar({ duration: '45m', buffer_after: '15m' })] }).calendars;
    expect(demo?.interval).toBe(60 * MINUTE);
    const [both] = load({
      calendars: [calendar({ duration: '30m', buffer_before: '5m', buffer_after: '10m' })],
    }).calendars;
    expect(both?.interval).toBe(45 * MINUTE);
  });

  it('should warn, naming the key path, about a given interval shorter than duration and buffers', () => {
    const config = load({
      calendars: [
        calendar({ id: 'fits', duration: '30m', buffer_after: '10m', interval: '40m' }),
        calendar({ id: 'tight', duration: '45m', buffer_after: '15m', interval: '45m' }),
      ],
    });
    expect(configWarnings(config)).toEqual([
      {
        keyPath: 'calendars[1].interval',
        message:
          '45 min is shorter than duration + buffer_before + buffer_after (60 min): ' +
          'a booking also takes the next offered start on its resource',
      },
    ]);
  });

  it('should not warn about a defaulted interval or the example config', () => {
    expect(configWarnings(load({ calendars: [calendar({ buffer_before: '5m', buffer_after: '10m' })] }))).toEqual([]);
    expect(configWarnings(loadConfigFile(EXAMPLE, {}))).toEqual([]);
  });
});

describe('durations', () => {
  it('parses units into milliseconds', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(30 * MINUTE);
    expect(parseDuration('2h')).toBe(2 * HOUR);
    expect(parseDuration('14d')).toBe(14 * DAY);
    expect(parseDuration('1.5h')).toBe(90 * MINUTE);
  });

  it('reads a bare number, or a numeric string, as minutes', () => {
    expect(parseDuration(45)).toBe(45 * MINUTE);
    expect(parseDuration('45')).toBe(45 * MINUTE);
    const [demo] = load({ calendars: [calendar({ duration: 45, interval: '15', buffer_after: 5 })] }).calendars;
    expect(demo).toMatchObject({ duration: 45 * MINUTE, interval: 15 * MINUTE, bufferAfter: 5 * MINUTE });
  });

  it('rejects malformed and negative durations', () => {
    for (const input of ['', '5x', '-5m', '5 m', 'm', -1, Number.NaN]) expect(parseDuration(input)).toBeUndefined();
  });
});

describe('source download cap (max_size)', () => {
  const sourceOf = (source: Record<string, unknown>) =>
    load({ calendars: [calendar({ resources: [{ id: 'anna', sources: [source] }] })] }).calendars[0]?.resources[0]
      ?.sources[0];
  const ics = { type: 'ics', url: 'https://example.com/anna.ics' };

  it('is 10 MB unless the source sets its own', () => {
    expect(sourceOf(ics)?.maxBytes).toBe(10 * 1_048_576);
    expect(sourceOf({ ...ics, max_size: '512KB' })?.maxBytes).toBe(512 * 1_024);
    expect(sourceOf({ ...ics, max_size: '2.5 mb' })?.maxBytes).toBe(2.5 * 1_048_576);
    expect(sourceOf({ ...ics, max_size: '1GB' })?.maxBytes).toBe(1_073_741_824);
  });

  it('names the key of a size without a unit or with a wrong one', () => {
    for (const size of ['10', '10 bytes', '-1MB', '0MB']) {
      expect(errorForCalendar({ resources: [{ id: 'anna', sources: [{ ...ics, max_size: size }] }] })).toBe(
        `calendars[0].resources[0].sources[0].max_size: "${size}" is not a size such as 512KB or 10MB`,
      );
    }
  });
});

describe('hours and overrides', () => {
  const weeklyOf = (hours: Record<string, string[]>) =>
    load({ calendars: [calendar({ hours })] }).calendars[0]?.resources[0]?.schedule.weekly;

  it('lets 24:00 end a range', () => {
    expect(weeklyOf({ sat: ['18:00-24:00'] })?.sat).toEqual([{ start: 18 * 60, end: 24 * 60 }]);
  });

  it('sorts ranges and lets them touch', () => {
    expect(weeklyOf({ mon: ['13:00-17:00', '09:00-13:00'] })?.mon).toEqual([
      range('09:00', '13:00'),
      range('13:00', '17:00'),
    ]);
  });

  it('wraps a weekday range over the weekend', () => {
    const weekly = weeklyOf({ 'fri-mon': ['10:00-11:00'] });
    const open = Object.entries(weekly ?? {}).filter(([, ranges]) => ranges.length > 0);
    expect(open.map(([day]) => day)).toEqual(['mon', 'fri', 'sat', 'sun']);
  });

  it('accepts quoted and unquoted date keys', () => {
    const yaml = `${MINIMAL_YAML}    overrides:\n      2026-12-24: []\n      "2026-12-31": ["09:00-12:00"]\n`;
    const overrides = parseConfig(yaml, {}).calendars[0]?.resources[0]?.schedule.overrides;
    expect([...(overrides?.keys() ?? [])]).toEqual(['2026-12-24', '2026-12-31']);
  });

  it("lets a resource's override win over the calendar's for the same date", () => {
    const config = load({
      calendars: [
        calendar({
          overrides: { '2026-12-24': [], '2026-12-31': ['09:00-12:00'] },
          resources: [{ id: 'anna', overrides: { '2026-12-24': ['10:00-11:00'] } }],
        }),
      ],
    });
    expect(config.calendars[0]?.resources[0]?.schedule.overrides).toEqual(
      new Map([
        ['2026-12-24', [range('10:00', '11:00')]],
        ['2026-12-31', [range('09:00', '12:00')]],
      ]),
    );
  });
});

describe('errors name the key path', () => {
  it('bad hour range', () => {
    expect(errorForCalendar({ hours: { mon: ['09:00-12:00', '9-17'] } })).toBe(
      'calendars[0].hours.mon[1]: "9-17" is not HH:MM-HH:MM',
    );
    expect(errorForCalendar({ hours: { mon: ['09:00-25:00'] } })).toBe(
      'calendars[0].hours.mon[0]: "09:00-25:00" is not HH:MM-HH:MM',
    );
    expect(errorForCalendar({ hours: { mon: ['17:00-09:00'] } })).toBe(
      'calendars[0].hours.mon[0]: "17:00-09:00": the end must be after the start',
    );
  });

  it('bad weekday key', () => {
    expect(errorForCalendar({ hours: { 'mon-fry': [] } })).toBe(
      'calendars[0].hours.mon-fry: not a weekday (mon..sun) or weekday range such as mon-fri',
    );
  });

  it('overlapping ranges', () => {
    expect(errorForCalendar({ hours: { tue: ['09:00-12:00', '13:00-14:00', '11:00-13:30'] } })).toBe(
      'calendars[0].hours.tue[2]: "11:00-13:30" overlaps "09:00-12:00"',
    );
  });

  it('weekday given twice', () => {
    expect(errorForCalendar({ hours: { 'mon-fri': ['09:00-17:00'], fri: ['09:00-12:00'] } })).toBe(
      'calendars[0].hours.fri: fri is already given by mon-fri',
    );
  });

  it('unknown key', () => {
    expect(errorForCalendar({ duraton: '30m' })).toBe('calendars[0].duraton: unknown key');
    expect(errorFor({ prot: 3000, calendars: [calendar()] })).toBe('prot: unknown key');
    expect(errorForCalendar({ resources: [{ id: 'anna', hour: {} }] })).toBe(
      'calendars[0].resources[0].hour: unknown key',
    );
  });

  it('missing required key', () => {
    expect(errorForCalendar({ timezone: undefined })).toBe('calendars[0].timezone: required');
  });

  it('unset variable', () => {
    expect(errorFor({ signing_keys: ['${TELLI_API_KEY}'], calendars: [calendar()] })).toBe(
      'signing_keys[0]: environment variable TELLI_API_KEY is not set',
    );
  });

  it('malformed variable reference', () => {
    expect(errorFor({ host: '${HOST:localhost}', calendars: [calendar()] })).toBe(
      'host: ${HOST:localhost} is not ${VAR} or ${VAR:-default}',
    );
  });

  it('value of the wrong kind', () => {
    expect(errorFor({ port: '${PORT}', calendars: [calendar()] }, { PORT: 'http' })).toBe(
      'port: must be a whole number',
    );
    expect(errorForCalendar({ booking: 'yes' })).toBe('calendars[0].booking: must be true or false');
    expect(errorForCalendar({ language: 'fr' })).toBe('calendars[0].language: must be one of en, de');
    expect(errorForCalendar({ max_slots: 1001 })).toBe('calendars[0].max_slots: must be at most 1000');
  });

  it('bad timezone', () => {
    expect(errorForCalendar({ timezone: 'Europe/Berlinn' })).toBe(
      'calendars[0].timezone: "Europe/Berlinn" is not an IANA time zone such as Europe/Berlin',
    );
  });

  it('bad duration', () => {
    expect(errorForCalendar({ buffer_after: '10 minutes' })).toBe(
      'calendars[0].buffer_after: "10 minutes" is not a duration such as 90s, 30m, 2h or 14d',
    );
    expect(errorForCalendar({ duration: true })).toBe(
      'calendars[0].duration: must be a duration such as 90s, 30m, 2h or 14d',
    );
    expect(errorForCalendar({ interval: '0m' })).toBe('calendars[0].interval: must be more than 0');
  });

  it('horizon over 730d', () => {
    expect(load({ calendars: [calendar({ horizon: '730d' })] }).calendars[0]?.horizon).toBe(730 * DAY);
    expect(errorForCalendar({ horizon: '731d' })).toBe('calendars[0].horizon: must be at most 730d');
  });

  it('duplicate calendar id', () => {
    expect(errorFor({ calendars: [calendar(), calendar({ id: 'other' }), calendar()] })).toBe(
      'calendars[2].id: "demo" is already the id of calendars[0]',
    );
  });

  it('duplicate resource id', () => {
    expect(errorForCalendar({ resources: [{ id: 'anna' }, { id: 'anna' }] })).toBe(
      'calendars[0].resources[1].id: "anna" is already the id of calendars[0].resources[0]',
    );
  });

  it('bad calendar id', () => {
    expect(errorForCalendar({ id: 'first calendar' })).toBe(
      'calendars[0].id: "first calendar" must match ^[A-Za-z0-9][A-Za-z0-9_-]*$',
    );
  });

  it('no calendars', () => {
    expect(errorFor({ calendars: [] })).toBe('calendars: must not be empty');
    expect(errorFor({ port: 3000 })).toBe('calendars: required');
  });

  it('bad date key', () => {
    expect(errorForCalendar({ overrides: { '2026-02-30': [] } })).toBe(
      'calendars[0].overrides.2026-02-30: not a real date of the form YYYY-MM-DD',
    );
    expect(errorForCalendar({ overrides: { '24.12.2026': [] } })).toBe(
      'calendars[0].overrides["24.12.2026"]: not a real date of the form YYYY-MM-DD',
    );
  });

  it('YAML syntax', () => {
    expect(errorOf('port: 3000\nport: 3001\n')).toBe('line 2, column 1: Map keys must be unique');
  });

  it('unreadable file', () => {
    expect(() => loadConfigFile('/nonexistent/slotline.yaml', {})).toThrow(
      new ConfigError('/nonexistent/slotline.yaml', 'cannot read the file (ENOENT)'),
    );
  });
});

describe('admin tokens', () => {
  const TOKEN = 'front-desk-token-0123456789';
  const withAdmin = (tokens: unknown, env: NodeJS.ProcessEnv = {}) =>
    errorFor({ admin: { tokens }, calendars: [calendar()] }, env);

  it('should leave the admin API off without an admin section', () => {
    expect(load({ calendars: [calendar()] }).admin).toBeUndefined();
  });

  it('should read each token with its name, also from the environment', () => {
    const yaml = `admin:\n  tokens:\n    - name: front-desk\n      token: \${SLOTLINE_ADMIN_TOKEN}\n${MINIMAL_YAML}`;
    expect(parseConfig(yaml, { SLOTLINE_ADMIN_TOKEN: TOKEN }).admin).toEqual({
      tokens: [{ name: 'front-desk', token: TOKEN }],
    });
  });

  it('should refuse a token shorter than 24 characters, without quoting it', () => {
    const error = withAdmin([{ name: 'front-desk', token: 'short-token-23-chars-xx' }]);
    expect(error).toBe('admin.tokens[0].token: must be at least 24 characters, it has 23');
    expect(withAdmin([{ name: 'front-desk', token: '' }])).toBe(
      'admin.tokens[0].token: must be at least 24 characters, it has 0',
    );
  });

  it('should refuse a name given twice, an empty name and the reserved name telli', () => {
    expect(
      withAdmin([
        { name: 'front-desk', token: TOKEN },
        { name: 'front-desk', token: `${TOKEN}-2` },
      ]),
    ).toBe('admin.tokens[1].name: "front-desk" is already the name of admin.tokens[0]');
    expect(withAdmin([{ name: '', token: TOKEN }])).toBe('admin.tokens[0].name: must not be empty');
    expect(withAdmin([{ name: 'telli', token: TOKEN }])).toBe(
      'admin.tokens[0].name: "telli" is reserved for bookings made by telli',
    );
  });

  it('should refuse an admin section without tokens and unknown keys in it', () => {
    expect(withAdmin([])).toBe('admin.tokens: must not be empty');
    expect(errorFor({ admin: {}, calendars: [calendar()] })).toBe('admin.tokens: required');
    expect(withAdmin([{ name: 'a', token: TOKEN, role: 'x' }])).toBe('admin.tokens[0].role: unknown key');
  });
});
