import type { Static } from 'typebox';
import { formatInstant } from '../contract/timestamp.js';
import type { BookingRecord } from '../store/booking.js';
import type { Booking } from './api.schemas.js';

/** A booking as the business's API shows it, everywhere one appears; `timezone` is its calendar's. */
export type ApiBooking = Static<typeof Booking>;

export function toApiBooking(booking: BookingRecord, timezone: string | undefined): ApiBooking {
  return {
    id: booking.id,
    calendar: booking.calendarId,
    resource: booking.resourceId,
    start_iso: formatInstant(booking.start),
    end_iso: formatInstant(booking.end),
    timezone: timezone ?? null,
    status: booking.status,
    contact_id: booking.contactId,
    external_contact_id: booking.externalContactId,
    contact_details: isRecord(booking.contactDetails) ? booking.contactDetails : {},
    created_at: formatInstant(booking.createdAt),
    created_by: booking.createdBy,
    cancelled_at: booking.cancelledAt === null ? null : formatInstant(booking.cancelledAt),
    cancel_reason: booking.cancelReason,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
