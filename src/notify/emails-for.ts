import { contactName, describe } from '../booking-ical/booking-event.js';
import type { CalendarConfig, EmailConfig, Mailbox } from '../config/config.types.js';
import { isEmailAddress } from '../shared/email-address.js';
import type { Invite, Mail, MailBooking, MailEvent } from './mail-event.js';
import { inviteFor } from './mail-invite.js';
import { mailContent, NO_NAME, type MailKind } from './mail-text.js';

/**
 * Who gets which mail for one change of a booking: the caller at `contact_details.email` (when it
 * is a valid address and `to_contact` is on) and the staff member at their resource's `email`
 * (when `to_resource` is on; never for a reminder). Pure: the outbox sends what this returns.
 */
export function emailsFor(event: MailEvent, calendar: CalendarConfig, email: EmailConfig): Mail[] {
  const { booking } = event;
  const mails: Mail[] = [];
  const caller = email.toContact ? contactAddress(booking) : undefined;
  if (caller) {
    const kind = `contact.${event.type.slice('booking.'.length)}` as MailKind;
    mails.push(compose(kind, caller, { event, calendar, email, shown: booking, other: otherTime(event) }));
  }
  if (!email.toResource || event.type === 'booking.reminder') return mails;
  const staff = staffOf(calendar, booking.resource);
  if (staff) {
    const kind = `resource.${event.type.slice('booking.'.length)}` as MailKind;
    mails.push(compose(kind, staff, { event, calendar, email, shown: booking, other: otherTime(event) }));
  }
  // A move to another staff member takes the event out of the first one's calendar.
  if (event.type === 'booking.moved' && event.previous.resource !== booking.resource) {
    const before = staffOf(calendar, event.previous.resource);
    if (before) {
      mails.push(
        compose('resource.movedAway', before, {
          event,
          calendar,
          email,
          shown: event.previous,
          other: Date.parse(booking.start_iso),
          otherResource: resourceName(calendar, booking.resource),
        }),
      );
    }
  }
  return mails;
}

interface Composition {
  readonly event: MailEvent;
  readonly calendar: CalendarConfig;
  readonly email: EmailConfig;
  /** The booking the mail and its invite describe. */
  readonly shown: MailBooking;
  readonly other?: number;
  readonly otherResource?: string;
}

const CANCELLING: ReadonlySet<MailKind> = new Set([
  'contact.cancelled',
  'contact.replaced',
  'resource.cancelled',
  'resource.replaced',
  'resource.movedAway',
]);

function compose(kind: MailKind, to: Mailbox, composition: Composition): Mail {
  const { event, calendar, email, shown } = composition;
  const role = kind.startsWith('contact.') ? 'contact' : 'resource';
  const resource = resourceName(calendar, shown.resource);
  const contact = contactName(shown.contact_details) ?? NO_NAME[calendar.language];
  const details = role === 'resource' ? describe(shown.contact_details, calendar.eventDetails) : '';
  const content = mailContent(kind, calendar.language, calendar.timezone, {
    calendar: calendar.name,
    resource,
    contact,
    start: Date.parse(shown.start_iso),
    end: Date.parse(shown.end_iso),
    other: composition.other,
    otherResource: composition.otherResource,
    details,
  });
  const method: Invite['method'] = CANCELLING.has(kind) ? 'CANCEL' : 'REQUEST';
  const invite = inviteFor({
    method,
    booking: shown,
    sequence: event.sequence,
    at: event.at,
    // What the event is called in the recipient's calendar: whom they meet.
    summary: role === 'contact' ? `${calendar.name}: ${resource}` : `${calendar.name}: ${contact}`,
    description: details || undefined,
    organizer: email.from,
    attendee: to,
  });
  return { role, from: email.from, to: to.address, ...content, invite };
}

/**
 * The other time a mail names: where a booking was before a move (none when only the staff member
 * changed), or the start of its replacement.
 */
function otherTime(event: MailEvent): number | undefined {
  if (event.type === 'booking.moved') {
    const { previous, booking } = event;
    return previous.start_iso === booking.start_iso ? undefined : Date.parse(previous.start_iso);
  }
  if (event.type === 'booking.replaced' && event.replacement) return Date.parse(event.replacement.start_iso);
  return undefined;
}

/** The caller's mailbox; a dictated address may carry spaces around it, nothing else is fixed up. */
function contactAddress(booking: MailBooking): Mailbox | undefined {
  const { email } = booking.contact_details;
  const address = typeof email === 'string' ? email.trim() : undefined;
  if (!isEmailAddress(address)) return undefined;
  const name = contactName(booking.contact_details);
  return name ? { name, address } : { address };
}

function staffOf(calendar: CalendarConfig, resourceId: string): Mailbox | undefined {
  const resource = calendar.resources.find((candidate) => candidate.id === resourceId);
  return resource?.email ? { name: resource.name, address: resource.email } : undefined;
}

/** A resource no longer in the config is named by its id. */
function resourceName(calendar: CalendarConfig, resourceId: string): string {
  return calendar.resources.find((candidate) => candidate.id === resourceId)?.name ?? resourceId;
}
