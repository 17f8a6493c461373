import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/config.loader.js';
import { holdConfig } from '../../src/config/live-config.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/outbox/outbox.worker.js';
import { DIALECTS } from '../dialects.js';
import { apiPost } from '../http/api-client.js';
import { appsOn, type Running } from '../http/harness.js';
import { CALLER, emailYaml, NINE, NOW, STAFF, WITHIN } from './email-app.js';
import { inviteOf } from './invite-reader.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from './smtp-receiver.js';

/**
 * E-mail end to end: bookings through telli's /book and the admin API on a real database, the
 * outbox worker fanning them out and sending them to a real SMTP server, which parses what it gets.
 */
const LATER = '2026-12-02T11:00:00.000Z';

describe.each(DIALECTS)('e-mail from the outbox on %s', (dialect) => {
  let receiver: SmtpReceiver;
  const workers: OutboxWorker[] = [];
  // Hooks run last registered first: the workers stop, then the apps close, then the server, which
  // would otherwise wait for their connections.
  afterEach(async () => {
    await receiver.close();
  });
  const open = appsOn(dialect);
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  async function withEmail(more = '', database?: string): Promise<Running> {
    return open({ yaml: emailYaml(receiver.url, more), now: NOW, database });
  }

  /** The app's own worker, on the real clock, as `slotline serve` runs it. */
  function started(app: Running): Running {
    app.app.outbox.start();
    return app;
  }

  async function book(app: Running, contact: string, start: string, email?: string): Promise<string> {
    const details = { first_name: 'Ada', last_name: 'Lovelace', ...(email && { email }) };
    const answer = await app.post('/book', { contact_id: contact, contact_details: details, start_iso: start });
    expect(answer.body).toEqual({ status: 'success' });
    const booked = (await app.store.bookings('physio')).find(
      (booking) => booking.contactId === contact && booking.status === 'active',
    );
    return booked!.id;
  }

  const mailsTo = (address: string, subject?: RegExp): ReceivedMail[] =>
    receiver.received.filter(
      (received) => received.rcptTo.includes(address) && (!subject || subject.test(received.mail.subject ?? '')),
    );

  it('should mail the caller and the staff member of a telli booking, each with the invite', async () => {
    receiver = await startSmtpReceiver();
    const app = started(await withEmail());
    const id = await book(app, 'ada', NINE, CALLER);

    await vi.waitFor(() => expect(receiver.received).toHaveLength(2), WITHIN);
    const [caller] = mailsTo(CALLER);
    const [staff] = mailsTo(STAFF);
    expect(caller!.mail.subject).toContain('Praxis am Kanal');
    expect(caller!.mail.text).toContain('10:00');
    expect(caller!.mail.from?.value).toEqual([{ name: 'Praxis am Kanal', address: 'termine@example.com' }]);
    expect(caller!.mail.messageId).toMatch(/^<mail_[0-9a-f-]{36}@example\.com>$/);
    expect(staff!.mail.text).toContain('Ada Lovelace');
    for (const received of [caller!, staff!]) {
      expect(inviteOf(received)).toMatchObject({ method: 'REQUEST', start: NINE, status: 'CONFIRMED' });
      expect(inviteOf(received).uid).toContain(id);
    }
  });

  it('should send CANCEL on a cancel and REQUEST with a higher SEQUENCE on a move, through the API', async () => {
    receiver = await startSmtpReceiver();
    const app = started(await withEmail());
    const id = await book(app, 'ada', NINE, CALLER);
    await vi.waitFor(() => expect(mailsTo(CALLER)).toHaveLength(1), WITHIN);

    expect((await apiPost(app, `/bookings/${id}/move`, { start_iso: LATER })).status).toBe(200);
    await vi.waitFor(() => expect(mailsTo(CALLER)).toHaveLength(2), WITHIN);
    expect((await apiPost(app, `/bookings/${id}/cancel`, {})).status).toBe(200);
    await vi.waitFor(() => expect(mailsTo(CALLER)).toHaveLength(3), WITHIN);

    const [created, moved, cancelled] = mailsTo(CALLER).map(inviteOf);
    expect(created).toMatchObject({ method: 'REQUEST', start: NINE });
    expect(moved).toMatchObject({ method: 'REQUEST', start: LATER, uid: created!.uid });
    expect(moved!.sequence).toBeGreaterThan(Number(created!.sequence));
    expect(cancelled).toMatchObject({ method: 'CANCEL', start: LATER, uid: created!.uid });
    expect(cancelled!.sequence).toBeGreaterThan(Number(moved!.sequence));
    await vi.waitFor(() => expect(mailsTo(STAFF).map((mail) => inviteOf(mail).method)).toHaveLength(3), WITHIN);
    expect(mailsTo(STAFF).map((mail) => inviteOf(mail).method)).toEqual(['REQUEST', 'REQUEST', 'CANCEL']);
  });

  it('should send a mail the server refused for now (451) on the retry', async () => {
    receiver = await startSmtpReceiver();
    receiver.refuseNext.push(451);
    const app = started(await withEmail(`  to_resource: false\n`));
    await book(app, 'ada', NINE, CALLER);

    await vi.waitFor(async () => {
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toContain('slotline_email_deliveries_total{outcome="retry"} 1');
      expect(metrics).toContain('slotline_email_deliveries_total{outcome="sent"} 1');
    }, WITHIN);
    expect(mailsTo(CALLER)).toHaveLength(1);
  });

  it('should give up on a mail the server refused for good (550)', async () => {
    receiver = await startSmtpReceiver();
    receiver.refuseNext.push(550);
    const app = started(await withEmail(`  to_resource: false\n`));
    await book(app, 'ada', NINE, CALLER);

    await vi.waitFor(async () => {
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toContain('slotline_email_deliveries_total{outcome="failed"} 1');
    }, WITHIN);
    await book(app, 'bob', LATER, 'bob@example.org');
    await vi.waitFor(() => expect(mailsTo('bob@example.org')).toHaveLength(1), WITHIN);
    expect(mailsTo(CALLER)).toHaveLength(0);
  });

  it('should mail no caller without an address', async () => {
    receiver = await startSmtpReceiver();
    const app = started(await withEmail(`  to_resource: false\n`));
    await book(app, 'bob', NINE);
    await book(app, 'ada', LATER, CALLER);

    // The worker fans out in the order of the changes: by Ada's mail, Bob's booking was fanned out.
    await vi.waitFor(() => expect(mailsTo(CALLER)).toHaveLength(1), WITHIN);
    expect(receiver.received).toHaveLength(1);
  });

  it('should remind once at the due time, a moved booking for its new time, a cancelled one not at all', async () => {
    receiver = await startSmtpReceiver();
    const app = await withEmail(`  to_resource: false\n  remind_before: 3h\n`);
    // A worker of the app's store on a clock the test moves, so that reminders fall due on cue.
    let clock = NOW;
    const outcomes: string[] = [];
    const worker = createOutboxWorker({
      config: holdConfig(app.config),
      store: app.store,
      log: { info: () => {}, warn: () => {} },
      onWebhookOutcome: () => {},
      onEmailOutcome: (outcome) => outcomes.push(outcome),
      clock: () => clock,
    });
    workers.push(worker);
    worker.start();
    const reminders = () => mailsTo(CALLER, /^Reminder/);
    /**
     * Moves the clock to `at` and books for Bob, whose confirmation is due then: once it and every
     * other mail due by then was handled (`settled` attempts in all), the reminders due were sent.
     */
    let marker = 0;
    async function handledUpTo(at: number, settled: number): Promise<void> {
      clock = at;
      const bob = `bob${++marker}@example.org`;
      await book(app, `bob${marker}`, `2026-12-0${2 + marker}T14:00:00.000Z`, bob);
      await vi.waitFor(() => expect(outcomes).toHaveLength(settled), WITHIN);
      expect(mailsTo(bob)).toHaveLength(1);
    }

    const kept = await book(app, 'ada', NINE, CALLER);
    const cancelled = await book(app, 'cy', LATER, 'cy@example.org');
    await vi.waitFor(() => expect(mailsTo(CALLER)).toHaveLength(1), WITHIN);
    expect((await apiPost(app, `/bookings/${cancelled}/cancel`, {})).status).toBe(200);
    expect((await apiPost(app, `/bookings/${kept}/move`, { start_iso: '2026-12-02T10:00:00Z' })).status).toBe(200);

    // Due at 07:00 for the booking at 10:00 (it was at 09:00, due at 06:00: that reminder is void).
    // Ada's confirmation and move, Cy's confirmation and cancel, and Bob's.
    await handledUpTo(Date.parse('2026-12-02T06:59:00Z'), 5);
    expect(reminders()).toHaveLength(0);
    await handledUpTo(Date.parse('2026-12-02T07:00:00Z'), 7);
    expect(reminders()).toHaveLength(1);
    expect(inviteOf(reminders()[0]!).start).toBe('2026-12-02T10:00:00.000Z');
    await handledUpTo(Date.parse('2026-12-02T12:00:00Z'), 8);
    expect(reminders()).toHaveLength(1);
    expect(mailsTo('cy@example.org', /^Reminder/)).toHaveLength(0);
    expect(outcomes.every((outcome) => outcome === 'sent')).toBe(true);
  });

  it('should send through the SMTP server of the config in force after a reload', async () => {
    receiver = await startSmtpReceiver();
    const other = await startSmtpReceiver();
    try {
      const app = await withEmail(`  to_resource: false\n`);
      const config = holdConfig(app.config);
      const worker = createOutboxWorker({
        config,
        store: app.store,
        log: { info: () => {}, warn: () => {} },
        onWebhookOutcome: () => {},
        onEmailOutcome: () => {},
      });
      workers.push(worker);
      worker.start();
      await book(app, 'ada', NINE, CALLER);
      await vi.waitFor(() => expect(receiver.received).toHaveLength(1), WITHIN);

      config.replace(parseConfig(emailYaml(other.url, `  to_resource: false\n`), {}));
      await book(app, 'bob', LATER, 'bob@example.org');
      await vi.waitFor(() => expect(other.received).toHaveLength(1), WITHIN);
      expect(other.received[0]!.rcptTo).toEqual(['bob@example.org']);
      expect(receiver.received).toHaveLength(1);
    } finally {
      // The worker first: the server would otherwise wait for its connection.
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
      await other.close();
    }
  });

  it.runIf(dialect === 'postgres')('should send each mail once with two processes on one database', async () => {
    receiver = await startSmtpReceiver();
    const first = started(await withEmail());
    const second = started(await withEmail('', first.database));
    const contacts = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const [index, contact] of contacts.entries()) {
      const start = `2026-12-0${2 + Math.floor(index / 3)}T${10 + (index % 3)}:00:00.000Z`;
      await book(index % 2 === 0 ? first : second, contact, start, `${contact}@example.org`);
    }

    const sent = async () => {
      let total = 0;
      for (const app of [first, second]) {
        const text = await (await fetch(`${app.url}/metrics`)).text();
        total += Number(/slotline_email_deliveries_total\{outcome="sent"\} (\d+)/.exec(text)?.[1] ?? 0);
      }
      return total;
    };
    await vi.waitFor(async () => expect(await sent()).toBe(2 * contacts.length), WITHIN);
    expect(receiver.received).toHaveLength(2 * contacts.length);
    expect(new Set(receiver.received.map((received) => received.mail.messageId)).size).toBe(2 * contacts.length);
  });
});
