import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.loader.js';
import type { CalendarConfig, EmailConfig } from '../../src/config/config.types.js';
import { toApiBooking } from '../../src/booking/api-booking.js';
import { emailsFor } from '../../src/notify/emails-for.js';
import type { Mail, MailEvent } from '../../src/notify/mail-event.js';
import { createMailTransport, MailSendError, sendMail, type MailTransport } from '../../src/notify/mail-sender.js';
import { inviteOf } from './invite-reader.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from './smtp-receiver.js';

// The calendar is in Berlin, the test process in Los Angeles: a time shown in the process's zone shows.
const PROCESS_TZ = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/Los_Angeles';
});
afterAll(() => {
  process.env.TZ = PROCESS_TZ;
});

const TEN_BERLIN = '2026-12-01T09:00:00.000Z';
const AT = Date.parse('2026-11-30T08:00:00Z');

function configFor(language: 'en' | 'de', smtpUrl = 'smtp://127.0.0.1:25', calendarName = 'Praxis am Kanal') {
  const config = parseConfig(`
email:
  smtp_url: ${smtpUrl}
  from: "Praxis am Kanal <termine@example.com>"
calendars:
  - id: physio
    name: ${JSON.stringify(calendarName)}
    language: ${language}
    timezone: Europe/Berlin
    duration: 30m
    hours: { mon-sun: ["08:00-18:00"] }
    event_details: [phone]
    resources:
      - { id: anna, name: Anna Berg, email: anna@example.com }
      - { id: ben, name: Ben Kurz, email: ben@example.com }
      - { id: cleo, name: Cleo }
`);
  return { calendar: config.calendars[0] as CalendarConfig, email: config.email as EmailConfig };
}

/** A booking as the admin API (and a webhook's `data`) shows it. */
function booking(patch: { id?: string; resource?: string; start?: string; contact?: Record<string, unknown> } = {}) {
  const start = Date.parse(patch.start ?? TEN_BERLIN);
  const record = {
    id: patch.id ?? 'bk_1',
    calendarId: 'physio',
    resourceId: patch.resource ?? 'anna',
    start,
    end: start + 30 * 60_000,
    blockedStart: start,
    blockedEnd: start + 30 * 60_000,
    contactKey: 'c_1',
    contactId: 'c_1',
    externalContactId: null,
    contactDetails: patch.contact ?? { name: 'Ada Lovelace', email: 'ada@example.org', phone: '+49 151 1234567' },
    status: 'active' as const,
    createdAt: AT - 86_400_000,
    cancelledAt: null,
    createdBy: 'telli',
    cancelReason: null,
  };
  return toApiBooking(record, 'Europe/Berlin');
}

