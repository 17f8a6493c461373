import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { ADMIN, apiCall, bookedId, expectProblem } from './api-client.js';
import { appsOn, eventually, starts, type Running } from './harness.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const NINE = '2026-12-02T09:00:00.000Z';
// A CalDAV source nobody answers: bookings are queued for it, and nothing here sends them.
const CALENDARS = `calendars:
  - id: physio
    timezone: Europe/Berlin
    duration: 45m
    hours: { mon-sun: ["10:00-17:00"] }
    on_rebook: reject
    resources:
      - id: lena
        sources: [{ type: caldav, url: "http://127.0.0.1:9/lena/", write_bookings: true }]
`;
const YAML = ADMIN + CALENDARS;

const cancel = (app: Running, id: string, body?: unknown, token?: string | null) =>
  apiCall(app, 'POST', `/bookings/${encodeURIComponent(id)}/cancel`, body, token);

const bookNine = (app: Running, contactId = 'c_123') =>
  bookedId(app, { contact_id: contactId, external_contact_id: 'crm-42', start_iso: NINE });

describe.each(DIALECTS)('cancelling a booking through the API on %s', (dialect) => {
  const start = appsOn(dialect);

  it('should answer the cancelled booking and free its slot at once, and moments later for another app on the database', async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    const id = await bookNine(first);
    // Both apps hold the booked day in memory before the cancel.
    expect(starts(await first.post('/available', {}))).not.toContain(NINE);
    await eventually(async () => expect(starts(await second.post('/available', {}))).not.toContain(NINE));

    first.setNow(NOW + 60_000);
    const reply = await cancel(first, id, { reason: 'Called in sick' });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      id,
      calendar: 'physio',
      resource: 'lena',
      start_iso: NINE,
      end_iso: '2026-12-02T09:45:00.000Z',
      timezone: 'Europe/Berlin',
      status: 'cancelled',
      contact_id: 'c_123',
      external_contact_id: 'crm-42',
      contact_details: { name: 'Ada' },
      created_at: new Date(NOW).toISOString(),
      created_by: 'telli',
      cancelled_at: new Date(NOW + 60_000).toISOString(),
      cancel_reason: 'Called in sick',
    });
    expect(starts(await first.post('/available', {}))).toContain(NINE);
    await eventually(async () => expect(starts(await second.post('/available', {}))).toContain(NINE));
  });

  it('should answer the same booking to a second cancel and write nothing', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await bookNine(app);
    const first = await cancel(app, id);
    const mark = await app.store.changeMark('physio');
    app.setNow(NOW + 60_000);
    const again = await cancel(app, id, { reason: 'a different reason' });

    expect(first.status).toBe(200);
    expect(first.body.cancel_reason).toBeNull();
    expect(again).toEqual(first);
    expect(await app.store.changeMark('physio')).toBe(mark);
    const history = await app.store.bookingHistory(id);
    expect(history.map((entry) => entry.action)).toEqual(['booking.created', 'booking.cancelled']);
  });

  it("should write the audit entry with the token's name, and queue the CalDAV delete", async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await bookNine(app);
    await cancel(app, id, { reason: 'No longer needed' });

    const [, cancelled] = await app.store.bookingHistory(id);
    expect(cancelled).toMatchObject({
      actor: 'front-desk',
      action: 'booking.cancelled',
      calendarId: 'physio',
      bookingId: id,
      before: { status: 'active' },
      after: { status: 'cancelled', cancel_reason: 'No longer needed' },
    });
    const queued = await app.store.claimWritebacks(NOW + 1, NOW + 60_000, 10);
    const [put] = queued.filter((writeback) => writeback.action === 'put');
    expect(queued.filter((writeback) => writeback.action === 'delete')).toEqual([
      { bookingId: id, sourceId: put!.sourceId, action: 'delete', attempts: 0, generation: 0 },
    ]);
  });

  it('should let the contact of a cancelled booking book again', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await bookNine(app);
    const refused = await app.post('/book', { contact_id: 'c_123', start_iso: '2026-12-02T09:45:00.000Z' });
    expect(refused.body.status).toBe('failed');

    await cancel(app, id);
    const again = await app.post('/book', { contact_id: 'c_123', start_iso: '2026-12-02T09:45:00.000Z' });
    expect(again.body).toEqual({ status: 'success' });
  });

  it('should refuse a replaced booking with 409 and change nothing', async () => {
    const app = await start({ yaml: YAML.replace('on_rebook: reject', 'on_rebook: replace'), now: NOW });
    const id = await bookNine(app);
    await app.post('/book', { contact_id: 'c_123', start_iso: '2026-12-02T09:45:00.000Z' });
    const mark = await app.store.changeMark('physio');

    expectProblem(await cancel(app, id), 409);
    expect((await app.store.bookingById(id))?.status).toBe('replaced');
    expect(await app.store.changeMark('physio')).toBe(mark);
  });

  it('should serialise a cancel with a rebook of the same contact: the booking is either cancelled or replaced', async () => {
    const app = await start({ yaml: YAML.replace('on_rebook: reject', 'on_rebook: replace'), now: NOW });
    for (let round = 0; round < 8; round++) {
      const contact = `caller-${round}`;
      const day = `2026-12-${String(3 + round).padStart(2, '0')}`;
      const answer = await app.post('/book', { contact_id: contact, start_iso: `${day}T09:00:00.000Z` });
      expect(answer.body).toEqual({ status: 'success' });
      const [first] = (await app.store.bookings('physio')).filter((booking) => booking.contactId === contact);

      const [cancelled, rebooked] = await Promise.all([
        cancel(app, first!.id),
        app.post('/book', { contact_id: contact, start_iso: `${day}T09:45:00.000Z` }),
      ]);

      expect(rebooked.body).toEqual({ status: 'success' });
      const status = (await app.store.bookingById(first!.id))!.status;
      expect(cancelled.status).toBe(status === 'cancelled' ? 200 : 409);
      const actions = (await app.store.bookingHistory(first!.id)).map((entry) => entry.action);
      expect(actions).toEqual(['booking.created', status === 'cancelled' ? 'booking.cancelled' : 'booking.replaced']);
    }
  });

  it('should answer 404, 400 and 401 problems, never a 5xx, and change nothing', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    const id = await bookNine(app);
    const mark = await app.store.changeMark('physio');

    expectProblem(await cancel(app, 'no-such-booking'), 404);
    // Fastify refuses a path parameter over 100 characters before routing.
    expect((await cancel(app, 'x'.repeat(129))).status).toBe(414);
    expectProblem(await cancel(app, 'bad\u0000id'), 400, 'id');
    expectProblem(await cancel(app, id, { reason: 'x'.repeat(501) }), 400, 'reason');
    expectProblem(await cancel(app, id, { reason: 42 }), 400, 'reason');
    expectProblem(await cancel(app, id, { reason: null }), 400, 'reason');
    expectProblem(await cancel(app, id, { why: 'typo' }), 400);
    expectProblem(await cancel(app, id, ['reason']), 400);
    expect((await cancel(app, id, '{"reason":')).status).toBe(400);
    expectProblem(await cancel(app, id, {}, null), 401);
    expectProblem(await cancel(app, id, {}, 'wrong-token-0123456789abcdefghij'), 401);

    expect((await app.store.bookingById(id))?.status).toBe('active');
    expect(await app.store.changeMark('physio')).toBe(mark);
    expect((await cancel(app, id, { reason: 'x'.repeat(500) })).status).toBe(200);
  });
});
