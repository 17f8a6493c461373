import { toApiBooking, type ApiBooking } from '../booking/api-booking.js';
import { formatInstant } from '../contract/timestamp.js';
import type { AuditFields } from '../store/audit.js';
import type { OutboxEvent } from '../store/outbox.js';

/** Time off as an event's `data`: what its audit entry holds. */
export interface ApiTimeOff {
  readonly id: string | null;
  readonly calendar: string;
  /** Null: every resource of the calendar. */
  readonly resource: string | null;
  readonly start_iso: string | null;
  readonly end_iso: string | null;
  readonly timezone: string | null;
  readonly note: string | null;
}

/** The JSON body of a webhook: `data` is the booking exactly as the admin API shows it. */
export interface WebhookBody {
  readonly type: string;
  /** When the change was made. */
  readonly timestamp: string;
  readonly data: ApiBooking | ApiTimeOff;
  /** booking.moved and booking.cancelled: the booking before the change. */
  readonly previous?: ApiBooking;
  /** booking.replaced: the booking the contact made instead. */
  readonly replaced_by?: ApiBooking;
}

/** Time-off entries carry these besides the booking fields (shared-design: time_off.* shapes). */
type TimeOffFields = AuditFields & { readonly resource?: string | null; readonly note?: string | null };

/**
 * The body of one event, or undefined when the booking it names is gone (it never is: bookings
 * are kept). The booking's row is now; the entry's fields say what this change made of it, so a
 * booking created and cancelled before the fan-out still tells `booking.created` as active.
 */
export function webhookBody(event: OutboxEvent, timezone: string | undefined): WebhookBody | undefined {
  const { entry } = event;
  const common = { type: entry.action, timestamp: formatInstant(entry.at) };
  if (entry.action === 'time_off.created' || entry.action === 'time_off.deleted') {
    const fields: TimeOffFields = (entry.action === 'time_off.created' ? entry.after : entry.before) ?? {};
    return {
      ...common,
      data: {
        id: entry.timeOffId,
        calendar: entry.calendarId,
        resource: fields.resource ?? null,
        start_iso: fields.start_iso ?? null,
        end_iso: fields.end_iso ?? null,
        timezone: timezone ?? null,
        note: fields.note ?? null,
      },
    };
  }
  if (!event.booking) return undefined;
  const data = overlay(toApiBooking(event.booking, timezone), entry.after);
  switch (entry.action) {
    case 'booking.moved':
    case 'booking.cancelled':
      return { ...common, data, previous: overlay(data, entry.before) };
    case 'booking.replaced':
      return {
        ...common,
        data,
        // As it was when it replaced this one: active, whatever became of it since.
        ...(event.replacement && {
          replaced_by: overlay(toApiBooking(event.replacement, timezone), { status: 'active' }),
        }),
      };
    default:
      return { ...common, data };
  }
}

/** The booking with a change's fields laid over it; an active booking has no cancellation. */
function overlay(booking: ApiBooking, fields: AuditFields | null): ApiBooking {
  if (!fields) return booking;
  const status = fields.status ?? booking.status;
  return {
    ...booking,
    ...(fields.start_iso !== undefined && { start_iso: fields.start_iso }),
    ...(fields.end_iso !== undefined && { end_iso: fields.end_iso }),
    ...(typeof fields.resource === 'string' && { resource: fields.resource }),
    status,
    ...(status === 'active'
      ? { cancelled_at: null, cancel_reason: null }
      : fields.cancel_reason !== undefined && { cancel_reason: fields.cancel_reason }),
  };
}
