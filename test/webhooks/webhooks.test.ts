import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { ADMIN, apiCall, bookedId } from '../http/api-client.js';
import { appsOn, type Running } from '../http/harness.js';
import { newSecret, receivers, webhooksYaml, type Answer, type Receiver, type Received } from './receiver.js';

/**
 * Webhooks end to end: real bookings through the real app on a real database, its outbox worker
 * running, and real HTTP receivers that verify what they get with the `standardwebhooks` package.
 */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const NINE = '2026-12-02T09:00:00.000Z';
const LATER = '2026-12-02T09:45:00.000Z';
const CALENDARS = `calendars:
  - id: physio
    timezone: Europe/Berlin
    duration: 45m
    hours: { mon-sun: ["10:00-17:00"] }
  - id: dental
    timezone: Europe/Berlin
    duration: 30m
    hours: { mon-sun: ["10:00-17:00"] }
`;
/** Long enough for the slowest machine, and never waited out when things work. */
const WITHIN = { timeout: 20_000, interval: 50 };

/** A booking as `GET /api/v1/bookings/{id}` shows it, without its history. */
const bookingOf = async (app: Running, id: string) => {
  const booking = (await apiCall(app, 'GET', `/bookings/${id}`)).body;
  delete booking.history;
  return booking;
};

const deliveries = async (app: Running, status?: string) =>
  (await apiCall(app, 'GET', `/webhooks/deliveries${status ? `?status=${status}` : ''}`)).body.deliveries as any[];

