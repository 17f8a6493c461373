import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { ADMIN, apiPost, expectProblem, expectRefused, TOKEN } from './api-client.js';
import { appsOn, eventually, starts, type Running } from './harness.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
// Berlin is UTC+1 in December: hours 10:00-17:00 are 09:00-16:00Z, a slot every 45 minutes from 09:00Z.
const CALENDARS = `calendars:
  - id: physio
    timezone: Europe/Berlin
    duration: 45m
    min_notice: 4h
    horizon: 14d
    max_per_day: 2
    hours: { mon-sun: ["10:00-17:00"] }
    resources:
      - id: lena
        sources: [{ type: caldav, url: "http://127.0.0.1:9/lena/", write_bookings: true }]
      - id: max
`;
const YAML = ADMIN + CALENDARS;

const at = (date: number, time: string) => `2026-12-${String(date).padStart(2, '0')}T${time}:00.000Z`;

const create = (app: Running, body: unknown, token?: string | null) => apiPost(app, '/bookings', body, token);

describe.each(DIALECTS)('creating a booking through the API on %s', (dialect) => {
  const start = appsOn(dialect);

  it("should book in the token's name, write booking.created, and take the slot for every app", async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    expect(starts(await second.post('/available', {}))).toContain(at(2, '09:00'));

    const reply = await create(first, {
      calendar: 'physio',
      start_iso: '2026-12-02T10:00+01:00',
      resource: 'lena',
      contact_details: { name: 'Ada', phone: '+49 170 1234567' },
    });

    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: expect.any(String),
      calendar: 'physio',
      resource: 'lena',
      start_iso: at(2, '09:00'),
      end_iso: at(2, '09:45'),
      timezone: 'Europe/Berlin',
      status: 'active',
      contact_id: null,
      external_contact_id: null,
      contact_details: { name: 'Ada', phone: '+49 170 1234567' },
      created_at: new Date(NOW).toISOString(),
      created_by: 'front-desk',
      cancelled_at: null,
      cancel_reason: null,
    });
    const history = await first.store.bookingHistory(reply.body.id);
    expect(history).toEqual([
      expect.objectContaining({
        actor: 'front-desk',
        action: 'booking.created',
        before: null,
        after: { start_iso: at(2, '09:00'), end_iso: at(2, '09:45'), resource: 'lena', status: 'active' },
      }),
    ]);
    // Max is still free at 09:00; a booking without a resource takes him.
    expect(starts(await second.post('/available', {}))).toContain(at(2, '09:00'));
    const other = await create(first, { calendar: 'physio', start_iso: at(2, '09:00') });
    expect(other.body).toMatchObject({ resource: 'max', status: 'active' });
    expect(starts(await first.post('/available', {}))).not.toContain(at(2, '09:00'));
    await eventually(async () => expect(starts(await second.post('/available', {}))).not.toContain(at(2, '09:00')));
    const found = await fetch(`${first.url}/api/v1/bookings?q=0170%201234567`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(((await found.json()) as { bookings: { id: string }[] }).bookings.map((each) => each.id)).toEqual([
      reply.body.id,
    ]);
  });

  it("should refuse what telli's /book refuses with 409, its code and free alternatives, and write nothing", async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const mark = await app.store.changeMark('physio');

    expectRefused(await create(app, { calendar: 'physio', start_iso: at(3, '09:10') }), 'off_grid');
    expectRefused(await create(app, { calendar: 'physio', start_iso: at(3, '07:00') }), 'closed');
    expectRefused(await create(app, { calendar: 'physio', start_iso: at(1, '09:00') }), 'too_soon');
    expectRefused(await create(app, { calendar: 'physio', start_iso: at(20, '09:00') }), 'beyond_horizon');
    expectRefused(await create(app, { calendar: 'physio', start_iso: '2026-11-30T09:00:00Z' }), 'past');
    expectRefused(await create(app, { calendar: 'physio', start_iso: '2026-11-30T09:00:00Z', force: true }), 'past');

    expect(await app.store.changeMark('physio')).toBe(mark);
    expect(await app.store.bookings('physio')).toEqual([]);
  });

  it('should hold to the per-day cap and to busy time of other calendars unless forced past the cap', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    for (const time of ['09:00', '09:45']) {
      expect((await create(app, { calendar: 'physio', start_iso: at(4, time), resource: 'lena' })).status).toBe(201);
    }
    expectRefused(await create(app, { calendar: 'physio', start_iso: at(4, '10:30'), resource: 'lena' }), 'taken');
    const forced = await create(app, { calendar: 'physio', start_iso: at(4, '10:30'), resource: 'lena', force: true });
    expect(forced.status).toBe(201);

    await app.store.replaceBusy({ id: 'elsewhere', calendarId: 'physio', resourceId: 'lena' }, [
      { start: Date.parse(at(5, '09:00')), end: Date.parse(at(5, '10:00')) },
    ]);
    expectRefused(await create(app, { calendar: 'physio', start_iso: at(5, '09:00'), resource: 'lena' }), 'taken');
    const busyForced = await create(app, {
      calendar: 'physio',
      start_iso: at(5, '09:00'),
      resource: 'lena',
      force: true,
    });
    expectRefused(busyForced, 'taken');
    const onMax = await create(app, { calendar: 'physio', start_iso: at(5, '09:00') });
    expect(onMax.body).toMatchObject({ resource: 'max', start_iso: at(5, '09:00') });
  });

  it('should book outside hours, notice, grid and horizon with force, never over another booking', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const forced = async (startIso: string) =>
      create(app, { calendar: 'physio', start_iso: startIso, resource: 'lena', force: true });
    for (const startIso of [at(3, '07:00'), at(3, '09:10'), at(1, '09:00'), at(20, '09:00')]) {
      const reply = await forced(startIso);
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ start_iso: startIso, resource: 'lena', created_by: 'front-desk' });
    }
    const mark = await app.store.changeMark('physio');

    const overlapping = await forced(at(3, '09:30'));
    expectRefused(overlapping, 'taken');
    expect(overlapping.body.alternatives).not.toContain(at(3, '09:00'));
    // The forced booking at 09:10 is in the way of the grid slot at 09:00 too.
    expectRefused(await create(app, { calendar: 'physio', start_iso: at(3, '09:00'), resource: 'lena' }), 'taken');
    expect(await app.store.changeMark('physio')).toBe(mark);
  });

  it('should make a booking without a contact id its own contact, and one with an id follow /book', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const anonymous = { calendar: 'physio', start_iso: at(6, '09:00') };
    const one = await create(app, anonymous);
    const two = await create(app, anonymous);
    expect([one.status, two.status]).toEqual([201, 201]);
    expect([one.body.resource, two.body.resource].sort()).toEqual(['lena', 'max']);
    expectRefused(await create(app, anonymous), 'taken');

    const mine = { calendar: 'physio', start_iso: at(7, '09:00'), contact_id: 'c_1', contact_details: { name: 'Bo' } };
    const made = await create(app, mine);
    expect(made.status).toBe(201);
    const mark = await app.store.changeMark('physio');
    const again = await create(app, mine);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(made.body);
    expect(await app.store.changeMark('physio')).toBe(mark);

    const moved = await create(app, { ...mine, start_iso: at(7, '10:30') });
    expect(moved.status).toBe(201);
    expect((await app.store.bookingById(made.body.id))?.status).toBe('replaced');
    const actions = (await app.store.bookingHistory(made.body.id)).map((entry) => [entry.action, entry.actor]);
    expect(actions).toEqual([
      ['booking.created', 'front-desk'],
      ['booking.replaced', 'front-desk'],
    ]);
  });

  it('should answer bad bodies with a 400 naming the field, 401 without a token, never a 5xx, and write nothing', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const mark = await app.store.changeMark('physio');
    const good = { calendar: 'physio', start_iso: at(2, '09:00') };
    const deep = JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40));

    expectProblem(await create(app, { ...good, calendar: 'dental' }), 400, 'calendar');
    expectProblem(await create(app, { ...good, resource: 'ghost' }), 400, 'resource');
    expectProblem(await create(app, { ...good, start_iso: 'tomorrow at nine' }), 400, 'start_iso');
    expectProblem(await create(app, { ...good, start_iso: '2026-02-30T09:00:00Z' }), 400, 'start_iso');
    expectProblem(await create(app, { ...good, start_iso: 1_764_666_000_000 }), 400, 'start_iso');
    expectProblem(await create(app, { ...good, calendar: 7 }), 400, 'calendar');
    expectProblem(await create(app, { ...good, force: 'yes' }), 400, 'force');
    expectProblem(await create(app, { ...good, contact_id: 42 }), 400, 'contact_id');
    expectProblem(await create(app, { ...good, contact_id: 'a\u0000b' }), 400, 'contact_id');
    expectProblem(await create(app, { ...good, contact_details: ['Ada'] }), 400, 'contact_details');
    expectProblem(await create(app, { ...good, contact_details: deep }), 400, 'contact_details');
    expectProblem(await create(app, { ...good, colour: 'red' }), 400);
    expectProblem(await create(app, { start_iso: at(2, '09:00') }), 400, 'calendar');
    expectProblem(await create(app, [good]), 400);
    expect((await create(app, '{"calendar":')).status).toBe(400);
    expectProblem(await create(app, good, null), 401);
    expectProblem(await create(app, good, 'wrong-token-0123456789abcdefghij'), 401);

    expect(await app.store.changeMark('physio')).toBe(mark);
    expect(await app.store.bookings('physio')).toEqual([]);
    expect((await create(app, { ...good, contact_id: null, external_contact_id: null })).status).toBe(201);
  });
});
