import ICAL from 'ical.js';
import type { CalendarConfig } from '../config/config.types.js';
import type { Booking } from '../store/booking.js';
import { OWN_UID_SUFFIX } from './own-events.js';

const PRODUCT = '-//Slotline//Bookings//EN';

/** The UID of a booking's event, wherever it is written: stable, and recognisably Slotline's. */
export function bookingUid(bookingId: string): string {
  return `${bookingId}${OWN_UID_SUFFIX}`;
}

/** A whole iCalendar feed of bookings, for calendar apps to subscribe to. */
export function bookingsFeed(calendar: CalendarConfig, bookings: readonly Booking[]): string {
  const feed = calendarComponent();
  feed.updatePropertyWithValue('x-wr-calname', calendar.name);
  for (const booking of bookings) feed.addSubcomponent(bookingComponent(calendar, booking));
  return feed.toString();
}

/** One booking as a calendar object of its own, as CalDAV stores it. */
export function bookingObject(calendar: CalendarConfig, booking: Booking): string {
  const object = calendarComponent();
  object.addSubcomponent(bookingComponent(calendar, booking));
  return object.toString();
}

function calendarComponent(): ICAL.Component {
  const component = new ICAL.Component(['vcalendar', [], []]);
  component.updatePropertyWithValue('prodid', PRODUCT);
  component.updatePropertyWithValue('version', '2.0');
  return component;
}

/** Summary: the calendar's name and the contact's; description: the configured contact fields. */
function bookingComponent(calendar: CalendarConfig, booking: Booking): ICAL.Component {
  const component = new ICAL.Component('vevent');
  const event = new ICAL.Event(component);
  event.uid = bookingUid(booking.id);
  event.startDate = ICAL.Time.fromJSDate(new Date(booking.start), true);
  event.endDate = ICAL.Time.fromJSDate(new Date(booking.end), true);
  const name = contactName(booking.contactDetails);
  event.summary = name ? `${calendar.name}: ${name}` : calendar.name;
  const description = describe(booking.contactDetails, calendar.eventDetails);
  if (description) event.description = description;
  component.updatePropertyWithValue('dtstamp', ICAL.Time.fromJSDate(new Date(booking.createdAt), true));
  component.updatePropertyWithValue('status', 'CONFIRMED');
  return component;
}

/** The contact's name from `name`, else `first_name last_name`; undefined when neither is there. */
export function contactName(details: unknown): string | undefined {
  const fields = isRecord(details) ? details : {};
  const name = [fields.name, [fields.first_name, fields.last_name].filter(Boolean).join(' ')].find(
    (value) => typeof value === 'string' && value.trim() !== '',
  );
  return typeof name === 'string' ? name.trim() : undefined;
}

/** `key: value` lines of the contact details named by `keys` (the calendar's `event_details`). */
export function describe(details: unknown, keys: readonly string[]): string {
  if (!isRecord(details)) return '';
  return keys
    .filter((key) => details[key] !== undefined && details[key] !== null && details[key] !== '')
    .map((key) => `${key}: ${typeof details[key] === 'string' ? details[key] : JSON.stringify(details[key])}`)
    .join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
