import { afterEach, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../dialects.js';
import { apiPost, expectProblem, TOKEN } from '../http/api-client.js';
import { appsOn, type Running } from '../http/harness.js';
import { loggedApp } from '../http/logged-app.js';
import { CALLER, emailYaml, NINE, NOW, tomorrowInBerlin, WITHIN } from './email-app.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

/**
 * The e-mail deliveries in the business's API: a real SMTP server refuses a mail, the API lists it
 * failed, a retry sends it. Real app, real database, the app's own outbox worker.
 */
const yaml = (smtpUrl: string, more = '') => emailYaml(smtpUrl, `  to_resource: false\n${more}`);

async function apiGet(app: Running, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}/api/v1${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: await response.json() };
}

const deliveries = async (app: Running, status: string) =>
  (await apiGet(app, `/email/deliveries?status=${status}`)).body.deliveries as any[];

const metric = async (app: Running, name: string) => {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
};

describe.each(DIALECTS)('e-mail deliveries in the API on %s', (dialect) => {
  let receiver: SmtpReceiver;
  // Registered before the apps' own hook, so it runs after it: the server closes once no client is connected.
  afterEach(async () => {
    await receiver.close();
  });
  const open = appsOn(dialect);

  async function started(more = '', now = NOW): Promise<Running> {
    const app = await open({ yaml: yaml(receiver.url, more), now });
    app.app.outbox.start();
    return app;
  }

  async function book(app: Running, contact: string, start: string, email: string): Promise<string> {
    const details = { first_name: 'Ada', last_name: 'Lovelace', email };
    const answer = await app.post('/book', { contact_id: contact, contact_details: details, start_iso: start });
    expect(answer.body).toEqual({ status: 'success' });
    return (await app.store.bookings('physio')).find((booking) => booking.contactId === contact)!.id;
  }

  it('should list a mail the server refused as failed, send it on retry, and refuse a second retry', async () => {
    receiver = await startSmtpReceiver();
    receiver.refuseNext.push(550);
    const app = await started();
    const booking = await book(app, 'ada', NINE, CALLER);

    await vi.waitFor(async () => expect(await deliveries(app, 'failed')).toHaveLength(1), WITHIN);
    const [failed] = await deliveries(app, 'failed');
    expect(failed).toEqual({
      id: expect.stringMatching(/^mail_/),
      kind: 'booking.created',
      recipient_role: 'contact',
      to: CALLER,
      subject: expect.stringContaining('Praxis am Kanal'),
      booking,
      calendar: 'physio',
      status: 'failed',
      attempts: 1,
      next_attempt_at: null,
      last_error: expect.stringContaining('550'),
      created_at: expect.stringMatching(/Z$/),
      finished_at: expect.stringMatching(/Z$/),
    });
    expect(failed.last_error).not.toContain('Mailbox unavailable');
    expect(receiver.received).toHaveLength(0);

    const retried = await apiPost(app, `/email/deliveries/${failed.id}/retry`, {});
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 1, finished_at: null });
    await vi.waitFor(async () => expect(await deliveries(app, 'sent')).toHaveLength(1), WITHIN);
    expect(receiver.received.map((received) => received.rcptTo)).toEqual([[CALLER]]);
    expect((await deliveries(app, 'sent'))[0]).toMatchObject({ id: failed.id, attempts: 2, last_error: null });
    expect(await deliveries(app, 'failed')).toEqual([]);

    const again = await apiPost(app, `/email/deliveries/${failed.id}/retry`, {});
    expectProblem(again, 409);
    expect(again.body.detail).toContain('sent');
    expectProblem(await apiPost(app, '/email/deliveries/mail_nope/retry', {}), 404);
    expectProblem(await apiPost(app, `/email/deliveries/${failed.id}/retry`, {}, null), 401);
    expect(receiver.received).toHaveLength(1);
  });

  it('should page the deliveries newest first and refuse a cursor of another status or a bad status', async () => {
    receiver = await startSmtpReceiver();
    const app = await started();
    for (const [index, contact] of ['ada', 'bob', 'cy'].entries()) {
      await book(app, contact, `2026-12-02T1${index}:00:00.000Z`, `${contact}@example.org`);
    }

    await vi.waitFor(async () => expect(await deliveries(app, 'sent')).toHaveLength(3), WITHIN);
    const first = (await apiGet(app, '/email/deliveries?status=sent&limit=2')).body;
    expect(first.deliveries).toHaveLength(2);
    const rest = (await apiGet(app, `/email/deliveries?status=sent&limit=2&cursor=${first.next_cursor}`)).body;
    expect(rest).toMatchObject({ next_cursor: null });
    const all = [...first.deliveries, ...rest.deliveries];
    expect(new Set(all.map((delivery) => delivery.to))).toEqual(
      new Set(['ada@example.org', 'bob@example.org', 'cy@example.org']),
    );
    expect(all.map((delivery) => delivery.created_at)).toEqual(
      all
        .map((d) => d.created_at)
        .sort()
        .reverse(),
    );
    const wrong = await apiGet(app, `/email/deliveries?status=failed&cursor=${first.next_cursor}`);
    expect(wrong).toMatchObject({ status: 400, body: { field: 'cursor' } });
    expect((await apiGet(app, '/email/deliveries?status=delivered')).status).toBe(400);
    expect((await apiGet(app, '/email/deliveries?limit=0')).status).toBe(400);
  });

  it('should tell the age of the oldest pending mail, leaving out reminders that wait for their time', async () => {
    receiver = await startSmtpReceiver();
    // On today's date: the reminder must wait by the real clock, which the outbox reads.
    const now = Date.now();
    const app = await started(`  remind_before: 3h\n`, now);
    await book(app, 'ada', tomorrowInBerlin(now, '10:00'), CALLER);
    await vi.waitFor(async () => expect(await deliveries(app, 'sent')).toHaveLength(1), WITHIN);
    const [reminder] = await deliveries(app, 'pending');
    expect(reminder).toMatchObject({ kind: 'booking.reminder', attempts: 0, next_attempt_at: expect.any(String) });
    expect(await metric(app, 'slotline_email_oldest_pending_seconds')).toBe(0);

    // Refused for now, with a retry an hour away: pending, and growing older.
    receiver.refuseNext.push(451);
    await app.app.close();
    const slow = await open({
      yaml: yaml(receiver.url).replace('[50ms, 50ms]', '[1h]'),
      now,
      database: app.database,
    });
    slow.app.outbox.start();
    await book(slow, 'bob', tomorrowInBerlin(now, '12:00'), 'bob@example.org');
    await vi.waitFor(async () => {
      const pending = await deliveries(slow, 'pending');
      expect(pending.find((delivery) => delivery.kind === 'booking.created')).toMatchObject({ attempts: 1 });
    }, WITHIN);
    expect(await metric(slow, 'slotline_email_oldest_pending_seconds')).toBeGreaterThan(0);
  });
});

