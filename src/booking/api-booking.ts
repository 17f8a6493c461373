import { formatInstant } from '../contract/timestamp.js';
import type { ListedBooking } from '../store/booking.js';
import type { BookingStatus } from '../store/booking.table.js';

/**
 * A booking as the business sees it, everywhere one appears: the admin API (schema `Booking` in
 * http/api.schemas.ts) and the webhooks' `data`. `timezone` is its calendar's.
 */
export interface ApiBooking {
  readonly id: string;
  readonly calendar: string;
  readonly resource: string;
  readonly start_iso: string;
  readonly end_iso: string;
  readonly timezone: string | null;
  readonly status: BookingStatus;
  readonly contact_id: string | null;
  readonly external_contact_id: string | null;
  readonly contact_details: Record<string, unknown>;
  readonly created_at: string;
  readonly created_by: string;
  readonly cancelled_at: string | null;
  readonly cancel_reason: string | null;
}

export function toApiBooking(booking: ListedBooking, timezone: string | undefined): ApiBooking {
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
