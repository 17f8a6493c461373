import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { ADMIN, apiPost, bookedId, expectProblem, expectRefused } from './api-client.js';
import { appsOn, eventually, starts, type Running } from './harness.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
// Berlin is UTC+1 in December: hours 10:00-17:00 are 09:00-16:00Z; 45-minute slots on a 15-minute grid.
const CALENDARS = `calendars:
  - id: physio
    timezone: Europe/Berlin
    duration: 45m
    interval: 15m
    hours: { mon-sun: ["10:00-17:00"] }
    resources:
      - id: lena
        sources: [{ type: caldav, url: "http://127.0.0.1:9/lena/", write_bookings: true }]
      - id: max
  - id: solo
    timezone: Europe/Berlin
    duration: 45m
    hours: { mon-sun: ["10:00-17:00"] }
`;
const YAML = ADMIN + CALENDARS;

const at = (date: number, time: string) => `2026-12-${String(date).padStart(2, '0')}T${time}:00.000Z`;

const move = (app: Running, id: string, body: unknown, token?: string | null) =>
  apiPost(app, `/bookings/${encodeURIComponent(id)}/move`, body, token);

const book = (app: Running, contactId: string, startIso: string, calendar?: string) =>
  bookedId(app, { contact_id: contactId, start_iso: startIso }, calendar);

