import type { Config } from '../config/config.types.js';
import type { EmailMessages, NewEmailDelivery } from '../store/email-delivery.js';
import type { OutboxEvent } from '../store/outbox.js';
import { webhookBody } from '../webhooks/webhook-events.js';
import { emailsFor } from './emails-for.js';
import type { MailEvent } from './mail-event.js';
import { reminderDueAt } from './reminder.js';
import { timeOrderedId } from '../shared/time-ordered-id.js';

/**
 * The e-mail channel of the outbox: each change of a booking becomes one mail per recipient
 * (`emailsFor`), rendered now, so that it tells what the change was when it was made, and a retry
 * sends the same mail. A booking made or moved also gets its caller's reminder, due
 * `remind_before` ahead of its start; a cancel, replace or move voids the reminder written before.
 * The SEQUENCE of the invites is the audit entry's `seq`, which grows with every change.
 */
export function emailMessages(config: Config) {
  const calendars = new Map(config.calendars.map((calendar) => [calendar.id, calendar]));
  return (events: readonly OutboxEvent[], now: number): EmailMessages => {
    const mails: NewEmailDelivery[] = [];
    /** The reminder each booking gets from this batch; a later event of the batch replaces or voids it. */
    const reminders = new Map<string, NewEmailDelivery>();
    const voided = new Set<string>();
    for (const event of events) {
      const { entry } = event;
      if (entry.bookingId === null || entry.action.startsWith('time_off.')) continue;
      if (entry.action !== 'booking.created') {
        reminders.delete(entry.bookingId);
        voided.add(entry.bookingId);
      }
      const { email } = config;
      const calendar = calendars.get(entry.calendarId);
      const mailEvent = email && calendar && mailEventOf(event);
      if (!mailEvent) continue;
      const delivery = (kind: NewEmailDelivery['kind'], mail: NewEmailDelivery['mail'], dueAt = now) => ({
        id: `mail_${timeOrderedId(now)}`,
        bookingId: entry.bookingId!,
        calendarId: entry.calendarId,
        auditSeq: entry.seq,
        kind,
        mail,
        remindStart: kind === 'booking.reminder' ? mailEvent.booking.start_iso : null,
        dueAt,
        createdAt: now,
      });
      for (const mail of emailsFor(mailEvent, calendar, email)) mails.push(delivery(mailEvent.type, mail));
      if (mailEvent.type !== 'booking.created' && mailEvent.type !== 'booking.moved') continue;
      const dueAt = reminderDueAt(mailEvent.booking.start_iso, entry.at, email);
      if (dueAt === undefined) continue;
      const [reminder] = emailsFor({ ...mailEvent, type: 'booking.reminder' }, calendar, email);
      if (reminder) reminders.set(entry.bookingId, delivery('booking.reminder', reminder, dueAt));
    }
    return { deliveries: [...mails, ...reminders.values()], voidReminders: [...voided] };
  };
}

/** A booking's change as the mails tell it: the booking as this change made it, and before, as the webhooks tell it. */
function mailEventOf(event: OutboxEvent): MailEvent | undefined {
  const body = webhookBody(event, undefined);
  if (!body || !('status' in body.data)) return undefined;
  const change = { sequence: event.entry.seq, at: event.entry.at, booking: body.data };
  switch (event.entry.action) {
    case 'booking.created':
    case 'booking.cancelled':
      return { ...change, type: event.entry.action };
    case 'booking.moved':
      return body.previous && { ...change, type: 'booking.moved', previous: body.previous };
    case 'booking.replaced':
      return { ...change, type: 'booking.replaced', replacement: body.replaced_by };
    default:
      return undefined;
  }
}
