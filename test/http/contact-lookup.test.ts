import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/config.loader.js';
import { sign } from '../../src/contract/signature.js';
import { DIALECTS } from '../dialects.js';
import { appsOn, calendarYaml, type Answer, type Running } from './harness.js';
import { loggedApp } from './logged-app.js';

const NOW = Date.parse('2026-11-30T06:00:00Z');
const KEY = 'telli-api-key-1';
const TOKEN = 'front-desk-token-0123456789abcdef';
const YAML = `signing_keys: ["${KEY}"]
admin:
  tokens:
    - { name: front-desk, token: "${TOKEN}" }
calendars:
  - id: praxis
    name: Praxis am Kanal
    timezone: Europe/Berlin
    language: de
    duration: 30m
    hours: { mon-sun: ["09:00-17:00"] }
    on_rebook: keep_both
  - id: clinic
    name: Downtown Clinic
    timezone: America/New_York
    language: en
    duration: 30m
    hours: { mon-sun: ["09:00-17:00"] }
`;

/** Tuesday 1 December 2026, 10:00 in Berlin and in New York. */
const TEN_BERLIN = '2026-12-01T09:00:00.000Z';
const TEN_NEW_YORK = '2026-12-01T15:00:00.000Z';

/** A signed request, as telli sends it. */
function signedPost(app: Running, path: string, body: unknown): Promise<Answer> {
  const raw = JSON.stringify(body);
  return app.postRaw(path, raw, { 'x-telli-signature': sign(raw, KEY) });
}

function lookup(app: Running, phoneNumber: unknown): Promise<Answer> {
  return signedPost(app, '/telli/contact-lookup', {
    event: 'contact_lookup',
    phone_number: phoneNumber,
    to_number: '+493012345678',
  });
}

async function book(app: Running, calendar: string, body: Record<string, unknown>): Promise<void> {
  const answer = await signedPost(app, `/calendars/${calendar}/book`, body);
  expect(answer.body).toEqual({ status: 'success' });
}

