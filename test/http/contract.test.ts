import { describe, expect, it } from 'vitest';
import { sign } from '../../src/contract/signature.js';
import { appsOn, calendarYaml, starts } from './harness.js';
import { DIALECTS } from '../dialects.js';

// Tuesday 1 December 2026, 06:00 UTC: the 09:00-12:00 UTC hours of the next days lie ahead.
const NOW = Date.parse('2026-12-01T06:00:00Z');

const NO_CONTACT =
  'I could not tell who this appointment is for, so it was not booked. Please contact us another way to book.';

/** `[[...[]...]]`, arrays nested `levels` deep, as JSON: too deep for a test's own JSON.stringify. */
const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe.each(DIALECTS)('on %s', (dialect) => {
  const open = appsOn(dialect);
  describe('timestamps', () => {
    it('should print every slot as UTC with milliseconds and Z', async () => {
      const app = await open({ yaml: calendarYaml({ timezone: 'Europe/Berlin' }), now: NOW });
      const answer = await app.post('/available', {});
      expect(answer.status).toBe(200);
      expect(answer.body.available.length).toBeGreaterThan(0);
      for (const slot of answer.body.available) {
        expect(slot.start_iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(Date.parse(slot.end_iso) - Date.parse(slot.start_iso)).toBe(30 * 60_000);
      }
    });

    it.each([
      ['2026-12-02T09:00:00.000Z'],
      ['2026-12-02T09:00:00Z'],
      ['2026-12-02T09:00:00'],
      ['2026-12-02T09:00'],
      ['2026-12-02T10:00:00+01:00'],
      ['2026-12-02T14:45:00.000+05:45'],
    ])('should read %s as the instant 09:00 UTC', async (startIso) => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      const booked = await app.post('/book', { contact_id: 'c1', start_iso: startIso });
      expect(booked.body).toEqual({ status: 'success' });
      const [booking] = await app.store.bookings('main');
      expect(booking!.start).toBe(Date.parse('2026-12-02T09:00:00Z'));
    });
  });

  describe('calendars and routes', () => {
    const twoCalendars = `calendars:
  - { id: first, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-10:00"] } }
  - { id: second, timezone: UTC, duration: 60m, hours: { mon-sun: ["14:00-16:00"] } }
`;

    it('should serve the first calendar at /available and each at /calendars/{id}/available', async () => {
      const app = await open({ yaml: twoCalendars, now: NOW });
      const byDefault = await app.post('/available', {});
      const first = await app.post('/calendars/first/available', {});
      const second = await app.post('/calendars/second/available', {});
      expect(byDefault.body).toEqual(first.body);
      expect(starts(second)[0]).toBe('2026-12-01T14:00:00.000Z');
      expect(Date.parse(second.body.available[0].end_iso) - Date.parse(second.body.available[0].start_iso)).toBe(
        3_600_000,
      );
    });

    it('should book in the calendar its URL names', async () => {
      const app = await open({ yaml: twoCalendars, now: NOW });
      const booked = await app.post('/calendars/second/book', { contact_id: 'c1', start_iso: '2026-12-01T14:00:00Z' });
      expect(booked.body).toEqual({ status: 'success' });
      expect(await app.store.bookings('second')).toHaveLength(1);
      expect(await app.store.bookings('first')).toHaveLength(0);
    });

    it('should answer 404 for an unknown calendar, and for an unknown route', async () => {
      const app = await open({ yaml: twoCalendars, now: NOW });
      const unknown = await app.post('/calendars/nope/available', {});
      expect(unknown).toEqual({
        status: 404,
        body: { error: 'unknown_calendar', message: 'There is no calendar "nope".' },
      });
      expect(
        (await app.post('/calendars/nope/book', { contact_id: 'c', start_iso: '2026-12-01T14:00:00Z' })).status,
      ).toBe(404);
      expect((await app.post('/elsewhere', {})).status).toBe(404);
    });
  });

  describe('signatures', () => {
    const KEY = 'telli-api-key-1';
    const keyed = calendarYaml({}, `signing_keys: ["${KEY}", "telli-api-key-2", ""]\n`);

    it('should accept the HMAC of the raw body, in any hex case and with a sha256= prefix', async () => {
      const app = await open({ yaml: keyed, now: NOW });
      const raw = '{ "contact_id" : "c1" }';
      const signature = sign(raw, KEY);
      for (const header of [signature, signature.toUpperCase(), `sha256=${signature}`]) {
        expect((await app.postRaw('/available', raw, { 'x-telli-signature': header })).status).toBe(200);
      }
    });

    it("should accept the HMAC of JSON.stringify of the parsed body, as telli's sample signs", async () => {
      const app = await open({ yaml: keyed, now: NOW });
      const raw = '{ "contact_id" : "c1",\n  "contact_details": {} }';
      const signature = sign(JSON.stringify(JSON.parse(raw)), KEY);
      expect((await app.postRaw('/available', raw, { 'x-telli-signature': signature })).status).toBe(200);
    });

    it('should accept every configured key, for rotation', async () => {
      const app = await open({ yaml: keyed, now: NOW, signWith: 'telli-api-key-2' });
      expect((await app.post('/available', {})).status).toBe(200);
    });

    it('should refuse a missing, wrong or malformed signature with 401 and book nothing', async () => {
      const app = await open({ yaml: keyed, now: NOW });
      const body = { contact_id: 'c1', start_iso: '2026-12-02T09:00:00Z' };
      const raw = JSON.stringify(body);
      for (const headers of [
        {} as Record<string, string>,
        { 'x-telli-signature': sign(raw, 'another-key') },
        { 'x-telli-signature': 'zz' },
        { 'x-telli-signature': sign(raw, KEY).slice(0, 40) },
      ]) {
        const answer = await app.postRaw('/book', raw, headers);
        expect(answer.status).toBe(401);
        expect(answer.body.error).toBe('bad_signature');
      }
      expect(await app.store.bookings('main')).toHaveLength(0);
    });

    it('should accept unsigned requests when no key is configured', async () => {
      const app = await open({ yaml: calendarYaml({}, 'signing_keys: [""]\n'), now: NOW });
      expect((await app.post('/available', {})).status).toBe(200);
    });
  });

  describe('transport errors', () => {
    it('should answer 400 for malformed JSON and for a body that is no object', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      expect(await app.postRaw('/available', '{"contact_id": ')).toEqual({
        status: 400,
        body: { error: 'bad_json', message: 'The body is not valid JSON.' },
      });
      expect((await app.postRaw('/available', '[1, 2]')).status).toBe(400);
      expect((await app.postRaw('/book', '{not json')).status).toBe(400);
    });

    it('should answer 413 for a body over the limit', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      const answer = await app.post('/book', {
        contact_id: 'c1',
        start_iso: '2026-12-02T09:00:00Z',
        contact_details: { note: 'x'.repeat(100_000) },
      });
      expect(answer.status).toBe(413);
      expect(await app.store.bookings('main')).toHaveLength(0);
    });

    it('should answer 415 for a body that is not JSON', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      const answer = await app.postRaw('/available', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(answer.status).toBe(415);
    });

    it('should answer 415 to any type but application/json in UTF-8, before the signature, and book nothing', async () => {
      const KEY = 'telli-api-key-1';
      const app = await open({ yaml: calendarYaml({}, `signing_keys: ["${KEY}"]\n`), now: NOW });
      const raw = JSON.stringify({ contact_id: 'c1', start_iso: '2026-12-02T09:00:00Z' });
      const unsupported = {
        status: 415,
        body: { error: 'unsupported_media_type', message: 'Send the body as application/json in UTF-8.' },
      };
      for (const type of [
        'text/plain',
        'text/plain; charset=utf-8',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/json; charset=iso-8859-1',
      ]) {
        for (const signature of [sign(raw, KEY), 'f'.repeat(64)]) {
          for (const path of ['/available', '/book']) {
            const answer = await app.postRaw(path, raw, { 'content-type': type, 'x-telli-signature': signature });
            expect(answer, `${path} ${type}`).toEqual(unsupported);
          }
        }
      }
      expect(await app.store.bookings('main')).toHaveLength(0);
      for (const type of ['application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"']) {
        const answer = await app.postRaw('/book', raw, { 'content-type': type, 'x-telli-signature': sign(raw, KEY) });
        expect(answer.body, type).toEqual({ status: 'success' });
      }
    });

    it('should answer 400 to an /available body nested deeper than 32 levels, signed or not', async () => {
      const KEY = 'telli-api-key-1';
      const app = await open({ yaml: calendarYaml({}, `signing_keys: ["${KEY}"]\n`), now: NOW });
      const raw = `{"contact_id":"c1","contact_details":${nested(30_000)}}`;
      expect(await app.postRaw('/available', raw, { 'x-telli-signature': sign(raw, KEY) })).toEqual({
        status: 400,
        body: { error: 'nested_too_deep', message: 'The body nests objects or arrays deeper than 32 levels.' },
      });
      expect((await app.postRaw('/available', raw, { 'x-telli-signature': 'f'.repeat(64) })).status).toBe(401);
      const deepest = `{"contact_details":${nested(31)}}`;
      expect((await app.postRaw('/available', deepest, { 'x-telli-signature': sign(deepest, KEY) })).status).toBe(200);
    });

    it('should answer /healthz and /readyz', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({ status: 'ready', sources: [] });
    });
  });

  describe('bad /book bodies', () => {
    it.each([
      ['no start_iso', { contact_id: 'c1' }, 'Please choose a time to book.'],
      [
        'a start_iso that is no time',
        { contact_id: 'c1', start_iso: 'tomorrow at nine' },
        'I could not read that time.',
      ],
      ['a start_iso of the wrong type', { contact_id: 'c1', start_iso: 1764666000000 }, 'I could not read that time.'],
      ['an impossible date', { contact_id: 'c1', start_iso: '2026-02-30T09:00:00Z' }, 'I could not read that time.'],
      ['a time in the past', { contact_id: 'c1', start_iso: '2026-11-30T09:00:00Z' }, 'That time has already passed.'],
      [
        'a time off the slot grid',
        { contact_id: 'c1', start_iso: '2026-12-02T09:10:00Z' },
        'Appointments cannot start at that time.',
      ],
      [
        'a time outside the hours',
        { contact_id: 'c1', start_iso: '2026-12-02T13:00:00Z' },
        'We are closed at that time.',
      ],
      [
        'a time beyond the horizon',
        { contact_id: 'c1', start_iso: '2027-06-01T09:00:00Z' },
        'That time is too far ahead to book.',
      ],
      [
        'neither contact_id nor external_contact_id',
        { start_iso: '2026-12-02T09:00:00Z', external_contact_id: null },
        NO_CONTACT,
      ],
      ['a contact_id of the wrong type', { contact_id: { id: 1 }, start_iso: '2026-12-02T09:00:00Z' }, NO_CONTACT],
      ['a contact_id with a lone surrogate', { contact_id: 'c\ud800', start_iso: '2026-12-02T09:00:00Z' }, NO_CONTACT],
    ])('should fail with a reason and book nothing for %s', async (_, body, sentence) => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      const answer = await app.post('/book', body);
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('failed');
      expect(answer.body.reason.startsWith(sentence)).toBe(true);
      expect(Object.keys(answer.body).sort()).toEqual(['reason', 'status']);
      expect(await app.store.bookings('main')).toHaveLength(0);
    });

    it('should fail a /book nested deeper than 32 levels with a reason, and store one at the limit', async () => {
      const KEY = 'telli-api-key-1';
      const app = await open({ yaml: calendarYaml({}, `signing_keys: ["${KEY}"]\n`), now: NOW });
      const post = (details: string) => {
        const raw = `{"contact_id":"c1","start_iso":"2026-12-02T09:00:00Z","contact_details":${details}}`;
        return app.postRaw('/book', raw, { 'x-telli-signature': sign(raw, KEY) });
      };
      // About what 64 KiB holds, and the 4,100 levels in 8 KB that overflowed JSON.stringify in a server.
      for (const details of [nested(30_000), nested(4_100), nested(32)]) {
        expect(await post(details)).toEqual({
          status: 200,
          body: {
            status: 'failed',
            reason: 'The booking details are nested too deeply to be saved. Please contact us another way to book.',
          },
        });
      }
      expect(await app.store.bookings('main')).toHaveLength(0);
      // The body is the first level, so contact_details may nest 31.
      expect((await post(nested(31))).body).toEqual({ status: 'success' });
      expect((await app.store.bookings('main'))[0]!.contactDetails).toEqual(JSON.parse(nested(31)));
    });

    it('should tell a German caller what to do when the contact is missing', async () => {
      const app = await open({ yaml: calendarYaml({ language: 'de' }), now: NOW });
      expect((await app.post('/book', { start_iso: '2026-12-02T09:00:00Z' })).body).toEqual({
        status: 'failed',
        reason:
          'Ich konnte nicht erkennen, für wen dieser Termin ist, deshalb wurde er nicht gebucht. Bitte buchen Sie den Termin auf einem anderen Weg.',
      });
    });

    it('should fail a /book whose body is not an object', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      expect((await app.postRaw('/book', '"2026-12-02T09:00:00Z"')).body).toEqual({
        status: 'failed',
        reason: 'The booking request could not be read.',
      });
    });

    it('should never answer 5xx nor stop answering, whatever the body', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      const bodies = [
        'null',
        'true',
        '0',
        '""',
        '[]',
        '{}',
        '{"start_iso": null}',
        '{"start_iso": ["2026-12-02T09:00:00Z"]}',
        '{"contact_id": "c", "start_iso": "9999-12-31T23:59:59Z"}',
        '{"contact_id": "c", "start_iso": "0000-01-01T00:00:00Z"}',
        '{"contact_id": "c", "start_iso": "2026-12-02T09:00:00+99:99"}',
        '{"contact_id": "\\u0000\\ud800", "start_iso": "2026-12-02T09:00:00Z"}',
        '{"contact_id": "🙂 名前", "start_iso": "2026-12-02T09:00:00Z", "contact_details": {"name": "Zoë \\u202e"}}',
        '{"contact_id": 1e308, "start_iso": "2026-12-02T09:30:00Z"}',
        '{"__proto__": {"polluted": 1}, "contact_id": "p", "start_iso": "2026-12-02T10:00:00Z"}',
        '{"contact_id": "c", "start_iso": "2026-12-02T09:00:00Z", "unknown": {"deep": [1, 2, 3]}}',
        '   ',
        '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
      ];
      for (const path of ['/available', '/book', '/calendars/main/book']) {
        for (const raw of bodies) {
          const answer = await app.postRaw(path, raw);
          expect(answer.status, `${path} ${raw.slice(0, 60)}`).toBeLessThan(500);
        }
      }
      expect((await app.post('/available', {})).status).toBe(200);
    });
  });
});