describe('e-mail through a real SMTP server', () => {
  let receiver: SmtpReceiver;
  let transport: MailTransport;

  beforeEach(async () => {
    receiver = await startSmtpReceiver();
    transport = createMailTransport(receiver.url);
  });
  afterEach(async () => {
    transport.close();
    await receiver.close();
  });

  /** Sends each mail, then the one the receiver got for `to`. */
  async function deliver(mails: readonly Mail[]): Promise<(to: string) => ReceivedMail> {
    for (const mail of mails) await sendMail(transport, mail);
    return (to) => {
      const found = receiver.received.filter((received) => received.rcptTo.includes(to));
      expect(found).toHaveLength(1);
      return found[0] as ReceivedMail;
    };
  }

  it('should run in a process whose zone is not the calendar zone', () => {
    expect(new Date(TEN_BERLIN).getHours()).toBe(1);
  });

  it('should confirm a booking in German to the caller and the staff member, times in Berlin', async () => {
    const { calendar, email } = configFor('de');
    const event: MailEvent = { type: 'booking.created', booking: booking(), sequence: 0, at: AT };
    const received = await deliver(emailsFor(event, calendar, email));
    expect(receiver.received).toHaveLength(2);

    const { mail } = received('ada@example.org');
    expect(mail.from?.value).toEqual([{ name: 'Praxis am Kanal', address: 'termine@example.com' }]);
    expect(mail.subject).toBe('Bestätigt: Praxis am Kanal, Dienstag, 1. Dezember 2026 um 10:00 Uhr');
    expect(mail.text).toContain('Ihr Termin ist gebucht.');
    expect(mail.text).toContain('Wann: Dienstag, 1. Dezember 2026, 10:00–10:30 Uhr');
    expect(mail.text).toContain('Bei: Anna Berg');
    expect(mail.text).not.toContain('+49 151');
    expect(mail.html).toContain('<p>Ihr Termin ist gebucht.</p>');
    expect(mail.html).toContain('<td>Dienstag, 1. Dezember 2026, 10:00–10:30 Uhr</td>');

    const staff = received('anna@example.com').mail;
    expect(staff.subject).toBe('Neue Buchung: Ada Lovelace, Dienstag, 1. Dezember 2026 um 10:00 Uhr');
    expect(staff.text).toContain('Wer: Ada Lovelace');
    expect(staff.text).toContain('phone: +49 151 1234567');
  });

  it('should attach an invite for the recipient: REQUEST, the booking UID, its sequence, UTC times', async () => {
    const { calendar, email } = configFor('de');
    const event: MailEvent = { type: 'booking.created', booking: booking(), sequence: 0, at: AT };
    const received = await deliver(emailsFor(event, calendar, email));
    expect(inviteOf(received('ada@example.org'))).toEqual({
      method: 'REQUEST',
      uid: 'bk_1@slotline',
      sequence: 0,
      start: TEN_BERLIN,
      end: '2026-12-01T09:30:00.000Z',
      status: 'CONFIRMED',
      summary: 'Praxis am Kanal: Anna Berg',
      organizer: 'mailto:termine@example.com',
      attendee: 'mailto:ada@example.org',
    });
    expect(inviteOf(received('anna@example.com'))).toMatchObject({
      method: 'REQUEST',
      uid: 'bk_1@slotline',
      summary: 'Praxis am Kanal: Ada Lovelace',
      attendee: 'mailto:anna@example.com',
    });
  });

  it('should tell of a cancellation in English with a CANCEL of the same UID at a higher sequence', async () => {
    const { calendar, email } = configFor('en');
    const event: MailEvent = { type: 'booking.cancelled', booking: booking(), sequence: 1, at: AT };
    const received = await deliver(emailsFor(event, calendar, email));
    const caller = received('ada@example.org');
    expect(caller.mail.subject).toBe('Cancelled: Praxis am Kanal, Tuesday, 1 December 2026 at 10:00');
    expect(caller.mail.text).toContain('Your appointment has been cancelled.');
    expect(caller.mail.text).toContain('When: Tuesday, 1 December 2026, 10:00–10:30');
    expect(caller.mail.text).toContain('With: Anna Berg');
    expect(inviteOf(caller)).toMatchObject({
      method: 'CANCEL',
      uid: 'bk_1@slotline',
      sequence: 1,
      status: 'CANCELLED',
    });
    const staff = received('anna@example.com');
    expect(staff.mail.text).toContain('The booking with Ada Lovelace has been cancelled.');
    expect(inviteOf(staff)).toMatchObject({ method: 'CANCEL', sequence: 1 });
  });

  it('should move the event for the caller, and from one staff member to the other', async () => {
    const { calendar, email } = configFor('en');
    const moved = booking({ resource: 'ben', start: '2026-12-02T13:00:00.000Z' });
    const event: MailEvent = { type: 'booking.moved', booking: moved, previous: booking(), sequence: 2, at: AT };
    const received = await deliver(emailsFor(event, calendar, email));
    expect(receiver.received).toHaveLength(3);

    const caller = received('ada@example.org');
    expect(caller.mail.subject).toBe('Moved: Praxis am Kanal, Wednesday, 2 December 2026 at 14:00');
    expect(caller.mail.text).toContain('Your appointment has been moved; it was on Tuesday, 1 December 2026 at 10:00.');
    expect(caller.mail.text).toContain('With: Ben Kurz');
    expect(inviteOf(caller)).toMatchObject({ method: 'REQUEST', sequence: 2, start: '2026-12-02T13:00:00.000Z' });

    expect(inviteOf(received('ben@example.com'))).toMatchObject({ method: 'REQUEST', sequence: 2 });
    const before = received('anna@example.com');
    expect(before.mail.text).toContain(
      'The booking with Ada Lovelace has been moved to Ben Kurz, on Wednesday, 2 December 2026 at 14:00.',
    );
    expect(inviteOf(before)).toMatchObject({ method: 'CANCEL', sequence: 2, start: TEN_BERLIN });
  });

  it('should cancel a replaced booking, naming the new one', async () => {
    const { calendar, email } = configFor('de');
    const replacement = booking({ id: 'bk_2', start: '2026-12-03T15:30:00.000Z' });
    const event: MailEvent = { type: 'booking.replaced', booking: booking(), replacement, sequence: 1, at: AT };
    const received = await deliver(emailsFor(event, calendar, email));
    const caller = received('ada@example.org');
    expect(caller.mail.text).toContain(
      'Dieser Termin wurde durch Ihre neue Buchung am Donnerstag, 3. Dezember 2026 um 16:30 Uhr ersetzt.',
    );
    expect(inviteOf(caller)).toMatchObject({ method: 'CANCEL', uid: 'bk_1@slotline', sequence: 1 });
  });

  it('should remind the caller only, with the invite again', async () => {
    const { calendar, email } = configFor('de');
    const event: MailEvent = { type: 'booking.reminder', booking: booking(), sequence: 0, at: AT };
    const mails = emailsFor(event, calendar, email);
    expect(mails.map((mail) => mail.to)).toEqual(['ada@example.org']);
    const caller = (await deliver(mails))('ada@example.org');
    expect(caller.mail.subject).toBe('Erinnerung: Praxis am Kanal, Dienstag, 1. Dezember 2026 um 10:00 Uhr');
    expect(caller.mail.text).toContain('Wir erinnern Sie an Ihren Termin.');
    expect(inviteOf(caller)).toMatchObject({ method: 'REQUEST', sequence: 0 });
  });

  it('should escape names in the HTML part and keep them as written in the text part', async () => {
    const { calendar, email } = configFor('en', undefined, 'Physio <Kanal> & "Co"');
    const contact = { name: '<b>Ada</b>', email: 'ada@example.org' };
    const event: MailEvent = { type: 'booking.created', booking: booking({ contact }), sequence: 0, at: AT };
    const received = await deliver(emailsFor(event, calendar, email));
    const caller = received('ada@example.org').mail;
    expect(caller.text).toContain('What: Physio <Kanal> & "Co"');
    expect(caller.html).toContain('<td>Physio &lt;Kanal&gt; &amp; &quot;Co&quot;</td>');
    expect(received('anna@example.com').mail.html).toContain('<td>&lt;b&gt;Ada&lt;/b&gt;</td>');
  });

  it('should reject when the server refuses the recipient, naming no address, and send on a later try', async () => {
    const { calendar, email } = configFor('en');
    const [mail] = emailsFor({ type: 'booking.created', booking: booking(), sequence: 0, at: AT }, calendar, email);
    receiver.refuseNext.push(451);
    const error = await sendMail(transport, mail!).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(MailSendError);
    expect(error).toMatchObject({ code: 'EENVELOPE', responseCode: 451, permanent: false });
    expect((error as Error).message).not.toContain('ada@');
    expect(receiver.received).toHaveLength(0);

    await sendMail(transport, mail!);
    expect(receiver.received.map((received) => received.rcptTo)).toEqual([['ada@example.org']]);
  });

  it('should reject a permanent refusal as permanent', async () => {
    const { calendar, email } = configFor('en');
    const [mail] = emailsFor({ type: 'booking.created', booking: booking(), sequence: 0, at: AT }, calendar, email);
    receiver.refuseNext.push(550);
    await expect(sendMail(transport, mail!)).rejects.toMatchObject({
      code: 'EENVELOPE',
      responseCode: 550,
      permanent: true,
    });
  });

  it('should reject when the credentials are wrong, without the password in the message', async () => {
    const { calendar, email } = configFor('en');
    const [mail] = emailsFor({ type: 'booking.created', booking: booking(), sequence: 0, at: AT }, calendar, email);
    const wrong = createMailTransport(receiver.url.replace('secret-p4ss', 'wrong-p4ss'));
    try {
      const error = await sendMail(wrong, mail!).catch((failure: unknown) => failure);
      expect(error).toMatchObject({ name: 'MailSendError', code: 'EAUTH' });
      expect((error as Error).message).not.toContain('p4ss');
    } finally {
      wrong.close();
    }
  });
});

