import { loggedApp } from './logged-app.js';
import { describe, expect, it } from 'vitest';
import { sign } from '../../src/contract/signature.js';

describe('logs', () => {
  it('should be JSON lines with a request id and carry no key, signature, e-mail or phone number', async () => {
    const key = 'secret-telli-key-0123456789';
    const { app, lines, close } = await loggedApp(
      `signing_keys: ["${key}"]\ncalendars:\n  - { id: main, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-12:00"] } }\n`,
      { level: 'trace', now: Date.parse('2026-12-01T06:00:00Z') },
    );
    const requests = [
      {
        contact_id: 'ada@example.com',
        start_iso: '2026-12-02T09:00:00Z',
        contact_details: { email: 'ada@example.com', phone: '+4930123456' },
      },
      { contact_id: '+4930123456', start_iso: 'garbage', contact_details: { phone_number: '+4930123456' } },
    ];
    for (const body of requests) {
      const raw = JSON.stringify(body);
      await app.inject({
        method: 'POST',
        url: '/book',
        headers: { 'content-type': 'application/json', 'x-telli-signature': sign(raw, key) },
        payload: raw,
      });
      await app.inject({
        method: 'POST',
        url: '/book',
        headers: { 'content-type': 'application/json', 'x-telli-signature': 'f'.repeat(64) },
        payload: raw,
      });
    }
    await app.inject({
      method: 'POST',
      url: '/available',
      headers: { 'content-type': 'application/json' },
      payload: '{"broken',
    });
    await close();

    expect(lines.length).toBeGreaterThan(5);
    const log = lines.join('');
    for (const secret of [
      key,
      sign(JSON.stringify(requests[0]), key),
      'f'.repeat(64),
      'ada@example.com',
      '4930123456',
    ]) {
      expect(log).not.toContain(secret);
    }
    const requestLines = lines.map((line) => JSON.parse(line)).filter((entry) => entry.req || entry.res);
    expect(requestLines.every((entry) => typeof entry.reqId === 'string')).toBe(true);
  });
});

describe('request log lines', () => {
  it('should show the path of a feed request but never its token or another secret parameter', async () => {
    const token = 'feed-token-4f9c2e7b1d';
    const { app, lines, close } = await loggedApp(
      `calendars:\n  - { id: physio, timezone: UTC, duration: 30m, feed_token: "${token}", hours: { mon-sun: ["09:00-12:00"] } }\n`,
      { level: 'info' },
    );
    try {
      const feed = await app.inject({ url: `/calendars/physio/bookings.ics?token=${token}` });
      expect(feed.statusCode).toBe(200);
      await app.inject({ url: `/calendars/physio/resources/physio/bookings.ics?view=week&%74oken=${token}` });
      await app.inject({ url: `/calendars/physio/bookings.ics?api_key=${token}&signature=${token}` });
    } finally {
      await close();
    }

    expect(lines.join('')).not.toContain(token);
    const urls = lines.map((line) => JSON.parse(line).req?.url).filter((url) => url !== undefined);
    expect(urls).toEqual([
      '/calendars/physio/bookings.ics?token=[redacted]',
      '/calendars/physio/resources/physio/bookings.ics?view=week&%74oken=[redacted]',
      '/calendars/physio/bookings.ics?api_key=[redacted]&signature=[redacted]',
    ]);
  });
});

