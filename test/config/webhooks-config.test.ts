import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/config.loader.js';
import { WEBHOOK_EVENTS } from '../../src/config/config.types.js';

/** `webhooks:` in slotline.yaml: defaults, and a key path with a reason for each mistake. */
const SECRET_BYTES = randomBytes(32);
const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;
const CALENDARS = [
  { id: 'physio', timezone: 'Europe/Berlin', duration: '30m', hours: {} },
  { id: 'dental', timezone: 'Europe/Berlin', duration: '30m', hours: {} },
];

const load = (webhooks: unknown[], env: NodeJS.ProcessEnv = {}) =>
  parseConfig(stringify({ calendars: CALENDARS, webhooks }), env);

function errorOf(webhooks: unknown[]): string {
  try {
    load(webhooks);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('webhooks', () => {
  it('should default to every event, every calendar and the Standard Webhooks retry schedule', () => {
    const [webhook] = load([{ url: 'https://crm.example.com/hooks/slotline', secret: SECRET }]).webhooks;
    expect(webhook).toMatchObject({
      url: 'https://crm.example.com/hooks/slotline',
      secret: SECRET_BYTES.toString('base64'),
      key: expect.stringMatching(/^[0-9a-f]{12}$/),
      calendars: undefined,
      retrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
    });
    expect([...webhook!.events]).toEqual([...WEBHOOK_EVENTS]);
    expect(load([]).webhooks).toEqual([]);
    expect(parseConfig(stringify({ calendars: CALENDARS }), {}).webhooks).toEqual([]);
  });

  it('should read events, calendars, a short schedule and the secret from the environment', () => {
    const [webhook] = load(
      [
        {
          url: 'http://127.0.0.1:8080/hook',
          secret: '${SLOTLINE_WEBHOOK_SECRET}',
          events: ['booking.created', 'booking.cancelled'],
          calendars: ['physio'],
          retry_schedule: ['50ms', '1s', '2m'],
        },
      ],
      { SLOTLINE_WEBHOOK_SECRET: SECRET },
    ).webhooks;
    expect([...webhook!.events]).toEqual(['booking.created', 'booking.cancelled']);
    expect([...webhook!.calendars!]).toEqual(['physio']);
    expect(webhook!.retrySchedule).toEqual([50, 1_000, 120_000]);
  });

  it('should name the key and the reason for each mistake, never quoting the secret', () => {
    const base = { url: 'https://crm.example.com/hook', secret: SECRET };
    expect(errorOf([{ ...base, url: 'crm.example.com/hook' }])).toBe(
      'webhooks[0].url: must be an http:// or https:// URL',
    );
    expect(errorOf([{ ...base, url: 'ftp://crm.example.com/' }])).toMatch(/^webhooks\[0\]\.url: /);
    for (const secret of [
      's3cret-not-whsec',
      'whsec_',
      'whsec_not base64!',
      `whsec_${randomBytes(8).toString('base64')}`,
    ]) {
      const message = errorOf([{ ...base, secret }]);
      expect(message).toMatch(/^webhooks\[0\]\.secret: must be whsec_/);
      if (secret.length > 'whsec_'.length) expect(message).not.toContain(secret.slice('whsec_'.length));
    }
    expect(errorOf([{ ...base, events: ['booking.created', 'booking.deleted'] }])).toBe(
      'webhooks[0].events[1]: "booking.deleted" is not an event; the events are ' + WEBHOOK_EVENTS.join(', '),
    );
    expect(errorOf([{ ...base, calendars: ['physio', 'nope'] }])).toBe(
      'webhooks[0].calendars[1]: "nope" is not the id of a calendar',
    );
    expect(errorOf([{ ...base, retry_schedule: ['5s', 'soon'] }])).toBe(
      'webhooks[0].retry_schedule[1]: "soon" is not a duration such as 500ms, 5s, 30m or 2h',
    );
    expect(errorOf([{ ...base, retry_schedule: ['0s'] }])).toMatch(/^webhooks\[0\]\.retry_schedule\[0\]: /);
    expect(errorOf([base, { ...base }])).toBe('webhooks[1].url: is already the url of webhooks[0]');
    expect(errorOf([{ ...base, method: 'PUT' }])).toMatch(/^webhooks\[0\]/);
  });
});
