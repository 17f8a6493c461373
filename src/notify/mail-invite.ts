import ICAL from 'ical.js';
import { bookingUid } from '../booking-ical/booking-event.js';
import type { Mailbox } from '../config/config.types.js';
import type { Invite, MailBooking } from './mail-event.js';

const PRODUCT = '-//Slotline//Mail//EN';

export interface InviteOptions {
  readonly method: Invite['method'];
  readonly booking: MailBooking;
  readonly sequence: number;
  /** When the change happened, epoch ms (DTSTAMP). */
  readonly at: number;
  readonly summary: string;
  readonly description?: string;
  readonly organizer: Mailbox;
  readonly attendee: Mailbox;
}

/**
 * A booking as an iTIP message (RFC 5546) for one attendee: REQUEST adds or updates the event in
 * the recipient's calendar app, CANCEL removes it. The UID is the one the booking has in the feed
 * and in written-back calendars, so all copies are one event; the higher SEQUENCE wins.
 */
export function inviteFor(options: InviteOptions): Invite {
  const calendar = new ICAL.Component(['vcalendar', [], []]);
  calendar.updatePropertyWithValue('prodid', PRODUCT);
  calendar.updatePropertyWithValue('version', '2.0');
  calendar.updatePropertyWithValue('method', options.method);
  const component = new ICAL.Component('vevent');
  const event = new ICAL.Event(component);
  event.uid = bookingUid(options.booking.id);
  event.sequence = options.sequence;
  event.startDate = utc(Date.parse(options.booking.start_iso));
  event.endDate = utc(Date.parse(options.booking.end_iso));
  event.summary = options.summary;
  if (options.description) event.description = options.description;
  component.updatePropertyWithValue('dtstamp', utc(options.at));
  component.updatePropertyWithValue('status', options.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED');
  component.addProperty(person('organizer', options.organizer));
  // The booking is already made: the attendee has nothing to answer, so the app asks nothing.
  const attendee = person('attendee', options.attendee);
  attendee.setParameter('role', 'REQ-PARTICIPANT');
  attendee.setParameter('partstat', 'ACCEPTED');
  attendee.setParameter('rsvp', 'FALSE');
  component.addProperty(attendee);
  calendar.addSubcomponent(component);
  return { method: options.method, content: calendar.toString() };
}

function utc(instant: number): ICAL.Time {
  return ICAL.Time.fromJSDate(new Date(instant), true);
}

function person(name: 'organizer' | 'attendee', mailbox: Mailbox): ICAL.Property {
  const property = new ICAL.Property(name);
  if (mailbox.name) property.setParameter('cn', mailbox.name);
  property.setValue(`mailto:${mailbox.address}`);
  return property;
}
