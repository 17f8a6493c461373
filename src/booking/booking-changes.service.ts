import type { LiveConfig } from '../config/live-config.js';
import type { BookingRecord } from '../store/booking.js';
import type { Store } from '../store/store.js';
import type { Availability } from './availability.service.js';
import { writtenTo } from './booking.service.js';

/** How an operator's cancel ended. */
export type CancelOutcome =
  | { readonly status: 'cancelled'; readonly booking: BookingRecord }
  | { readonly status: 'not_found' }
  /** The contact booked another slot: the booking is no longer theirs to cancel. */
  | { readonly status: 'replaced'; readonly booking: BookingRecord };

export interface BookingChangesDeps {
  readonly config: LiveConfig;
  readonly store: Store;
  readonly availability: Availability;
  readonly now: () => number;
}

export interface BookingChanges {
  /** Cancels a booking for `actor`; cancelling a cancelled booking answers it again and writes nothing. */
  cancel(bookingId: string, actor: string, reason: string | null): Promise<CancelOutcome>;
}

/** Changes the business makes to bookings, with the same guarantees as telli's /book. */
export function createBookingChanges({ config, store, availability, now }: BookingChangesDeps): BookingChanges {
  return {
    async cancel(bookingId, actor, reason) {
      const { booking, change } = await store.cancel({
        bookingId,
        actor,
        reason,
        now: now(),
        writtenTo: (cancelled) => {
          const calendar = config.calendar(cancelled.calendarId);
          return calendar ? writtenTo(calendar, cancelled.resourceId) : [];
        },
      });
      if (!booking) return { status: 'not_found' };
      const calendar = config.calendar(booking.calendarId);
      if (change && calendar) availability.applyChange(calendar, change);
      return booking.status === 'replaced' ? { status: 'replaced', booking } : { status: 'cancelled', booking };
    },
  };
}