describe.each(DIALECTS)("telli's contact lookup on %s", (dialect) => {
  const start = appsOn(dialect);

  it('should find a booking made with a national number by the E.164 number, with its next appointment in German', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    await book(app, 'praxis', {
      contact_id: 'c_1',
      external_contact_id: 'crm-42',
      contact_details: {
        first_name: ' Ada ',
        last_name: 'Lovelace',
        email: 'ada@example.com',
        phone: '0151 1234 5678',
      },
      start_iso: TEN_BERLIN,
    });

    const answer = await lookup(app, '+4915112345678');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      contact: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'ada@example.com',
        external_id: 'crm-42',
        phone_number: '+4915112345678',
        properties: {
          next_appointment: 'Dienstag, 1. Dezember um 10:00 Uhr',
          next_appointment_iso: TEN_BERLIN,
          next_appointment_calendar: 'Praxis am Kanal',
          upcoming_appointments: 1,
        },
      },
    });
  });

  it("should split `name` at its last word and speak the appointment in English in the calendar's zone", async () => {
    const app = await start({ yaml: YAML, now: NOW });
    await book(app, 'clinic', {
      contact_id: 'c_2',
      contact_details: { name: '  Grace  Brewster Hopper ', phone_number: '+1 (212) 555-0100' },
      start_iso: TEN_NEW_YORK,
    });

    const answer = await lookup(app, '+12125550100');

    expect(answer.body).toEqual({
      contact: {
        first_name: 'Grace Brewster',
        last_name: 'Hopper',
        phone_number: '+12125550100',
        properties: {
          next_appointment: 'Tuesday 1 December at 10:00',
          next_appointment_iso: TEN_NEW_YORK,
          next_appointment_calendar: 'Downtown Clinic',
          upcoming_appointments: 1,
        },
      },
    });
  });

  it('should cut names to 50 characters', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const long = 'W'.repeat(60);
    await book(app, 'praxis', {
      contact_id: 'c_3',
      contact_details: { first_name: long, last_name: `${'L'.repeat(49)} x`, mobile: '+4915112345678' },
      start_iso: TEN_BERLIN,
    });

    const { contact } = (await lookup(app, '+4915112345678')).body;

    expect(contact.first_name).toBe('W'.repeat(50));
    expect(contact.last_name).toBe('L'.repeat(49));
  });

  it('should answer 404 {} for an unknown, withheld or unreadable number, and for a contact without a usable name', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    await book(app, 'praxis', {
      contact_id: 'c_4',
      contact_details: { name: 'Ada', phone: '+4915100000001' },
      start_iso: TEN_BERLIN,
    });

    for (const phoneNumber of ['+4915199999999', '+4915100000001', 'anonymous', '', null, undefined]) {
      const answer = await lookup(app, phoneNumber);
      expect(answer).toEqual({ status: 404, body: {} });
    }
  });

  it('should let the contact of the most recent booking of the number win, counting the upcoming bookings of both', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    await book(app, 'praxis', {
      contact_id: 'c_5',
      contact_details: { name: 'Ada Lovelace', phone: '0151 1234 5678' },
      start_iso: '2026-12-03T09:00:00Z',
    });
    app.setNow(NOW + 60_000);
    await book(app, 'clinic', {
      contact_id: 'c_6',
      contact_details: { name: 'Charles Babbage', phone: '+49 151 12345678' },
      start_iso: TEN_NEW_YORK,
    });

    const { contact } = (await lookup(app, '+4915112345678')).body;

    expect([contact.first_name, contact.last_name]).toEqual(['Charles', 'Babbage']);
    // The next appointment is the soonest of the number's, whoever booked it.
    expect(contact.properties).toEqual({
      next_appointment: 'Tuesday 1 December at 10:00',
      next_appointment_iso: TEN_NEW_YORK,
      next_appointment_calendar: 'Downtown Clinic',
      upcoming_appointments: 2,
    });
  });

  it('should count neither cancelled nor past bookings as upcoming, and still know the caller', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const details = { first_name: 'Ada', last_name: 'Lovelace', phone: '0151 1234 5678' };
    await book(app, 'praxis', { contact_id: 'c_7', contact_details: details, start_iso: TEN_BERLIN });
    await book(app, 'praxis', { contact_id: 'c_7', contact_details: details, start_iso: '2026-12-02T09:00:00Z' });
    const [first] = (await app.store.bookings('praxis')).filter((booking) => booking.start === Date.parse(TEN_BERLIN));
    const cancelled = await fetch(`${app.url}/api/v1/bookings/${first!.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(cancelled.status).toBe(200);

    expect((await lookup(app, '+4915112345678')).body.contact.properties).toEqual({
      next_appointment: 'Mittwoch, 2. Dezember um 10:00 Uhr',
      next_appointment_iso: '2026-12-02T09:00:00.000Z',
      next_appointment_calendar: 'Praxis am Kanal',
      upcoming_appointments: 1,
    });

    app.setNow(Date.parse('2026-12-05T00:00:00Z'));
    const later = (await lookup(app, '+4915112345678')).body.contact;
    expect(later.first_name).toBe('Ada');
    expect(later.properties).toEqual({ upcoming_appointments: 0 });
  });

  it("should refuse an unsigned or wrongly signed lookup exactly as telli's calendar URLs do", async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const raw = JSON.stringify({ event: 'contact_lookup', phone_number: '+4915112345678' });
    for (const headers of [{}, { 'x-telli-signature': sign(raw, 'another-key') }] as Record<string, string>[]) {
      const refused = await app.postRaw('/telli/contact-lookup', raw, headers);
      const calendar = await app.postRaw('/available', raw, headers);
      expect(refused.status).toBe(401);
      expect(refused).toEqual(calendar);
    }
  });

  it('should know nobody without signing keys, so that no one unsigned learns who is behind a number', async () => {
    const app = await start({ yaml: YAML.replace(`signing_keys: ["${KEY}"]\n`, ''), now: NOW });
    await book(app, 'praxis', {
      start_iso: TEN_BERLIN,
      contact_id: 'c1',
      contact_details: { name: 'Ada Lovelace', phone: '+49 151 12345678' },
    });
    const answer = await lookup(app, '+4915112345678');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({});
  });

  it('should answer a body it cannot read with a 400', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    for (const body of [[], 'text', { event: 'call_ended', phone_number: '+4915112345678' }, { phone_number: 4915 }]) {
      const answer = await signedPost(app, '/telli/contact-lookup', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual(expect.any(String));
    }
    const raw = '{"phone_number":';
    expect((await app.postRaw('/telli/contact-lookup', raw, { 'x-telli-signature': sign(raw, KEY) })).status).toBe(400);
  });

  it('should read national numbers in the configured country, and only international ones in a zone of no country', async () => {
    const yaml =
      calendarYaml({ id: 'wien', timezone: 'UTC', country: 'at' }, `signing_keys: ["${KEY}"]\n`) +
      calendarYaml({ id: 'utc' }).replace('calendars:\n', '');
    const app = await start({ yaml, now: NOW });
    const at = (phone: string, name: string, calendar: string, start_iso: string) =>
      signedPost(app, `/calendars/${calendar}/book`, {
        contact_id: name,
        contact_details: { name: `${name} Test`, phone },
        start_iso,
      });
    expect((await at('0664 1234567', 'Austria', 'wien', '2026-12-01T09:00:00Z')).body).toEqual({ status: 'success' });
    expect((await at('0151 7654321', 'National', 'utc', '2026-12-01T10:00:00Z')).body).toEqual({ status: 'success' });
    expect((await at('+44 20 7946 0958', 'London', 'utc', '2026-12-01T11:00:00Z')).body).toEqual({ status: 'success' });

    expect((await lookup(app, '+436641234567')).body.contact.first_name).toBe('Austria');
    expect((await lookup(app, '+491517654321')).status).toBe(404);
    expect((await lookup(app, '+442079460958')).body.contact.first_name).toBe('London');
  });
});

describe('the calendar key country', () => {
  const countryOf = (fields: Record<string, string>) => parseConfig(calendarYaml(fields), {}).calendars[0]!.country;

  it("should default to the time zone's country, and to none for a zone of no country", () => {
    expect(countryOf({ timezone: 'Europe/Berlin' })).toBe('DE');
    expect(countryOf({ timezone: 'America/New_York' })).toBe('US');
    expect(countryOf({ timezone: 'UTC' })).toBeUndefined();
    expect(countryOf({ timezone: 'Europe/Berlin', country: 'ch' })).toBe('CH');
  });

  it('should refuse a code that is no ISO 3166-1 alpha-2 country, naming the key', () => {
    for (const country of ['XX', 'DEU', '"1"']) {
      expect(() => countryOf({ country })).toThrow(ConfigError);
      expect(() => countryOf({ country })).toThrow(
        /^calendars\[0\]\.country: .* is not an ISO 3166-1 alpha-2 country code/,
      );
    }
  });
});

describe('the contact lookup in the logs', () => {
  it('should log whether the caller was known, never their number, name or e-mail', async () => {
    const yaml = calendarYaml({ timezone: 'Europe/Berlin' }, `signing_keys: ["${KEY}"]\n`);
    const { app, lines, close } = await loggedApp(yaml, { level: 'trace', now: NOW });
    const signed = (url: string, body: unknown) => {
      const payload = JSON.stringify(body);
      const headers = { 'content-type': 'application/json', 'x-telli-signature': sign(payload, KEY) };
      return app.inject({ method: 'POST', url, payload, headers });
    };
    const lookUp = (phone_number: string) => signed('/telli/contact-lookup', { event: 'contact_lookup', phone_number });
    try {
      const booked = await signed('/book', {
        contact_id: 'c_1',
        contact_details: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '0151 1234 5678' },
        start_iso: TEN_BERLIN,
      });
      expect(booked.json()).toEqual({ status: 'success' });
      expect((await lookUp('+4915112345678')).statusCode).toBe(200);
      expect((await lookUp('+4915199999999')).statusCode).toBe(404);
    } finally {
      await close();
    }

    const text = lines.join('');
    for (const secret of ['15112345678', '1234 5678', '15199999999', 'Lovelace', 'ada@example.com']) {
      expect(text).not.toContain(secret);
    }
    const lookups = lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'request completed' && line.req.url === '/telli/contact-lookup');
    expect(lookups.map(({ found, upcoming }) => ({ found, upcoming }))).toEqual([
      { found: true, upcoming: 1 },
      { found: false, upcoming: undefined },
    ]);
  });
});
