import { describe, expect, it } from 'vitest';
import { appsOn, calendarYaml, type Running } from '../http/harness.js';
import { ADMIN_YAML, TOKEN } from './browser.js';

// The dashboard's security and bad input over plain HTTP: what a browser test cannot see.
const NOW = Date.parse('2026-12-01T06:00:00Z');
const OWNER = 'owner-token-0123456789abcdefghij';
const TWO_TOKENS = `${ADMIN_YAML}    - { name: owner, token: "${OWNER}" }\n`;
const CALENDAR = calendarYaml({ id: 'physio', timezone: 'Europe/Berlin', hours: '{ mon-sun: ["09:00-17:00"] }' });

interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function get(app: Running, path: string, cookie = '', headers: Record<string, string> = {}): Promise<Page> {
  const response = await fetch(app.url + path, { headers: { cookie, ...headers }, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function postForm(app: Running, path: string, form: Record<string, string>, cookie: string, headers = {}) {
  const response = await fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** `name=value; ...` of the cookies an answer sets, added to those sent. */
function cookiesAfter(sent: string, answer: Page): string {
  const jar = new Map(sent ? sent.split('; ').map((pair) => pair.split('=', 2) as [string, string]) : []);
  for (const line of answer.headers.getSetCookie()) {
    const [pair] = line.split(';', 1);
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

const csrfOf = (page: Page) => /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;

/** Signs in as a browser would: the form (for its CSRF token and cookie), then the post. */
async function signIn(app: Running, token: string, headers: Record<string, string> = {}) {
  const form = await get(app, '/admin/sign-in', '', headers);
  const cookie = cookiesAfter('', form);
  const answer = await postForm(app, '/admin/sign-in', { _csrf: csrfOf(form), token }, cookie, headers);
  return { answer, cookie: cookiesAfter(cookie, answer) };
}

describe('the dashboard over HTTP', () => {
  const start = appsOn('sqlite');

  it('should answer 404 everywhere under /admin when no admin token is configured', async () => {
    const app = await start({ yaml: CALENDAR, now: NOW });
    for (const path of ['/admin', '/admin/sign-in', '/admin/assets/dashboard.css', '/admin/bookings']) {
      const page = await get(app, path);
      expect(page.status).toBe(404);
      expect(page.headers.get('content-security-policy')).toBeNull();
    }
  });

  it("should keep its headers and cookies off telli's routes", async () => {
    const app = await start({ yaml: TWO_TOKENS + CALENDAR, now: NOW });
    const available = await fetch(`${app.url}/available`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(available.status).toBe(200);
    expect(available.headers.get('content-security-policy')).toBeNull();
    expect(available.headers.getSetCookie()).toEqual([]);

    const signInPage = await get(app, '/admin/sign-in');
    expect(signInPage.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(signInPage.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('should set a strict HttpOnly session cookie for 12 hours, Secure behind an HTTPS proxy', async () => {
    const app = await start({ yaml: TWO_TOKENS + CALENDAR, now: NOW });
    const plain = await signIn(app, TOKEN);
    expect(plain.answer.status).toBe(303);
    expect(plain.answer.headers.get('location')).toBe('/admin');
    const session = plain.answer.headers.getSetCookie().find((line) => line.startsWith('slotline_session='))!;
    expect(session).toMatch(/; Max-Age=43200/);
    expect(session).toMatch(/; Path=\/admin/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).not.toMatch(/; Secure/);
    expect((await get(app, '/admin/bookings', plain.cookie)).status).toBe(200);

    const proxied = await signIn(app, TOKEN, { 'x-forwarded-proto': 'https' });
    const secure = proxied.answer.headers.getSetCookie().find((line) => line.startsWith('slotline_session='))!;
    expect(secure).toMatch(/; Secure/);
  });

  it('should end a session after 12 hours, when its token is removed, or when it was altered', async () => {
    const app = await start({ yaml: TWO_TOKENS + CALENDAR, now: NOW });
    const { cookie } = await signIn(app, OWNER);
    expect((await get(app, '/admin/bookings', cookie)).status).toBe(200);

    const altered = cookie.replace(/slotline_session=([^.]+)/, (_match, payload: string) => {
      const [, expiry] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, number];
      return `slotline_session=${Buffer.from(JSON.stringify(['front-desk', expiry])).toString('base64url')}`;
    });
    const refused = await get(app, '/admin/bookings', altered);
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/admin/sign-in');

    // The same database and config, but without the owner's token.
    const without = await start({ yaml: ADMIN_YAML + CALENDAR, now: NOW, database: app.database });
    expect((await get(without, '/admin/bookings', cookie)).status).toBe(303);

    app.setNow(NOW + 12 * 3_600_000 - 1);
    expect((await get(app, '/admin/bookings', cookie)).status).toBe(200);
    app.setNow(NOW + 12 * 3_600_000);
    expect((await get(app, '/admin/bookings', cookie)).status).toBe(303);
  });

  it('should refuse a form without its CSRF token', async () => {
    const app = await start({ yaml: TWO_TOKENS + CALENDAR, now: NOW });
    const form = await get(app, '/admin/sign-in');
    const cookie = cookiesAfter('', form);
    const forged = await postForm(app, '/admin/sign-in', { token: TOKEN }, cookie);
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie().some((line) => line.startsWith('slotline_session='))).toBe(false);

    const { cookie: session } = await signIn(app, TOKEN);
    const signOut = await postForm(app, '/admin/sign-out', { _csrf: 'forged' }, session);
    expect(signOut.status).toBe(403);
    const retry = await postForm(app, '/admin/email/mail_any/retry', { _csrf: 'forged' }, session);
    expect(retry.status).toBe(403);
  });

  it('should rate-limit sign-in attempts', async () => {
    const app = await start({ yaml: TWO_TOKENS + CALENDAR, now: NOW });
    const form = await get(app, '/admin/sign-in');
    const cookie = cookiesAfter('', form);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      const answer = await postForm(app, '/admin/sign-in', { _csrf: csrfOf(form), token: `guess-${attempt}` }, cookie);
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
    // Other dashboard pages are not limited.
    expect((await get(app, '/admin/sign-in')).status).toBe(200);
  });

  it('should mark a booking that no longer fits its hours, in the calendar zone', async () => {
    const app = await start({ yaml: TWO_TOKENS + CALENDAR, now: NOW });
    const booked = await app.post('/book', {
      contact_id: 'c1',
      contact_details: { name: 'Ada' },
      start_iso: '2026-12-02T15:00:00Z',
    });
    expect(booked.body).toEqual({ status: 'success' });
    // The same database with shorter hours: the 16:00 booking is now outside them.
    const shorter = calendarYaml({ id: 'physio', timezone: 'Europe/Berlin', hours: '{ mon-sun: ["09:00-13:00"] }' });
    const later = await start({ yaml: TWO_TOKENS + shorter, now: NOW, database: app.database });
    const { cookie } = await signIn(later, TOKEN);

    const page = await get(later, '/admin/calendars/physio?date=2026-12-02', cookie);
    const data = JSON.parse(
      /<script type="application\/json" id="calendar-data">(.*?)<\/script>/s.exec(page.text)![1]!,
    );
    expect(data).toMatchObject({ view: 'resourceTimeGridDay', date: '2026-12-02', timeZone: '+01:00' });
    expect(data.events).toContainEqual(
      expect.objectContaining({
        resourceIds: ['physio'],
        start: '2026-12-02T16:00:00',
        end: '2026-12-02T16:30:00',
        classNames: ['booking', 'flagged'],
        extendedProps: expect.objectContaining({ time: '16:00', name: 'Ada', flags: ['outside hours'] }),
      }),
    );
    expect(data.events).toContainEqual(
      expect.objectContaining({ start: '2026-12-02T09:00:00', end: '2026-12-02T13:00:00', display: 'background' }),
    );
  });

  it('should answer bad input with a 4xx page and change nothing', async () => {
    const app = await start({ yaml: TWO_TOKENS + CALENDAR, now: NOW });
    const booked = await app.post('/book', {
      contact_id: 'c1',
      contact_details: { name: 'Ada' },
      start_iso: '2026-12-02T09:00:00Z',
    });
    expect(booked.body).toEqual({ status: 'success' });
    const [booking] = await app.store.bookings('physio');
    const { cookie } = await signIn(app, TOKEN);

    const cases: [string, number][] = [
      ['/admin/calendars/physio?date=2026-02-30', 400],
      ['/admin/calendars/physio?date=tomorrow', 400],
      ['/admin/calendars/physio?view=month', 400],
      ['/admin/calendars/nope', 404],
      ['/admin/bookings?status=bogus', 400],
      [`/admin/bookings?q=${'a'.repeat(201)}`, 400],
      [`/admin/bookings?q=${'a'.repeat(5000)}`, 400],
      ['/admin/bookings?cursor=forged.cursor', 400],
      ['/admin/bookings/no-such-booking', 404],
      ['/admin/bookings/no-such-booking/cancel', 404],
      ['/admin/nothing-here', 404],
      ['/admin/bookings/no-such-booking/move', 404],
      [`/admin/bookings/${booking!.id}/move?date=2026-02-30`, 400],
      [`/admin/bookings/${booking!.id}/move?date=soon`, 400],
      ['/admin/calendars/nope/time-off', 404],
      ['/admin/calendars/physio/time-off?date=never', 400],
      ['/admin/webhooks?done=bogus', 400],
      ['/admin/email?done=bogus', 400],
    ];
    for (const [path, status] of cases) {
      const page = await get(app, path, cookie);
      expect({ path, status: page.status }).toEqual({ path, status });
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    }

    const form = await get(app, `/admin/bookings/${booking!.id}/cancel`, cookie);
    const withCsrf = cookiesAfter(cookie, form);
    const tooLong = await postForm(
      app,
      `/admin/bookings/${booking!.id}/cancel`,
      { _csrf: csrfOf(form), reason: 'x'.repeat(501) },
      withCsrf,
    );
    expect(tooLong.status).toBe(400);
    const unknown = await postForm(app, '/admin/bookings/no-such-booking/cancel', { _csrf: csrfOf(form) }, withCsrf);
    expect(unknown.status).toBe(404);

    const csrf = { _csrf: csrfOf(form) };
    const posts: [string, Record<string, string>, number][] = [
      [`/admin/bookings/${booking!.id}/move`, { kind: 'slot', slot: 'physio not-a-time' }, 400],
      [`/admin/bookings/${booking!.id}/move`, { kind: 'slot' }, 400],
      [`/admin/bookings/${booking!.id}/move`, { kind: 'slot', slot: 'nobody 2026-12-02T10:00:00.000Z' }, 400],
      [
        `/admin/bookings/${booking!.id}/move`,
        { kind: 'time', resource: 'physio', date: '2026-13-01', time: '10:00' },
        400,
      ],
      ['/admin/bookings/no-such-booking/move', { kind: 'slot', slot: 'physio 2026-12-02T10:00:00.000Z' }, 404],
      ['/admin/calendars/physio/time-off', { start_date: '2026-12-02', start_time: '25:00' }, 400],
      [
        '/admin/calendars/physio/time-off',
        { start_date: '2026-12-02', start_time: '12:00', end_date: '2026-12-02', end_time: '11:00' },
        400,
      ],
      [
        '/admin/calendars/physio/time-off',
        {
          resource: 'nobody',
          start_date: '2026-12-02',
          start_time: '09:00',
          end_date: '2026-12-02',
          end_time: '11:00',
        },
        400,
      ],
      ['/admin/calendars/nope/time-off', {}, 404],
      ['/admin/time-off/no-such-time-off/remove', {}, 404],
      ['/admin/webhooks/no-such-delivery/retry', {}, 404],
      ['/admin/email/no-such-delivery/retry', {}, 404],
    ];
    for (const [path, fields, status] of posts) {
      const answer = await postForm(app, path, { ...csrf, ...fields }, withCsrf);
      expect({ path, fields, status: answer.status }).toEqual({ path, fields, status });
    }
    // Without the CSRF token, nothing is done.
    const forged = await postForm(app, `/admin/bookings/${booking!.id}/move`, { kind: 'time' }, withCsrf);
    expect(forged.status).toBe(403);
    expect(await app.store.timeOffs({ calendarId: 'physio' })).toEqual([]);
    expect(await app.store.bookingById(booking!.id)).toMatchObject({ status: 'active', start: booking!.start });
  });
});
