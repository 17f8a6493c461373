import { Type, type Static } from 'typebox';
import type { Config } from '../config/config.types.js';
import type { BookingRecord } from '../store/booking.js';

/** A booking as the business's API shows it, everywhere one appears. */
export const BookingAnswer = Type.Object(
  {
    id: Type.String(),
    calendar: Type.String(),
    resource: Type.String(),
    start_iso: Type.String({ format: 'date-time' }),
    end_iso: Type.String({ format: 'date-time' }),
    timezone: Type.String({ description: "the calendar's IANA time zone" }),
    status: Type.Union([Type.Literal('active'), Type.Literal('cancelled'), Type.Literal('replaced')], {
      description: '`cancelled` by the operator, `replaced` when the contact booked another slot',
    }),
    contact_id: Type.Union([Type.String(), Type.Null()]),
    external_contact_id: Type.Union([Type.String(), Type.Null()]),
    contact_details: Type.Record(Type.String(), Type.Unknown()),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String({ description: '`telli` or the name of the admin token' }),
    cancelled_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    cancel_reason: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export type BookingAnswer = Static<typeof BookingAnswer>;

const iso = (instant: number) => new Date(instant).toISOString();

/**
 * The API's view of a booking. Its time zone is its calendar's; a booking whose calendar has left
 * the config is shown in UTC.
 */
export function bookingAnswer(booking: BookingRecord, config: Config): BookingAnswer {
  const calendar = config.calendars.find((candidate) => candidate.id === booking.calendarId);
  return {
    id: booking.id,
    calendar: booking.calendarId,
    resource: booking.resourceId,
    start_iso: iso(booking.start),
    end_iso: iso(booking.end),
    timezone: calendar?.timezone ?? 'UTC',
    status: booking.status,
    contact_id: booking.contactId,
    external_contact_id: booking.externalContactId,
    contact_details: (booking.contactDetails ?? {}) as Record<string, unknown>,
    created_at: iso(booking.createdAt),
    created_by: booking.createdBy,
    cancelled_at: booking.cancelledAt === null ? null : iso(booking.cancelledAt),
    cancel_reason: booking.cancelReason,
  };
}
