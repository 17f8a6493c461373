import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { ADMIN, apiCall, expectProblem, type Reply } from './api-client.js';
import { appsOn, eventually, starts, type Running } from './harness.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
// Berlin is UTC+1 in December: hours 10:00-17:00 are 09:00-16:00 UTC, slots every 45 minutes.
const NINE = '2026-12-02T09:00:00.000Z';
const NINE_45 = '2026-12-02T09:45:00.000Z';
const TEN_30 = '2026-12-02T10:30:00.000Z';
const CALENDARS = `calendars:
  - id: physio
    timezone: Europe/Berlin
    duration: 45m
    hours: { mon-sun: ["10:00-17:00"] }
    horizon: 3d
    max_slots: 100
    resources: [{ id: lena }, { id: tom }]
  - { id: main, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-12:00"] } }
`;
const YAML = ADMIN + CALENDARS;

const addTimeOff = (app: Running, body: unknown, token?: string | null) =>
  apiCall(app, 'POST', '/time-off', body, token);

async function book(app: Running, contactId: string, startIso: string): Promise<Reply & { id?: string }> {
  const answer = await app.post('/book', {
    contact_id: contactId,
    contact_details: { name: contactId },
    start_iso: startIso,
  });
  const [booking] = (await app.store.bookings('physio')).filter(
    (candidate) => candidate.contactId === contactId && candidate.status === 'active',
  );
  return { status: answer.status, type: null, body: answer.body, id: booking?.id };
}

async function auditEntries(app: Running): Promise<any[]> {
  const reply = await apiCall(app, 'GET', '/audit');
  expect(reply.status).toBe(200);
  return reply.body.entries;
}

