import type { Mailbox } from '../config/config.types.js';

/**
 * What the outbox hands the e-mail channel, and what it gets back. The channel is pure up to
 * `sendMail`: the outbox decides when (after the commit, with retries); this decides who gets what.
 */

/**
 * The fields of a booking a mail reads, named as the business's API shows them: the API's booking
 * (`ApiBooking`, booking/api-booking.ts), which is also a webhook's `data`, fits as it is.
 */
export interface MailBooking {
  readonly id: string;
  readonly resource: string;
  /** UTC instants, as the API writes them. */
  readonly start_iso: string;
  readonly end_iso: string;
  readonly contact_details: Readonly<Record<string, unknown>>;
}

interface Change {
  /**
   * The iCalendar SEQUENCE of the booking's event after this change: it must grow with each change
   * of one booking (e.g. the number of the booking's audit entries up to this one, counted from 0),
   * so that calendar apps apply a later invite over an earlier one.
   */
  readonly sequence: number;
  /** When the change happened (the audit entry's `at`), epoch ms: the invite's DTSTAMP. */
  readonly at: number;
}

/** One mail-worthy change of one booking; a rebook is two: `booking.replaced` and `booking.created`. */
export type MailEvent = Change &
  (
    | { readonly type: 'booking.created' | 'booking.cancelled' | 'booking.reminder'; readonly booking: MailBooking }
    /** `booking` as it is now, `previous` as it was: times and resource. */
    | { readonly type: 'booking.moved'; readonly booking: MailBooking; readonly previous: MailBooking }
    /** `booking` is the replaced one; `replacement` the contact's new booking, when known. */
    | { readonly type: 'booking.replaced'; readonly booking: MailBooking; readonly replacement?: MailBooking }
  );

export type MailEventType = MailEvent['type'];

/** A calendar invite: one iTIP method per mail, since mail clients act on one. */
export interface Invite {
  readonly method: 'REQUEST' | 'CANCEL';
  /** A whole VCALENDAR. */
  readonly content: string;
}

/** One message to one recipient, ready for `sendMail`. */
export interface Mail {
  /** Who it is for: the caller, or the staff member of the booking's resource. */
  readonly role: 'contact' | 'resource';
  readonly from: Mailbox;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly invite: Invite;
}
