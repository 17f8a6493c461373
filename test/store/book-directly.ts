import type { NewBooking } from '../../src/store/booking.js';
import type { Store } from '../../src/store/store.js';
import type { Writeback } from '../../src/store/writeback.js';

const HALF_HOUR = 30 * 60_000;

/**
 * Books straight through the store, as /book's `decide` would once it found the slot free: a
 * booking of 30 minutes from `start` on calendar `cal` and resource `r1`, its own contact unless
 * told, made at `createdAt`; it replaces the contact's earlier bookings and queues write-backs
 * when asked. Resolves to the change the store made.
 */
export async function bookDirectly(
  store: Store,
  booking: Partial<NewBooking> & Pick<NewBooking, 'id' | 'start' | 'createdAt'>,
  also: { readonly replace?: boolean; readonly writebacks?: readonly Writeback[] } = {},
) {
  const contactId = booking.contactId ?? booking.id;
  const end = booking.end ?? booking.start + HALF_HOUR;
  const full: NewBooking = {
    calendarId: 'cal',
    resourceId: 'r1',
    end,
    blockedStart: booking.start,
    blockedEnd: end,
    contactKey: `contact_id:${contactId}`,
    contactId,
    externalContactId: null,
    contactDetails: { name: 'Ada' },
    ...booking,
  };
  const query = {
    calendarId: full.calendarId,
    start: full.blockedStart,
    contactKey: full.contactKey,
    window: { start: full.blockedStart, end: full.blockedEnd },
    now: full.createdAt,
    country: undefined,
  };
  const { change } = await store.book(query, (snapshot) => ({
    insert: full,
    replace: also.replace ? snapshot.contactBookings : [],
    writebacks: also.writebacks,
    result: undefined,
  }));
  return change;
}
