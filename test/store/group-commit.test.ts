import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import type { BookingQuery, NewBooking } from '../../src/store/booking.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { DIALECTS, dropTestDatabases, freshDatabase } from '../dialects.js';

/**
 * Bookings and leases asked for at the same moment: on SQLite they share one commit, each deciding
 * on what those before it wrote; on PostgreSQL they run side by side. Either way the outcome is
 * that of running them one by one, and one that fails fails alone.
 */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const NINE = Date.parse('2026-12-02T09:00:00Z');
const MINUTE = 60_000;

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(dropTestDatabases);

const query = (contact: string): BookingQuery => ({
  calendarId: 'cal',
  start: NINE,
  contactKey: `contact_id:${contact}`,
  window: { start: NINE, end: NINE + 30 * MINUTE },
  now: NOW,
  country: undefined,
});

const booking = (contact: string): NewBooking => ({
  id: `booking-${contact}`,
  calendarId: 'cal',
  resourceId: 'r1',
  start: NINE,
  end: NINE + 30 * MINUTE,
  blockedStart: NINE,
  blockedEnd: NINE + 30 * MINUTE,
  contactKey: `contact_id:${contact}`,
  contactId: contact,
  externalContactId: null,
  contactDetails: {},
  createdAt: NOW,
});

describe.each(DIALECTS)('bookings asked for at once on %s', (dialect) => {
  it('should decide each on what the others wrote, and fail one alone', async () => {
    const store = await openStore(freshDatabase(dialect), DEFAULT_POOL);
    stores.push(store);
    // Each books r1 at nine only when it finds it free: exactly one of them can.
    const bookIfFree = (contact: string) =>
      store.book(query(contact), (snapshot) =>
        snapshot.nearby.length === 0 ? { insert: booking(contact), result: 'booked' } : { result: 'taken' },
      );
    const outcomes = await Promise.allSettled([
      bookIfFree('a'),
      store.book(query('broken'), () => {
        throw new Error('a decision that fails');
      }),
      bookIfFree('b'),
      bookIfFree('c'),
    ]);
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { message: 'a decision that fails' } });
    const answers = [outcomes[0], outcomes[2], outcomes[3]].map((outcome) =>
      outcome!.status === 'fulfilled' ? outcome.value.result : 'rejected',
    );
    expect(answers.filter((answer) => answer === 'booked')).toHaveLength(1);
    expect(answers.filter((answer) => answer === 'taken')).toHaveLength(2);
    const active = await store.activeBookings('cal', NOW);
    expect(active).toHaveLength(1);
    expect(await store.changeMark('cal')).toBe('1');
  });

  it('should lease a feed to one of the callers asking at once, beside a booking', async () => {
    const store = await openStore(freshDatabase(dialect), DEFAULT_POOL);
    stores.push(store);
    const claims = ['feed', 'feed', 'feed'].map((feed) => store.claimSync(feed, NOW, NOW + MINUTE));
    const other = store.claimSync('other-feed', NOW, NOW + MINUTE);
    const booked = store.book(query('a'), () => ({ insert: booking('a'), result: 'booked' }));
    expect((await Promise.all(claims)).filter((claimed) => claimed)).toHaveLength(1);
    expect(await other).toBe(true);
    expect((await booked).result).toBe('booked');
    expect(await store.activeBookings('cal', NOW)).toHaveLength(1);
  });
});