describe('who gets a mail', () => {
  const created = (contact: Record<string, unknown>): MailEvent => ({
    type: 'booking.created',
    booking: booking({ contact }),
    sequence: 0,
    at: AT,
  });
  const recipients = (mails: readonly Mail[]) => mails.map((mail) => `${mail.role} ${mail.to}`);

  it('should send nothing to a contact without a valid e-mail address', () => {
    const { calendar, email } = configFor('en');
    for (const contact of [
      {},
      { email: '' },
      { email: 'ada at example.org' },
      { email: 42 },
      { mail: 'ada@example.org' },
    ]) {
      expect(recipients(emailsFor(created(contact), calendar, email))).toEqual(['resource anna@example.com']);
    }
  });

  it('should take an address dictated with spaces around it', () => {
    const { calendar, email } = configFor('en');
    expect(recipients(emailsFor(created({ email: ' ada@example.org ' }), calendar, email))).toEqual([
      'contact ada@example.org',
      'resource anna@example.com',
    ]);
  });

  it('should follow to_contact and to_resource, and skip a staff member without an address', () => {
    const { calendar, email } = configFor('en');
    const event = created({ email: 'ada@example.org' });
    expect(recipients(emailsFor(event, calendar, { ...email, toContact: false }))).toEqual([
      'resource anna@example.com',
    ]);
    expect(recipients(emailsFor(event, calendar, { ...email, toResource: false }))).toEqual([
      'contact ada@example.org',
    ]);
    const withCleo: MailEvent = { ...event, booking: { ...event.booking, resource: 'cleo' } };
    expect(recipients(emailsFor(withCleo, calendar, email))).toEqual(['contact ada@example.org']);
  });

  it('should name no earlier time when a move changed only the staff member', () => {
    const { calendar, email } = configFor('en');
    const event: MailEvent = {
      type: 'booking.moved',
      booking: booking({ resource: 'ben' }),
      previous: booking(),
      sequence: 1,
      at: AT,
    };
    const [caller, staff] = emailsFor(event, calendar, email);
    expect(caller?.text).toMatch(/^Your appointment has been moved\.\n/);
    expect(caller?.text).toContain('With: Ben Kurz');
    expect(staff?.text).toMatch(/^The booking with Ada Lovelace has been moved\.\n/);
  });

  it('should write the hour after midnight as 00 and the times of a day the clocks change as they are on the wall', () => {
    const { calendar, email } = configFor('en');
    // 23:30-00:00 UTC is 00:30-01:00 in Berlin in winter; 29 March 2026, 00:30 UTC is 01:30 CET, and
    // 30 minutes later it is 03:00 CEST.
    const at = (start: string) => ({ ...created({ email: 'ada@example.org' }), booking: booking({ start }) });
    const [afterMidnight] = emailsFor(at('2026-12-01T23:30:00.000Z'), calendar, email);
    expect(afterMidnight?.subject).toBe('Confirmed: Praxis am Kanal, Wednesday, 2 December 2026 at 00:30');
    expect(afterMidnight?.text).toContain('When: Wednesday, 2 December 2026, 00:30–01:00\n');
    const [acrossTheChange] = emailsFor(at('2026-03-29T00:30:00.000Z'), calendar, email);
    expect(acrossTheChange?.text).toContain('When: Sunday, 29 March 2026, 01:30–03:00\n');
    const de = configFor('de');
    const [german] = emailsFor(at('2026-12-01T23:30:00.000Z'), de.calendar, de.email);
    expect(german?.subject).toBe('Bestätigt: Praxis am Kanal, Mittwoch, 2. Dezember 2026 um 00:30 Uhr');
    expect(german?.text).toContain('Wann: Mittwoch, 2. Dezember 2026, 00:30–01:00 Uhr\n');
  });

  it('should name a caller without a name to the staff member', () => {
    const { calendar, email } = configFor('de');
    const [staff] = emailsFor(created({ phone: '+49 151 1234567' }), calendar, email);
    expect(staff?.text).toContain('Neue Buchung mit einem Anrufer.');
  });
});
