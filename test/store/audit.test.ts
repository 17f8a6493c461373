import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { appsOn, calendarYaml } from '../http/harness.js';
import { DIALECTS, freshDatabase } from '../dialects.js';
import { bookDirectly } from './book-directly.js';
import { databaseAt } from './database-at.js';

/** The audit trail and the business's reads: who changed what, written with the change itself. */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const NINE = '2026-12-02T09:00:00.000Z';
const TEN = '2026-12-02T10:00:00.000Z';
const MINUTE = 60_000;

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe.each(DIALECTS)('on %s', (dialect) => {
  const open = appsOn(dialect);

  const openFresh = async () => {
    const store = await openStore(freshDatabase(dialect), DEFAULT_POOL);
    stores.push(store);
    return store;
  };

  it('should keep the bookings of a 0005 database when migrating, as made by telli', async () => {
    const { url, db } = await databaseAt(dialect, '0005-contact-key-kinds');
    try {
      await db
        .insertInto('bookings')
        .values({
          id: 'old',
          calendar_id: 'cal',
          resource_id: 'r1',
          start_at: NOW,
          end_at: NOW + 30 * MINUTE,
          blocked_start: NOW,
          blocked_end: NOW + 30 * MINUTE,
          contact_key: 'contact_id:c1',
          contact_id: 'c1',
          contact_details: '{"name":"Ada","phone":"+49 151 12345678"}',
          status: 'active',
          created_at: NOW - MINUTE,
        })
        .execute();
    } finally {
      await db.destroy();
    }
    const applied: string[] = [];
    const store = await openStore(url, DEFAULT_POOL, (report) => applied.push(...report.applied));
    stores.push(store);
    // Every migration after 0005, in order; later ones are added by other changes.
    expect(applied.slice(0, 2)).toEqual(['0006-business-side', '0007-booking-search-keys']);
    expect(applied).toContain('0011-booking-phone-numbers');
    const { bookings } = await store.listBookings({ status: 'all', limit: 10 });
    expect(bookings).toEqual([
      expect.objectContaining({ id: 'old', contactId: 'c1', status: 'active', createdBy: 'telli', cancelReason: null }),
    ]);
    // Search keys were filled in for it.
    for (const q of ['ADA', 'c1'])
      expect((await store.listBookings({ status: 'all', limit: 10, q })).bookings.map((booking) => booking.id)).toEqual(
        ['old'],
      );
    expect((await store.listBookings({ status: 'all', limit: 10, q: 'bob' })).bookings).toEqual([]);
    // And its phone number, written with its country code, in E.164 for the contact lookup.
    expect((await store.phoneBookings('+4915112345678', NOW - 2 * MINUTE)).latest?.id).toBe('old');
    expect(await store.auditEntries({ limit: 10 })).toEqual({ entries: [] });
  });

  it('should write one booking.created entry by telli for a /book', async () => {
    const app = await open({ yaml: calendarYaml(), now: NOW });
    // Not a hex string: the entries hold random UUIDs, which could contain one.
    const contact = 'contact-ada';
    expect((await app.post('/book', { contact_id: contact, start_iso: NINE })).body.status).toBe('success');
    const [booking] = (await app.store.listBookings({ status: 'all', limit: 10 })).bookings;
    expect(booking).toMatchObject({ createdBy: 'telli', status: 'active', start: Date.parse(NINE) });
    const { entries } = await app.store.auditEntries({ limit: 10 });
    expect(entries).toEqual([
      {
        seq: expect.any(Number),
        at: NOW,
        actor: 'telli',
        action: 'booking.created',
        calendarId: 'main',
        bookingId: booking!.id,
        timeOffId: null,
        before: null,
        after: {
          start_iso: NINE,
          end_iso: '2026-12-02T09:30:00.000Z',
          resource: booking!.resourceId,
          status: 'active',
        },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(contact);
  });

  it('should write booking.replaced and booking.created together for a rebook, and nothing for a retry', async () => {
    const app = await open({ yaml: calendarYaml(), now: NOW });
    await app.post('/book', { contact_id: 'c1', start_iso: NINE });
    app.setNow(NOW + MINUTE);
    expect((await app.post('/book', { contact_id: 'c1', start_iso: TEN })).body.status).toBe('success');
    expect((await app.post('/book', { contact_id: 'c1', start_iso: TEN })).body.status).toBe('success');

    const { bookings } = await app.store.listBookings({ status: 'all', limit: 10 });
    const [first, second] = bookings;
    expect(first).toMatchObject({ start: Date.parse(NINE), status: 'replaced', cancelledAt: NOW + MINUTE });
    expect(second).toMatchObject({ start: Date.parse(TEN), status: 'active' });
    const { entries } = await app.store.auditEntries({ limit: 10 });
    expect(entries.map((entry) => [entry.action, entry.bookingId, entry.at])).toEqual([
      ['booking.created', first!.id, NOW],
      ['booking.replaced', first!.id, NOW + MINUTE],
      ['booking.created', second!.id, NOW + MINUTE],
    ]);
    expect(entries[1]).toMatchObject({
      actor: 'telli',
      before: { status: 'active' },
      after: { status: 'replaced', replaced_by: second!.id },
    });
    expect(entries[2]!.seq).toBe(entries[1]!.seq + 1);
    expect((await app.store.bookingHistory(first!.id)).map((entry) => entry.action)).toEqual([
      'booking.created',
      'booking.replaced',
    ]);
  });

  it('should page through the audit trail by seq, oldest first, and filter it', async () => {
    const store = await openFresh();
    for (let index = 0; index < 5; index++)
      await bookDirectly(store, { id: `b${index}`, start: NOW + index * 60 * MINUTE, createdAt: NOW });
    const seen: string[] = [];
    let after: number | undefined;
    let pages = 0;
    do {
      const page = await store.auditEntries({ limit: 2, after });
      seen.push(...page.entries.map((entry) => entry.bookingId!));
      after = page.next;
      pages++;
    } while (after !== undefined);
    expect(seen).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(pages).toBe(3);
    expect((await store.auditEntries({ bookingId: 'b3', limit: 10 })).entries.map((entry) => entry.bookingId)).toEqual([
      'b3',
    ]);
    expect(await store.auditEntries({ from: NOW + 1, limit: 10 })).toEqual({ entries: [] });
    expect((await store.auditEntries({ from: NOW, to: NOW + 1, limit: 10 })).entries).toHaveLength(5);
  });

  it('should list bookings by start across pages without gaps or repeats, filtered', async () => {
    const store = await openFresh();
    // Two resources, so several bookings share a start and only the id orders them.
    for (let index = 0; index < 7; index++) {
      const start = NOW + Math.floor(index / 2) * 60 * MINUTE;
      await bookDirectly(store, { id: `b${index}`, start, createdAt: NOW, resourceId: index % 2 === 0 ? 'r1' : 'r2' });
    }
    await bookDirectly(store, { id: 'other', start: NOW, createdAt: NOW, calendarId: 'elsewhere' });

    const listed: string[] = [];
    let after;
    do {
      const page = await store.listBookings({ calendarId: 'cal', status: 'active', limit: 3, after });
      listed.push(...page.bookings.map((booking) => booking.id));
      after = page.next;
    } while (after);
    expect(listed).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6']);

    const ids = async (filter: Parameters<Store['listBookings']>[0]) =>
      (await store.listBookings(filter)).bookings.map((booking) => booking.id);
    expect(await ids({ calendarId: 'cal', resourceId: 'r2', status: 'active', limit: 10 })).toEqual(['b1', 'b3', 'b5']);
    expect(
      await ids({ calendarId: 'cal', from: NOW + 60 * MINUTE, to: NOW + 180 * MINUTE, status: 'all', limit: 10 }),
    ).toEqual(['b2', 'b3', 'b4', 'b5']);
    expect(await ids({ status: 'all', limit: 10, to: NOW + 1 })).toEqual(['b0', 'b1', 'other']);
    expect(await ids({ calendarId: 'cal', status: 'replaced', limit: 10 })).toEqual([]);
  });
});
