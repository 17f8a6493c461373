import { describe, expect, it, vi } from 'vitest';
import { appsOn, calendarYaml, starts, type Running } from './harness.js';
import { DIALECTS } from '../dialects.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
/** How long another process may take to learn of a change: far longer than a notification needs. */
const SOON = { timeout: 10_000, interval: 20 };
const NINE = '2026-12-02T09:00:00.000Z';

const twoResources = calendarYaml({ resources: '[{ id: anna }, { id: ben }]' });

describe.each(DIALECTS)('on %s', (dialect) => {
  const open = appsOn(dialect);
  describe('booking', () => {
    it('should give exactly 2 successes to 24 concurrent bookings of one slot with two resources', async () => {
      const app = await open({ yaml: twoResources, now: NOW });
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, index) => app.post('/book', { contact_id: `caller-${index}`, start_iso: NINE })),
      );
      const successes = answers.filter((answer) => answer.body.status === 'success');
      expect(successes).toHaveLength(2);
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      const active = (await app.store.bookings('main')).filter((booking) => booking.status === 'active');
      expect(active.map((booking) => booking.resourceId).sort()).toEqual(['anna', 'ben']);
      expect(starts(await app.post('/available', {}))).not.toContain(NINE);
    });

    it('should name the nearest free times when the slot was taken', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      await app.post('/book', { contact_id: 'first', start_iso: '2026-12-02T10:00:00Z' });
      const second = await app.post('/book', { contact_id: 'second', start_iso: '2026-12-02T10:00:00Z' });
      expect(second.body).toEqual({
        status: 'failed',
        reason:
          'That time is no longer available. The nearest free times are Wednesday 2 December at 09:00, 09:30 and 10:30.',
      });
    });

    it('should name a later free time too when the last slot of the day was taken', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      await app.post('/book', { contact_id: 'first', start_iso: '2026-12-02T11:30:00Z' });
      const second = await app.post('/book', { contact_id: 'second', start_iso: '2026-12-02T11:30:00Z' });
      expect(second.body).toEqual({
        status: 'failed',
        reason:
          'That time is no longer available. The nearest free times are Wednesday 2 December at 10:30 and 11:00 and Thursday 3 December at 09:00.',
      });
    });

    it('should offer the next open day, not only the day before, for a start on a closed day', async () => {
      const app = await open({
        yaml: calendarYaml({ hours: '{ mon-sun: ["09:00-17:00"] }', overrides: '{ "2026-12-02": [] }' }),
        now: NOW,
      });
      const answer = await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-02T10:00:00Z' });
      expect(answer.body).toEqual({
        status: 'failed',
        reason:
          'We are closed at that time. The nearest free times are Tuesday 1 December at 16:00 and 16:30 and Thursday 3 December at 09:00.',
      });
    });

    it('should speak the reason in German in a German calendar, in its own time zone', async () => {
      const app = await open({ yaml: calendarYaml({ language: 'de', timezone: 'Europe/Berlin' }), now: NOW });
      // 09:00 UTC is 10:00 in Berlin.
      await app.post('/book', { contact_id: 'first', start_iso: '2026-12-02T09:00:00Z' });
      const second = await app.post('/book', { contact_id: 'second', start_iso: '2026-12-02T09:00:00Z' });
      expect(second.body.reason).toBe(
        'Dieser Termin ist leider nicht mehr frei. Die nächsten freien Termine sind Mittwoch, 2. Dezember um 09:00, 09:30 und 10:30 Uhr.',
      );
    });

    it('should answer a retried booking with success and create nothing new', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      const body = { contact_id: 'c1', start_iso: NINE, contact_details: { name: 'Ada' } };
      expect((await app.post('/book', body)).body).toEqual({ status: 'success' });
      expect((await app.post('/book', { ...body, start_iso: '2026-12-02T09:00:00Z' })).body).toEqual({
        status: 'success',
      });
      expect((await app.post('/book', body)).body).toEqual({ status: 'success' });
      const bookings = await app.store.bookings('main');
      expect(bookings).toHaveLength(1);
      expect(bookings[0]!.contactDetails).toEqual({ name: 'Ada' });
    });

    it('should store what a booking is made of', async () => {
      const app = await open({ yaml: calendarYaml({ buffer_before: '5m', buffer_after: '10m' }), now: NOW });
      await app.post('/book', {
        contact_id: 'c1',
        external_contact_id: 'crm-7',
        start_iso: NINE,
        contact_details: { phone: '+49 30 1234' },
      });
      const [booking] = await app.store.bookings('main');
      expect(booking).toMatchObject({
        calendarId: 'main',
        resourceId: 'main',
        start: Date.parse(NINE),
        end: Date.parse(NINE) + 30 * 60_000,
        blockedStart: Date.parse(NINE) - 5 * 60_000,
        blockedEnd: Date.parse(NINE) + 40 * 60_000,
        contactId: 'c1',
        externalContactId: 'crm-7',
        contactDetails: { phone: '+49 30 1234' },
        status: 'active',
        createdAt: NOW,
        cancelledAt: null,
      });
    });

    it('should know the contact by external_contact_id when contact_id is missing', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      expect((await app.post('/book', { external_contact_id: 'crm-1', start_iso: NINE })).body.status).toBe('success');
      expect((await app.post('/book', { external_contact_id: 'crm-1', start_iso: NINE })).body.status).toBe('success');
      expect(await app.store.bookings('main')).toHaveLength(1);
    });

    it("should replace the contact's earlier booking when they book another slot", async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      await app.post('/book', { contact_id: 'c1', start_iso: NINE });
      expect(starts(await app.post('/available', {}))).not.toContain(NINE);
      app.setNow(NOW + 1);
      expect((await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-02T09:30:00Z' })).body.status).toBe(
        'success',
      );
      const bookings = await app.store.bookings('main');
      expect(bookings.map((booking) => [new Date(booking.start).toISOString(), booking.status])).toEqual([
        [NINE, 'replaced'],
        ['2026-12-02T09:30:00.000Z', 'active'],
      ]);
      expect(starts(await app.post('/available', {}))).toContain(NINE);
    });

    it("should replace the contact's booking with one that overlaps it on the same resource", async () => {
      const app = await open({ yaml: calendarYaml({ interval: '15m' }), now: NOW });
      await app.post('/book', { contact_id: 'c1', start_iso: NINE });
      const rebook = await app.post('/book', { contact_id: 'c1', start_iso: '2026-12-02T09:15:00Z' });
      expect(rebook.body).toEqual({ status: 'success' });
      const bookings = await app.store.bookings('main');
      // Made in the same (pinned) millisecond, so in no set order: by start.
      const byStart = [...bookings].sort((one, other) => one.start - other.start);
      expect(byStart.map((booking) => [new Date(booking.start).toISOString(), booking.status])).toEqual([
        [NINE, 'replaced'],
        ['2026-12-02T09:15:00.000Z', 'active'],
      ]);
    });

    it('should keep both bookings with on_rebook keep_both, and refuse the second with reject', async () => {
      const keep = await open({ yaml: calendarYaml({ on_rebook: 'keep_both' }), now: NOW });
      await keep.post('/book', { contact_id: 'c1', start_iso: NINE });
      await keep.post('/book', { contact_id: 'c1', start_iso: '2026-12-03T09:00:00Z' });
      expect((await keep.store.bookings('main')).every((booking) => booking.status === 'active')).toBe(true);

      const reject = await open({ yaml: calendarYaml({ on_rebook: 'reject' }), now: NOW });
      await reject.post('/book', { contact_id: 'c1', start_iso: NINE });
      expect((await reject.post('/book', { contact_id: 'c1', start_iso: '2026-12-03T09:00:00Z' })).body).toEqual({
        status: 'failed',
        reason: 'You already have an appointment on Wednesday 2 December at 09:00.',
      });
      expect((await reject.post('/book', { contact_id: 'c1', start_iso: NINE })).body.status).toBe('success');
    });

    it('should fail every booking with a reason when booking is switched off, and still list slots', async () => {
      const app = await open({ yaml: calendarYaml({ booking: 'false' }), now: NOW });
      expect(starts(await app.post('/available', {})).length).toBeGreaterThan(0);
      expect((await app.post('/book', { contact_id: 'c1', start_iso: NINE })).body).toEqual({
        status: 'failed',
        reason: 'This calendar does not take bookings.',
      });
    });

    it('should assign resources round robin, least busy or in order', async () => {
      const book = async (app: Running, index: number, at: string) => {
        app.setNow(NOW + index);
        await app.post('/book', { contact_id: `c${index}`, start_iso: at });
      };
      const resourcesOf = async (app: Running) =>
        (await app.store.bookings('main')).map((booking) => booking.resourceId);

      const roundRobin = await open({
        yaml: calendarYaml({ resources: '[{ id: a }, { id: b }, { id: c }]' }),
        now: NOW,
      });
      for (const [index, at] of ['09:00', '09:30', '10:00', '10:30'].entries()) {
        await book(roundRobin, index, `2026-12-02T${at}:00Z`);
      }
      expect(await resourcesOf(roundRobin)).toEqual(['a', 'b', 'c', 'a']);

      const ordered = await open({
        yaml: calendarYaml({ assignment: 'ordered', resources: '[{ id: a }, { id: b }]' }),
        now: NOW,
      });
      await book(ordered, 1, '2026-12-02T09:00:00Z');
      await book(ordered, 2, '2026-12-02T09:30:00Z');
      await book(ordered, 3, '2026-12-02T09:30:00Z');
      expect(await resourcesOf(ordered)).toEqual(['a', 'a', 'b']);

      const leastBusy = await open({
        yaml: calendarYaml({ assignment: 'least_busy', resources: '[{ id: a }, { id: b }]' }),
        now: NOW,
      });
      await book(leastBusy, 1, '2026-12-02T09:00:00Z');
      await book(leastBusy, 2, '2026-12-02T09:00:00Z');
      await book(leastBusy, 3, '2026-12-02T10:00:00Z');
      await book(leastBusy, 4, '2026-12-03T10:00:00Z');
      expect(await resourcesOf(leastBusy)).toEqual(['a', 'b', 'a', 'a']);
    });

    it('should book every slot it lists', async () => {
      const app = await open({
        yaml: calendarYaml({
          timezone: 'America/New_York',
          buffer_after: '10m',
          interval: '15m',
          max_per_day: '3',
          resources: '[{ id: a }, { id: b }]',
        }),
        now: NOW,
      });
      let listed = starts(await app.post('/available', {}));
      let booked = 0;
      while (listed.length > 0 && booked < 200) {
        const answer = await app.post('/book', { contact_id: `c${booked}`, start_iso: listed[0] });
        expect(answer.body, listed[0]).toEqual({ status: 'success' });
        booked++;
        listed = starts(await app.post('/available', {}));
      }
      expect(listed).toEqual([]);
      // 14 open days from Tuesday 1 to Monday 14 December, 2 resources, at most 3 bookings a day each.
      expect(booked).toBe(2 * 3 * 14);
    });

    // On PostgreSQL the change reaches the other process by notification, moments after the commit
    // (docs/ARCHITECTURE.md, "Change marks on PostgreSQL"); /book decides in the database at once.
    it('should show a booking made through another process on the same database', async () => {
      const first = await open({ yaml: calendarYaml(), now: NOW });
      const second = await open({ yaml: calendarYaml(), now: NOW, database: first.database });
      expect(starts(await first.post('/available', {}))).toContain(NINE);
      await second.post('/book', { contact_id: 'c1', start_iso: NINE });
      expect((await first.post('/book', { contact_id: 'c2', start_iso: NINE })).body.status).toBe('failed');
      await vi.waitFor(async () => expect(starts(await first.post('/available', {}))).not.toContain(NINE), SOON);
      second.setNow(NOW + 1);
      await second.post('/book', { contact_id: 'c1', start_iso: '2026-12-02T10:00:00Z' });
      await vi.waitFor(async () => {
        const listed = starts(await first.post('/available', {}));
        expect(listed).toContain(NINE);
        expect(listed).not.toContain('2026-12-02T10:00:00.000Z');
      }, SOON);
    });

    it('should keep every booking across a restart on the same file', async () => {
      const first = await open({ yaml: twoResources, now: NOW });
      for (let index = 0; index < 10; index++) {
        await first.post('/book', { contact_id: `c${index}`, start_iso: `2026-12-0${2 + (index % 5)}T09:00:00Z` });
      }
      const before = await first.store.bookings('main');
      await first.close();
      const second = await open({ yaml: twoResources, now: NOW, database: first.database });
      expect(await second.store.bookings('main')).toEqual(before);
      expect((await second.post('/book', { contact_id: 'c0', start_iso: '2026-12-02T09:00:00Z' })).body.status).toBe(
        'success',
      );
      expect((await second.post('/book', { contact_id: 'new', start_iso: '2026-12-02T09:00:00Z' })).body.status).toBe(
        'failed',
      );
    });
  });
});
