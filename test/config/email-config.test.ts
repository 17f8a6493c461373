import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/config.loader.js';
import { DEFAULT_RETRY_SCHEDULE } from '../../src/config/config.defaults.js';
import type { Config } from '../../src/config/config.types.js';

const CALENDAR = { id: 'physio', timezone: 'Europe/Berlin', duration: '30m', hours: { 'mon-fri': ['09:00-17:00'] } };
const SMTP = 'smtp://termine:${SMTP_PASSWORD}@mail.example.com:587';
const ENV = { SMTP_PASSWORD: 'p4ss%2Fw0rd' };

function load(config: Record<string, unknown>, env: NodeJS.ProcessEnv = ENV): Config {
  return parseConfig(stringify({ calendars: [CALENDAR], ...config }), env);
}

/** The ConfigError message of a config that must fail. */
function errorFor(config: Record<string, unknown>, env: NodeJS.ProcessEnv = ENV): string {
  try {
    load(config, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

const emailWith = (patch: Record<string, unknown>) => ({
  email: { smtp_url: SMTP, from: 'termine@example.com', ...patch },
});

describe('the email section', () => {
  it('should expand the password into the SMTP URL and fill in the defaults', () => {
    expect(load(emailWith({})).email).toEqual({
      smtpUrl: 'smtp://termine:p4ss%2Fw0rd@mail.example.com:587',
      from: { address: 'termine@example.com' },
      toContact: true,
      toResource: true,
      remindBefore: undefined,
      retrySchedule: DEFAULT_RETRY_SCHEDULE,
    });
  });

  it('should read a display name, both recipients switched off and the reminder in milliseconds', () => {
    const email = load(
      emailWith({
        smtp_url: 'smtps://mail.example.com',
        from: 'Praxis am Kanal <termine@example.com>',
        to_contact: false,
        to_resource: 'false',
        remind_before: '24h',
        retry_schedule: ['1s', '1m'],
      }),
    ).email;
    expect(email).toEqual({
      smtpUrl: 'smtps://mail.example.com',
      from: { name: 'Praxis am Kanal', address: 'termine@example.com' },
      toContact: false,
      toResource: false,
      remindBefore: 24 * 3_600_000,
      retrySchedule: [1_000, 60_000],
    });
  });

  it('should leave email out when the section is absent', () => {
    expect(load({}).email).toBeUndefined();
  });

  it('should refuse a URL that is not smtp:// or smtps://, without quoting it', () => {
    for (const url of ['https://mail.example.com', 'mail.example.com:587', 'smtp:mail.example.com']) {
      const message = errorFor(emailWith({ smtp_url: url }));
      expect(message).toMatch(/^email\.smtp_url: must be an smtp:\/\/ or smtps:\/\/ URL/);
      expect(message).not.toContain('p4ss');
    }
  });

  it('should explain percent-encoding when the password breaks the URL, without quoting it', () => {
    const message = errorFor(emailWith({}), { SMTP_PASSWORD: 'p4ss/w0rd' });
    expect(message).toBe(
      'email.smtp_url: is not a valid URL: percent-encode / ? # @ : in the user name and password (/ as %2F)',
    );
  });

  it('should name the variable the SMTP URL needs, never a value', () => {
    expect(errorFor(emailWith({}), {})).toBe('email.smtp_url: environment variable SMTP_PASSWORD is not set');
  });

  it('should refuse a sender that is not one address', () => {
    for (const from of ['termine', 'Praxis <termine@>', 'a@example.com, b@example.com', 'Team: a@example.com;']) {
      expect(errorFor(emailWith({ from }))).toBe(
        `email.from: ${JSON.stringify(from)} is not an address such as "Praxis am Kanal <termine@example.com>"`,
      );
    }
  });

  it('should refuse a retry wait that is not a positive duration', () => {
    expect(errorFor(emailWith({ retry_schedule: ['5s', 'soon'] }))).toBe(
      'email.retry_schedule[1]: "soon" is not a duration such as 500ms, 5s, 30m or 2h',
    );
  });

  it('should refuse a reminder that is not a positive duration', () => {
    expect(errorFor(emailWith({ remind_before: 'tomorrow' }))).toBe(
      'email.remind_before: "tomorrow" is not a duration such as 90s, 30m, 2h or 14d',
    );
    expect(errorFor(emailWith({ remind_before: '0h' }))).toBe('email.remind_before: must be more than 0');
  });

  it('should refuse unknown keys and a missing sender', () => {
    expect(errorFor(emailWith({ to_caller: true }))).toBe('email.to_caller: unknown key');
    expect(errorFor({ email: { smtp_url: SMTP } })).toBe('email.from: required');
  });
});

describe('resources[].email', () => {
  const withResources = (resources: unknown[]) => ({ calendars: [{ ...CALENDAR, resources }] });

  it("should keep each staff member's address, none when absent", () => {
    const [calendar] = load(withResources([{ id: 'anna', email: 'anna@example.com' }, { id: 'ben' }])).calendars;
    expect(calendar?.resources.map((resource) => resource.email)).toEqual(['anna@example.com', undefined]);
  });

  it('should refuse an address that is not one, naming the key', () => {
    expect(errorFor(withResources([{ id: 'anna', email: 'Anna <anna@example.com>' }]))).toBe(
      'calendars[0].resources[0].email: "Anna <anna@example.com>" is not an e-mail address such as anna@example.com',
    );
    expect(errorFor(withResources([{ id: 'anna', email: 'anna@localhost' }]))).toContain('is not an e-mail address');
  });
});