describe('the request line', () => {
  it.each([
    ['written at once', false],
    ['made when a batching stream writes its batch', true],
  ])(
    'should be one line per request at info, with its id, path, status, time and what the route adds: %s',
    async (_, batched) => {
      const { app, lines, close } = await loggedApp(
        'calendars:\n  - { id: physio, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-12:00"] }, resources: [{ id: anna }] }\n',
        { level: 'info', now: Date.parse('2026-12-01T06:00:00Z'), batched },
      );
      let answered = 0;
      try {
        const available = await app.inject({
          method: 'POST',
          url: '/calendars/physio/available',
          headers: { 'x-request-id': 'call-42' },
          payload: {},
        });
        expect(available.statusCode).toBe(200);
        await app.inject({ method: 'POST', url: '/calendars/nowhere/available', payload: {} });
      } finally {
        answered = Date.now();
        await close();
      }

      const entries = lines.map((line) => JSON.parse(line));
      const requestLines = entries.filter((entry) => entry.reqId !== undefined);
      expect(
        requestLines.map(({ reqId, msg, req, res, calendar, slots }) => ({ reqId, msg, req, res, calendar, slots })),
      ).toEqual([
        {
          reqId: 'call-42',
          msg: 'request completed',
          req: { method: 'POST', url: '/calendars/physio/available', remoteAddress: '127.0.0.1' },
          res: { statusCode: 200 },
          calendar: 'physio',
          slots: 40,
        },
        {
          reqId: expect.any(String),
          msg: 'request completed',
          req: { method: 'POST', url: '/calendars/nowhere/available', remoteAddress: '127.0.0.1' },
          res: { statusCode: 404 },
        },
      ]);
      expect(requestLines.every((entry) => entry.level === 30 && typeof entry.responseTime === 'number')).toBe(true);
      // The time a request completed, not the time its line was made (BATCH_DELAY_MS later when batched).
      expect(requestLines.every((entry) => entry.time <= answered)).toBe(true);
    },
  );

  it('should stay valid JSON whatever the caller puts in its request id and path', async () => {
    const { app, lines, close } = await loggedApp(
      'calendars:\n  - { id: physio, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-12:00"] }, resources: [{ id: anna }] }\n',
      { level: 'info', now: Date.parse('2026-12-01T06:00:00Z') },
    );
    const id = 'call "42" \\ \t ✓ 😀';
    try {
      await app.inject({
        method: 'POST',
        url: '/calendars/physio/available',
        headers: { 'x-request-id': id },
        payload: {},
      });
      await app.inject({ method: 'GET', url: '/nowhere/%22?x=\\' });
    } finally {
      await close();
    }

    const requestLines = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request completed');
    expect(requestLines.map(({ reqId, req }) => [reqId === id, req.url])).toEqual([
      [true, '/calendars/physio/available'],
      [false, '/nowhere/%22?x=\\'],
    ]);
  });
});

describe('the booking line', () => {
  it('should name the calendar, outcome, resource, start and reason code, and nothing about the caller', async () => {
    const { app, lines, close } = await loggedApp(
      'calendars:\n  - { id: physio, timezone: Europe/Berlin, duration: 30m, hours: { mon-sun: ["09:00-12:00"] }, resources: [{ id: anna }] }\n',
      { level: 'info', now: Date.parse('2026-12-01T06:00:00Z') },
    );
    const book = (body: unknown) =>
      app.inject({ method: 'POST', url: '/calendars/physio/book', payload: body as Record<string, unknown> });
    try {
      await book({ contact_id: '+4930123456', start_iso: '2026-12-02T09:00:00+01:00' });
      await book({ contact_id: 'other@example.com', start_iso: '2026-12-02T08:00:00Z' });
      await book({ start_iso: '2026-12-02T08:30:00Z', contact_details: { phone: '+4930123456' } });
      await book({ contact_id: '+4930123456', start_iso: 'soon' });
    } finally {
      await close();
    }

    const bookingLines = lines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === 'request completed' && entry.req.url === '/calendars/physio/book');
    const fields = bookingLines.map(({ calendar, outcome, resource, start, reason }) => ({
      calendar,
      outcome,
      resource,
      start,
      reason,
    }));
    expect(fields).toEqual([
      { calendar: 'physio', outcome: 'success', resource: 'anna', start: '2026-12-02T08:00:00.000Z' },
      { calendar: 'physio', outcome: 'conflict', start: '2026-12-02T08:00:00.000Z', reason: 'taken' },
      { calendar: 'physio', outcome: 'invalid', start: '2026-12-02T08:30:00.000Z', reason: 'missing_contact' },
      { calendar: 'physio', outcome: 'invalid', reason: 'bad_start' },
    ]);
    const log = bookingLines.map((entry) => JSON.stringify(entry)).join('\n');
    for (const personal of ['4930123456', 'example.com']) expect(log).not.toContain(personal);
  });
});