describe.each(DIALECTS)('time off through the API on %s', (dialect) => {
  const start = appsOn(dialect);

  it('should close the whole calendar at once on every app, list the bookings in it and leave them booked', async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    const booked = await book(first, 'c_1', NINE);
    expect(booked.body).toEqual({ status: 'success' });
    // Both apps hold the day in memory before the time off.
    expect(starts(await first.post('/available', {}))).toContain(NINE_45);
    expect(starts(await second.post('/available', {}))).toContain(NINE_45);

    const reply = await addTimeOff(first, {
      calendar: 'physio',
      start_iso: '2026-12-02T10:00:00+01:00',
      end_iso: TEN_30,
      note: 'Team training',
    });

    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: expect.any(String),
      calendar: 'physio',
      resource: null,
      start_iso: NINE,
      end_iso: TEN_30,
      note: 'Team training',
      created_at: new Date(NOW).toISOString(),
      created_by: 'front-desk',
      conflicts: [
        expect.objectContaining({ id: booked.id, start_iso: NINE, status: 'active', contact_details: { name: 'c_1' } }),
      ],
    });
    expect((await first.store.bookingById(booked.id!))?.status).toBe('active');
    const closed = async (app: Running) => {
      const offered = starts(await app.post('/available', {}));
      expect(offered).not.toContain(NINE);
      expect(offered).not.toContain(NINE_45);
      expect(offered).toContain(TEN_30);
    };
    await closed(first);
    await eventually(() => closed(second));
    expect((await book(second, 'c_2', NINE_45)).body.status).toBe('failed');
    expect((await book(first, 'c_3', NINE_45)).body.status).toBe('failed');
    expect((await book(second, 'c_4', TEN_30)).body).toEqual({ status: 'success' });

    const entries = await auditEntries(second);
    expect(entries.filter((entry) => entry.action === 'time_off.created')).toEqual([
      {
        at: new Date(NOW).toISOString(),
        actor: 'front-desk',
        action: 'time_off.created',
        booking_id: null,
        time_off_id: reply.body.id,
        before: null,
        after: { start_iso: NINE, end_iso: TEN_30, resource: null, note: 'Team training' },
      },
    ]);
  });

  it('should close one resource only: its bookings are the conflicts, and the others stay bookable', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const onLena = await book(app, 'c_1', NINE);
    const onTom = await book(app, 'c_2', NINE);
    const resourceOf = async (id: string | undefined) => (await app.store.bookingById(id!))?.resourceId;
    expect([await resourceOf(onLena.id), await resourceOf(onTom.id)]).toEqual(['lena', 'tom']);

    const reply = await addTimeOff(app, { calendar: 'physio', resource: 'lena', start_iso: NINE, end_iso: TEN_30 });

    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ resource: 'lena', note: null });
    expect(reply.body.conflicts.map((booking: { id: string }) => booking.id)).toEqual([onLena.id]);
    // Tom is free at 09:45, Lena is off: one booking fits, the second does not.
    expect(starts(await app.post('/available', {}))).toContain(NINE_45);
    const third = await book(app, 'c_3', NINE_45);
    expect(third.body).toEqual({ status: 'success' });
    expect(await resourceOf(third.id)).toBe('tom');
    expect(starts(await app.post('/available', {}))).not.toContain(NINE_45);
    expect((await book(app, 'c_4', NINE_45)).body.status).toBe('failed');
  });

  it('should free the time again when the time off is removed, on every app, and audit the removal', async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    const added = await addTimeOff(first, { calendar: 'physio', start_iso: NINE, end_iso: TEN_30, note: 'Ill' });
    expect(starts(await first.post('/available', {}))).not.toContain(NINE);
    await eventually(async () => expect(starts(await second.post('/available', {}))).not.toContain(NINE));

    first.setNow(NOW + 60_000);
    const removed = await apiCall(first, 'DELETE', `/time-off/${added.body.id}`);

    expect(removed).toEqual({ status: 204, type: null, body: '' });
    expect(starts(await first.post('/available', {}))).toContain(NINE);
    await eventually(async () => expect(starts(await second.post('/available', {}))).toContain(NINE));
    expect((await apiCall(first, 'GET', '/time-off')).body).toEqual({ time_off: [] });
    expectProblem(await apiCall(second, 'DELETE', `/time-off/${added.body.id}`), 404);
    expect((await book(second, 'c_1', NINE)).body).toEqual({ status: 'success' });
    const actions = (await auditEntries(first)).filter((entry) => entry.time_off_id === added.body.id);
    expect(actions).toEqual([
      expect.objectContaining({ action: 'time_off.created' }),
      {
        at: new Date(NOW + 60_000).toISOString(),
        actor: 'front-desk',
        action: 'time_off.deleted',
        booking_id: null,
        time_off_id: added.body.id,
        before: { start_iso: NINE, end_iso: TEN_30, resource: null, note: 'Ill' },
        after: null,
      },
    ]);
  });

  it('should list the time off overlapping a range, by start, in one calendar or all', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const add = async (body: Record<string, string>) => (await addTimeOff(app, body)).body.id as string;
    const lenaDec3 = await add({
      calendar: 'physio',
      resource: 'lena',
      start_iso: '2026-12-03T09:00Z',
      end_iso: '2026-12-03T10:00Z',
    });
    const physioDec2 = await add({ calendar: 'physio', start_iso: '2026-12-02T12:00Z', end_iso: '2026-12-02T13:00Z' });
    const mainDec2 = await add({ calendar: 'main', start_iso: '2026-12-02T10:00Z', end_iso: '2026-12-02T11:00Z' });
    const ids = (reply: Reply) => reply.body.time_off.map((timeOff: { id: string }) => timeOff.id);

    const all = await apiCall(app, 'GET', '/time-off');
    expect(ids(all)).toEqual([mainDec2, physioDec2, lenaDec3]);
    expect(all.body.time_off[2]).toEqual({
      id: lenaDec3,
      calendar: 'physio',
      resource: 'lena',
      start_iso: '2026-12-03T09:00:00.000Z',
      end_iso: '2026-12-03T10:00:00.000Z',
      note: null,
      created_at: new Date(NOW).toISOString(),
      created_by: 'front-desk',
    });
    expect(ids(await apiCall(app, 'GET', '/time-off?calendar=physio'))).toEqual([physioDec2, lenaDec3]);
    const range = 'from=2026-12-02T12:30:00Z&to=2026-12-03T09:00:00Z';
    expect(ids(await apiCall(app, 'GET', `/time-off?${range}`))).toEqual([physioDec2]);
    expect(ids(await apiCall(app, 'GET', `/time-off?calendar=main&${range}`))).toEqual([]);
    expect(ids(await apiCall(app, 'GET', '/time-off?from=2026-12-03T09:59:59Z'))).toEqual([lenaDec3]);
  });

  it('should either refuse a booking made while the time off is added or list it among the conflicts', async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    for (let round = 0; round < 6; round++) {
      const startIso = `2026-12-0${2 + (round % 2)}T${String(9 + Math.floor(round / 2)).padStart(2, '0')}:00:00.000Z`;
      const end = new Date(Date.parse(startIso) + 45 * 60_000).toISOString();
      const [added, booked] = await Promise.all([
        addTimeOff(first, { calendar: 'physio', resource: 'lena', start_iso: startIso, end_iso: end }),
        // Lena first: with tom free too, a booking would land on tom and conflict with nothing.
        book(second, `caller-${round}`, startIso),
      ]);

      expect(added.status).toBe(201);
      const conflicts = added.body.conflicts.map((booking: { id: string }) => booking.id);
      const resource = booked.id && (await first.store.bookingById(booked.id))?.resourceId;
      expect(conflicts).toEqual(resource === 'lena' ? [booked.id] : []);
    }
  });

  it('should answer bad requests with 4xx problems, never a 5xx, and change nothing', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const mark = await app.store.changeMark('physio');
    const valid = { calendar: 'physio', start_iso: NINE, end_iso: TEN_30 };

    expectProblem(await addTimeOff(app, { ...valid, end_iso: '2026-12-02T08:00:00Z' }), 400, 'end_iso');
    expectProblem(await addTimeOff(app, { ...valid, end_iso: NINE }), 400, 'end_iso');
    expectProblem(await addTimeOff(app, { ...valid, end_iso: '2027-12-04T09:00:00Z' }), 400, 'end_iso');
    expectProblem(await addTimeOff(app, { ...valid, calendar: 'nope' }), 400, 'calendar');
    expectProblem(await addTimeOff(app, { ...valid, resource: 'nobody' }), 400, 'resource');
    expectProblem(await addTimeOff(app, { ...valid, calendar: 'main', resource: 'lena' }), 400, 'resource');
    expectProblem(await addTimeOff(app, { ...valid, calendar: 42 }), 400, 'calendar');
    expectProblem(await addTimeOff(app, { ...valid, resource: null }), 400, 'resource');
    expectProblem(await addTimeOff(app, { ...valid, start_iso: 'tomorrow' }), 400, 'start_iso');
    expectProblem(await addTimeOff(app, { ...valid, start_iso: 1_796_000_000_000 }), 400, 'start_iso');
    expectProblem(await addTimeOff(app, { ...valid, end_iso: '2026-02-30T09:00:00Z' }), 400, 'end_iso');
    expectProblem(await addTimeOff(app, { calendar: 'physio', start_iso: NINE }), 400, 'end_iso');
    expectProblem(await addTimeOff(app, { ...valid, note: 'x'.repeat(501) }), 400, 'note');
    expectProblem(await addTimeOff(app, { ...valid, note: 'bad\u0000note' }), 400, 'note');
    expectProblem(await addTimeOff(app, { ...valid, reason: 'typo' }), 400);
    expectProblem(await addTimeOff(app, [valid]), 400);
    expect((await addTimeOff(app, '{"calendar":')).status).toBe(400);
    expectProblem(await addTimeOff(app, valid, null), 401);
    expectProblem(await addTimeOff(app, valid, 'wrong-token-0123456789abcdefghij'), 401);
    expectProblem(await apiCall(app, 'GET', '/time-off?calendar=nope'), 400, 'calendar');
    expectProblem(await apiCall(app, 'GET', '/time-off?from=yesterday'), 400, 'from');
    expectProblem(await apiCall(app, 'GET', `/time-off?from=${TEN_30}&to=${NINE}`), 400, 'to');
    expectProblem(await apiCall(app, 'GET', '/time-off?limit=5'), 400);
    expectProblem(await apiCall(app, 'GET', '/time-off', undefined, null), 401);
    expectProblem(await apiCall(app, 'DELETE', '/time-off/no-such-time-off'), 404);
    expectProblem(await apiCall(app, 'DELETE', '/time-off/bad%00id'), 400, 'id');
    expectProblem(await apiCall(app, 'DELETE', '/time-off/no-such-time-off', undefined, null), 401);

    expect(await app.store.changeMark('physio')).toBe(mark);
    expect(await app.store.changeMark('main')).toBe('0');
    expect((await apiCall(app, 'GET', '/time-off')).body).toEqual({ time_off: [] });
    expect(await auditEntries(app)).toEqual([]);
    expect(starts(await app.post('/available', {}))).toContain(NINE);
  });
});