describe.each(DIALECTS)('moving a booking through the API on %s', (dialect) => {
  const start = appsOn(dialect);

  it('should keep the id, write booking.moved, and free the old slot and take the new one for every app', async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    const id = await book(first, 'c_123', at(2, '09:00'));
    await book(first, 'c_456', at(2, '09:00'));
    const onMax = await apiPost(first, '/bookings', { calendar: 'physio', start_iso: at(2, '13:00'), resource: 'max' });
    expect(onMax.status).toBe(201);
    const offersBefore = async (app: Running) => {
      const offered = starts(await app.post('/available', {}));
      expect(offered).not.toContain(at(2, '09:00'));
      expect(offered).toContain(at(2, '13:00'));
    };
    await offersBefore(first);
    await eventually(() => offersBefore(second));
    const mark = await first.store.changeMark('physio');

    first.setNow(NOW + 60_000);
    const reply = await move(first, id, { start_iso: '2026-12-02T14:00:00+01:00' });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      id,
      calendar: 'physio',
      resource: 'lena',
      start_iso: at(2, '13:00'),
      end_iso: at(2, '13:45'),
      timezone: 'Europe/Berlin',
      status: 'active',
      contact_id: 'c_123',
      external_contact_id: null,
      contact_details: { name: 'Ada' },
      created_at: new Date(NOW).toISOString(),
      created_by: 'telli',
      cancelled_at: null,
      cancel_reason: null,
    });
    expect(await first.store.changeMark('physio')).not.toBe(mark);
    const [, moved] = await first.store.bookingHistory(id);
    expect(moved).toMatchObject({
      at: NOW + 60_000,
      actor: 'front-desk',
      action: 'booking.moved',
      bookingId: id,
      before: { start_iso: at(2, '09:00'), end_iso: at(2, '09:45'), resource: 'lena' },
      after: { start_iso: at(2, '13:00'), end_iso: at(2, '13:45'), resource: 'lena' },
    });
    const offersAfter = async (app: Running) => {
      const offered = starts(await app.post('/available', {}));
      expect(offered).toContain(at(2, '09:00'));
      expect(offered).not.toContain(at(2, '13:00'));
    };
    await offersAfter(first);
    await eventually(() => offersAfter(second));
  });

  it('should move a booking by a quarter of an hour over its own time, but not onto another booking', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await book(app, 'c_123', at(2, '09:00'));
    await book(app, 'c_456', at(2, '10:30'));

    const later = await move(app, id, { start_iso: at(2, '09:15') });
    expect(later.body).toMatchObject({ id, start_iso: at(2, '09:15'), resource: 'lena' });

    const mark = await app.store.changeMark('physio');
    const onto = await move(app, id, { start_iso: at(2, '10:15'), resource: 'max' });
    expectRefused(onto, 'taken');
    const forced = await move(app, id, { start_iso: at(2, '10:45'), resource: 'max', force: true });
    expectRefused(forced, 'taken');
    expect(forced.body.alternatives).not.toContain(at(2, '10:45'));
    expect(await app.store.bookingById(id)).toMatchObject({ start: Date.parse(at(2, '09:15')), resourceId: 'lena' });
    expect(await app.store.changeMark('physio')).toBe(mark);
    expect((await app.store.bookingHistory(id)).map((entry) => entry.action)).toEqual([
      'booking.created',
      'booking.moved',
    ]);
  });

  it("should hold to the calendar's rules unless forced, and move to another resource when asked", async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await book(app, 'c_123', at(2, '09:00'));

    expectRefused(await move(app, id, { start_iso: at(3, '07:00') }), 'closed');
    expectRefused(await move(app, id, { start_iso: at(3, '09:05') }), 'off_grid');
    expectRefused(await move(app, id, { start_iso: '2026-11-30T09:00:00Z', force: true }), 'past');
    const outside = await move(app, id, { start_iso: at(3, '07:05'), force: true });
    expect(outside.body).toMatchObject({ id, start_iso: at(3, '07:05'), end_iso: at(3, '07:50'), resource: 'lena' });

    const elsewhere = await move(app, id, { start_iso: at(3, '09:00'), resource: 'max' });
    expect(elsewhere.body).toMatchObject({ id, start_iso: at(3, '09:00'), resource: 'max' });
    expect((await app.store.bookingHistory(id)).at(-1)).toMatchObject({
      before: { start_iso: at(3, '07:05'), resource: 'lena' },
      after: { start_iso: at(3, '09:00'), resource: 'max' },
    });
    // Lena's calendar takes the event back: its delete is queued, as its put was.
    const queued = await app.store.claimWritebacks(NOW + 1, NOW + 60_000, 10);
    expect(queued.map((writeback) => writeback.action).sort()).toEqual(['delete', 'put']);
  });

  it('should queue the CalDAV put again after a move, also when the first put was done', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await book(app, 'c_123', at(2, '09:00'));
    const [put] = await app.store.claimWritebacks(NOW, NOW + 60_000, 10);
    expect(put).toMatchObject({ bookingId: id, action: 'put', generation: 0 });
    await app.store.writebackDone(put!, NOW);

    app.setNow(NOW + 60_000);
    expect((await move(app, id, { start_iso: at(2, '10:00') })).status).toBe(200);

    expect(await app.store.claimWritebacks(NOW + 60_000, NOW + 120_000, 10)).toEqual([
      { bookingId: id, sourceId: put!.sourceId, action: 'put', attempts: 0, generation: 1 },
    ]);
  });

  it('should answer 404, 409 for a booking that is not active, 400 for bad bodies and 401, never a 5xx', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await book(app, 'c_123', at(2, '09:00'));
    const replaced = await book(app, 'c_456', at(2, '10:00'));
    await book(app, 'c_456', at(2, '11:00'));
    const cancelled = await book(app, 'c_789', at(2, '12:00'));
    expect((await apiPost(app, `/bookings/${cancelled}/cancel`, {})).status).toBe(200);
    const mark = await app.store.changeMark('physio');
    const good = { start_iso: at(2, '13:00') };

    expectProblem(await move(app, 'no-such-booking', good), 404);
    expectProblem(await move(app, replaced, good), 409);
    expectProblem(await move(app, cancelled, good), 409);
    expectProblem(await move(app, id, { start_iso: 'soon' }), 400, 'start_iso');
    expectProblem(await move(app, id, { start_iso: 1_764_666_000_000 }), 400, 'start_iso');
    expectProblem(await move(app, id, {}), 400, 'start_iso');
    expectProblem(await move(app, id, { ...good, resource: 'ghost' }), 400, 'resource');
    expectProblem(await move(app, id, { ...good, resource: 5 }), 400, 'resource');
    expectProblem(await move(app, id, { ...good, force: 1 }), 400, 'force');
    expectProblem(await move(app, id, { ...good, when: 'later' }), 400);
    expectProblem(await move(app, id, [good]), 400);
    expectProblem(await move(app, 'bad\u0000id', good), 400, 'id');
    expect((await move(app, id, '{"start_iso":')).status).toBe(400);
    expectProblem(await move(app, id, good, null), 401);

    expect(await app.store.changeMark('physio')).toBe(mark);
    expect((await app.store.bookingById(id))?.start).toBe(Date.parse(at(2, '09:00')));
  });

  it('should let exactly one of a move and a telli booking of the same slot win, on two apps', async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    for (let round = 0; round < 6; round++) {
      const date = 2 + round;
      const id = await book(first, `mover-${round}`, at(date, '09:00'), 'solo');
      const moving = () => move(first, id, { start_iso: at(date, '10:30') });
      const booking = () =>
        second.post('/calendars/solo/book', { contact_id: `caller-${round}`, start_iso: at(date, '10:30') });
      // Each sent first in turn, so that on SQLite too each of them gets to win.
      const [moved, booked] =
        round % 2 === 0
          ? await Promise.all([moving(), booking()])
          : await Promise.all([booking(), moving()]).then(([answer, reply]) => [reply, answer] as const);

      const moveWon = moved.status === 200;
      expect(booked.body.status).toBe(moveWon ? 'failed' : 'success');
      if (!moveWon) expectRefused(moved, 'taken');
      const atTarget = (await first.store.activeBookings('solo', NOW)).filter(
        (booking) => booking.start === Date.parse(at(date, '10:30')),
      );
      expect(atTarget).toHaveLength(1);
      expect(atTarget[0]!.id === id).toBe(moveWon);
    }
  });
});