describe('e-mail deliveries in the logs', () => {
  it('should name the mail and the booking, never the address, through a refusal and a retry', async () => {
    const receiver = await startSmtpReceiver();
    const { app, lines, close } = await loggedApp(yaml(receiver.url), { level: 'trace', now: NOW });
    try {
      receiver.refuseNext.push(550);
      app.outbox.start();
      const details = { first_name: 'Ada', last_name: 'Lovelace', email: CALLER };
      const booked = await app.inject({
        method: 'POST',
        url: '/book',
        payload: { contact_id: 'ada', contact_details: details, start_iso: NINE },
      });
      expect(booked.json()).toEqual({ status: 'success' });
      const listed = async (status: string) =>
        (
          await app.inject({
            method: 'GET',
            url: `/api/v1/email/deliveries?status=${status}`,
            headers: { authorization: `Bearer ${TOKEN}` },
          })
        ).json().deliveries as any[];
      await vi.waitFor(async () => expect(await listed('failed')).toHaveLength(1), WITHIN);
      const [failed] = await listed('failed');
      const retried = await app.inject({
        method: 'POST',
        url: `/api/v1/email/deliveries/${failed.id}/retry`,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(retried.statusCode).toBe(200);
      await vi.waitFor(async () => expect(await listed('sent')).toHaveLength(1), WITHIN);

      const logs = lines.join('\n');
      expect(logs).toContain(failed.id);
      expect(logs).toContain('mail not sent; no more attempts');
      expect(logs).not.toContain('ada@');
      expect(logs).not.toContain('Lovelace');
    } finally {
      await close();
      await receiver.close();
    }
  });
});