describe.each(DIALECTS)('webhooks on %s', (dialect) => {
  const open = appsOn(dialect);
  const receiver = receivers();

  /** The app with its outbox worker running, sending to the endpoints given. */
  async function withWebhooks(endpoints: readonly Record<string, string>[]): Promise<Running> {
    const app = await open({ yaml: ADMIN + webhooksYaml(endpoints) + CALENDARS, now: NOW });
    app.app.outbox.start();
    return app;
  }

  const book = (app: Running, contactId: string, start: string, calendar?: string) =>
    bookedId(app, { contact_id: contactId, start_iso: start }, calendar);

  const endpoint = (hook: Receiver, secret: string, more: Record<string, string> = {}) => ({
    url: hook.url,
    secret,
    retry_schedule: '[50ms, 50ms]',
    ...more,
  });

  it('should send booking.created, signed, with the booking exactly as the admin API shows it', async () => {
    const secret = newSecret();
    const hook = await receiver(secret);
    const app = await withWebhooks([endpoint(hook, secret)]);
    const id = await book(app, 'ada', NINE);

    await vi.waitFor(() => expect(hook.received).toHaveLength(1), WITHIN);
    const [event] = hook.events();
    expect(event).toEqual({
      type: 'booking.created',
      timestamp: new Date(NOW).toISOString(),
      data: await bookingOf(app, id),
    });
    const [request] = hook.received;
    expect(request!.id).toMatch(/^msg_[0-9a-f-]{36}$/);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // Checked against another secret, it does not verify.
    expect(() => new Webhook(newSecret()).verify(request!.body, request!.headers as Record<string, string>)).toThrow();
  });

  it('should send booking.replaced with both bookings, and booking.cancelled with the booking before', async () => {
    const secret = newSecret();
    const hook = await receiver(secret);
    const app = await withWebhooks([endpoint(hook, secret)]);
    const first = await book(app, 'ada', NINE);
    const second = await book(app, 'ada', LATER);
    const cancelled = await apiCall(app, 'POST', `/bookings/${second}/cancel`);
    expect(cancelled.status).toBe(200);

    await vi.waitFor(() => expect(hook.received).toHaveLength(4), WITHIN);
    const events = hook.events().sort((a, b) => order(a) - order(b));
    const [created, replaced, createdAgain, cancel] = events;
    expect(created.data).toMatchObject({ id: first, status: 'active', start_iso: NINE });
    expect(replaced).toEqual({
      type: 'booking.replaced',
      timestamp: new Date(NOW).toISOString(),
      data: await bookingOf(app, first),
      // As it was when it replaced the first: active (it is cancelled by now).
      replaced_by: { ...cancelled.body, status: 'active', cancelled_at: null, cancel_reason: null },
    });
    expect(createdAgain.data).toEqual({ ...cancelled.body, status: 'active', cancelled_at: null });
    expect(cancel).toEqual({
      type: 'booking.cancelled',
      timestamp: new Date(NOW).toISOString(),
      data: cancelled.body,
      previous: { ...cancelled.body, status: 'active', cancelled_at: null, cancel_reason: null },
    });
  });

  it('should deliver on the third try, under the same webhook-id, after two 500s', async () => {
    const secret = newSecret();
    const hook = await receiver(secret, (request) => ({ status: request.attempt < 3 ? 500 : 204 }));
    const app = await withWebhooks([endpoint(hook, secret)]);
    await book(app, 'ada', NINE);

    await vi.waitFor(async () => expect(await deliveries(app, 'delivered')).toHaveLength(1), WITHIN);
    expect(hook.received.map((request) => request.attempt)).toEqual([1, 2, 3]);
    expect(new Set(hook.received.map((request) => request.id)).size).toBe(1);
    expect(hook.events().map((event) => event.type)).toEqual(Array(3).fill('booking.created'));
    const [delivery] = await deliveries(app, 'delivered');
    expect(delivery).toMatchObject({
      id: hook.received[0]!.id,
      type: 'booking.created',
      calendar: 'physio',
      host: new URL(hook.url).host,
      status: 'delivered',
      attempts: 3,
      last_status: 204,
      last_error: null,
      next_attempt_at: null,
    });
    expect(delivery.payload).toEqual(hook.events()[0]);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('slotline_webhook_deliveries_total{outcome="retry"} 2');
    expect(metrics).toContain('slotline_webhook_deliveries_total{outcome="delivered"} 1');
    expect(metrics).toContain('slotline_webhook_oldest_pending_seconds 0');
  });

  it('should give up when the schedule is used up, and send again on POST .../retry', async () => {
    const secret = newSecret();
    let answer: Answer = { status: 500 };
    const hook = await receiver(secret, () => answer);
    const app = await withWebhooks([endpoint(hook, secret)]);
    await book(app, 'ada', NINE);

    await vi.waitFor(async () => expect(await deliveries(app, 'failed')).toHaveLength(1), WITHIN);
    expect(hook.received).toHaveLength(3);
    const [failed] = await deliveries(app, 'failed');
    expect(failed).toMatchObject({ attempts: 3, last_status: 500, last_error: expect.stringContaining('500') });

    answer = { status: 200 };
    const retried = await apiCall(app, 'POST', `/webhooks/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    await vi.waitFor(async () => expect(await deliveries(app, 'delivered')).toHaveLength(1), WITHIN);
    expect(hook.received.map((request) => request.id)).toEqual(Array(4).fill(failed.id));
    expect((await apiCall(app, 'POST', '/webhooks/deliveries/msg_nope/retry')).status).toBe(404);
    expect((await deliveries(app, 'failed')).length).toBe(0);
  });

  it('should stop at once on 410 Gone', async () => {
    const secret = newSecret();
    const hook = await receiver(secret, () => ({ status: 410 }));
    const app = await withWebhooks([endpoint(hook, secret, { retry_schedule: '[50ms, 50ms, 50ms]' })]);
    await book(app, 'ada', NINE);

    await vi.waitFor(async () => expect(await deliveries(app, 'failed')).toHaveLength(1), WITHIN);
    expect(hook.received).toHaveLength(1);
    expect((await deliveries(app, 'failed'))[0]).toMatchObject({ attempts: 1, last_status: 410 });
  });

  it('should wait as long as Retry-After says on 503', async () => {
    const secret = newSecret();
    const hook = await receiver(secret, (request) =>
      request.attempt === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    const app = await withWebhooks([endpoint(hook, secret)]);
    await book(app, 'ada', NINE);

    await vi.waitFor(async () => expect(await deliveries(app, 'delivered')).toHaveLength(1), WITHIN);
    const [first, second] = hook.received as [Received, Received];
    // The schedule says 50 ms; the receiver asked for 2 s.
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_900);
  });

  it('should send each endpoint only the events and calendars it asked for', async () => {
    const [secretA, secretB] = [newSecret(), newSecret()];
    const cancels = await receiver(secretA);
    const dental = await receiver(secretB);
    const app = await withWebhooks([
      endpoint(cancels, secretA, { events: '[booking.cancelled]' }),
      endpoint(dental, secretB, { calendars: '[dental]' }),
    ]);
    const physio = await book(app, 'ada', NINE);
    await book(app, 'bob', NINE, 'dental');
    expect((await apiCall(app, 'POST', `/bookings/${physio}/cancel`)).status).toBe(200);

    await vi.waitFor(async () => expect(await deliveries(app, 'delivered')).toHaveLength(2), WITHIN);
    expect(cancels.events().map((event) => [event.type, event.data.calendar])).toEqual([
      ['booking.cancelled', 'physio'],
    ]);
    expect(dental.events().map((event) => [event.type, event.data.calendar])).toEqual([['booking.created', 'dental']]);
    // Every audit entry is fanned out: nothing is left to turn into deliveries.
    expect(await deliveries(app)).toHaveLength(2);
  });

  it('should send booking.moved with the times before, from the API', async () => {
    const secret = newSecret();
    const hook = await receiver(secret);
    const app = await withWebhooks([endpoint(hook, secret, { events: '[booking.moved]' })]);
    const id = await book(app, 'ada', NINE);
    const moved = await apiCall(app, 'POST', `/bookings/${id}/move`, { start_iso: LATER });
    expect(moved.status).toBe(200);

    await vi.waitFor(() => expect(hook.received).toHaveLength(1), WITHIN);
    expect(hook.events()).toEqual([
      {
        type: 'booking.moved',
        timestamp: new Date(NOW).toISOString(),
        data: await bookingOf(app, id),
        previous: { ...(await bookingOf(app, id)), start_iso: NINE, end_iso: '2026-12-02T09:45:00.000Z' },
      },
    ]);
    expect(hook.events()[0].data).toMatchObject({ start_iso: LATER, status: 'active' });
  });

  it('should send time_off.created and time_off.deleted, from the API', async () => {
    const secret = newSecret();
    const hook = await receiver(secret);
    const app = await withWebhooks([endpoint(hook, secret)]);
    const added = await apiCall(app, 'POST', '/time-off', {
      calendar: 'dental',
      start_iso: NINE,
      end_iso: LATER,
      note: 'Team training',
    });
    expect(added.status).toBe(201);
    expect((await apiCall(app, 'DELETE', `/time-off/${added.body.id}`)).status).toBe(204);

    await vi.waitFor(() => expect(hook.received).toHaveLength(2), WITHIN);
    const timeOff = {
      id: added.body.id,
      calendar: 'dental',
      resource: null,
      start_iso: NINE,
      end_iso: LATER,
      timezone: 'Europe/Berlin',
      note: 'Team training',
    };
    const timestamp = new Date(NOW).toISOString();
    expect(hook.events().sort((a, b) => (a.type < b.type ? -1 : 1))).toEqual([
      { type: 'time_off.created', timestamp, data: timeOff },
      { type: 'time_off.deleted', timestamp, data: timeOff },
    ]);
  });

  it('should page the deliveries newest first and refuse a cursor of another status', async () => {
    const secret = newSecret();
    const hook = await receiver(secret);
    const app = await withWebhooks([endpoint(hook, secret)]);
    await book(app, 'ada', NINE);
    await book(app, 'bob', LATER);
    await book(app, 'cy', '2026-12-02T10:30:00Z');

    await vi.waitFor(async () => expect(await deliveries(app, 'delivered')).toHaveLength(3), WITHIN);
    const first = (await apiCall(app, 'GET', '/webhooks/deliveries?status=delivered&limit=2')).body;
    expect(first.deliveries).toHaveLength(2);
    const rest = (
      await apiCall(app, 'GET', `/webhooks/deliveries?status=delivered&limit=2&cursor=${first.next_cursor}`)
    ).body;
    expect(rest).toMatchObject({ next_cursor: null });
    const all = [...first.deliveries, ...rest.deliveries];
    expect(new Set(all.map((delivery) => delivery.id)).size).toBe(3);
    expect(all.map((delivery) => delivery.created_at)).toEqual([...all.map((d) => d.created_at)].sort().reverse());
    const wrong = await apiCall(app, 'GET', `/webhooks/deliveries?status=failed&cursor=${first.next_cursor}`);
    expect(wrong).toMatchObject({ status: 400, body: { field: 'cursor' } });
    expect((await apiCall(app, 'GET', '/webhooks/deliveries?status=lost')).status).toBe(400);
  });
});

/** Events in the order of the changes: by timestamp, then created before replaced before cancelled within one change. */
function order(event: { type: string; data: { start_iso: string } }): number {
  return (
    ['booking.created', 'booking.replaced', 'booking.cancelled'].indexOf(event.type) + Date.parse(event.data.start_iso)
  );
}
