import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.loader.js';
import { holdConfig } from '../../src/config/live-config.js';
import { buildApp } from '../../src/http/app.js';
import type { BookingFilter } from '../../src/store/booking.js';
import { openStore } from '../../src/store/open-store.js';
import { DIALECTS, freshDatabase } from '../dialects.js';
import { ADMIN, apiCall, apiPost, bookedId, TOKEN } from './api-client.js';
import { appsOn, type Running } from './harness.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
// Berlin is UTC+1 in December: hours 10:00-17:00 are 09:00-16:00Z.
const CALENDARS = `calendars:
  - id: physio
    timezone: Europe/Berlin
    duration: 45m
    interval: 15m
    hours: { mon-sun: ["10:00-17:00"] }
    on_rebook: replace
    resources: [{ id: lena }, { id: tom }]
  - { id: main, timezone: UTC, duration: 30m, hours: { mon-sun: ["09:00-12:00"] } }
`;
const YAML = ADMIN + CALENDARS;
const DAY = { from: Date.parse('2026-12-02T00:00:00Z'), to: Date.parse('2026-12-03T00:00:00Z') };

/** The lists a front desk polls, as the API is asked for them and as the store reads them. */
const VIEWS: readonly { readonly query: Record<string, string>; readonly filter: BookingFilter }[] = [
  {
    query: { calendar: 'physio', from: new Date(DAY.from).toISOString(), to: new Date(DAY.to).toISOString() },
    filter: { calendarId: 'physio', ...DAY, status: 'active', limit: 100 },
  },
  { query: { status: 'all' }, filter: { status: 'all', limit: 100 } },
  { query: { q: 'ada' }, filter: { q: 'ada', status: 'active', limit: 100 } },
];

const shown = (booking: { id: string; status: string; start_iso: string; resource: string }) =>
  `${booking.id} ${booking.status} ${booking.start_iso} ${booking.resource}`;

/**
 * Every view, answered by `app` three times (an answer is kept from its second ask, so the third
 * comes from what was kept), is what `reader`'s store reads now.
 */
async function expectViewsCurrent(app: Running, reader: Running = app): Promise<void> {
  for (const { query, filter } of VIEWS) {
    const stored = await reader.store.listBookings(filter);
    const expected = stored.bookings.map((booking) =>
      shown({
        id: booking.id,
        status: booking.status,
        start_iso: new Date(booking.start).toISOString(),
        resource: booking.resourceId,
      }),
    );
    for (let turn = 0; turn < 3; turn += 1) {
      const reply = await apiCall(app, 'GET', `/bookings?${new URLSearchParams(query)}`);
      expect(reply.status).toBe(200);
      expect(reply.body.bookings.map(shown)).toEqual(expected);
    }
  }
}

const statusOf = async (app: Running, id: string) =>
  (await apiCall(app, 'GET', `/bookings?status=all`)).body.bookings.find((booking: { id: string }) => booking.id === id)
    ?.status;

describe.each(DIALECTS)('the bookings list after every change on %s', (dialect) => {
  const start = appsOn(dialect);

  it('should never answer from before a change made through this app', async () => {
    const app = await start({ yaml: YAML, now: NOW });
    await expectViewsCurrent(app);

    const first = await bookedId(app, { contact_id: 'ada', start_iso: '2026-12-02T09:00:00Z' });
    await expectViewsCurrent(app);
    // A rebook of the same contact replaces the first booking.
    const second = await bookedId(app, { contact_id: 'ada', start_iso: '2026-12-02T10:00:00Z' });
    expect(await statusOf(app, first)).toBe('replaced');
    await expectViewsCurrent(app);

    const created = await apiPost(app, '/bookings', {
      calendar: 'physio',
      start_iso: '2026-12-02T11:00:00Z',
      resource: 'tom',
      contact_details: { name: 'Ada Byron' },
    });
    expect(created.status).toBe(201);
    await expectViewsCurrent(app);

    expect((await apiPost(app, `/bookings/${second}/move`, { start_iso: '2026-12-02T12:00:00Z' })).status).toBe(200);
    await expectViewsCurrent(app);

    expect((await apiPost(app, `/bookings/${created.body.id}/cancel`, {})).status).toBe(200);
    expect(await statusOf(app, created.body.id)).toBe('cancelled');
    await expectViewsCurrent(app);

    const other = await bookedId(app, { contact_id: 'bob', start_iso: '2026-12-02T09:00:00Z' }, 'main');
    expect(await statusOf(app, other)).toBe('active');
    await expectViewsCurrent(app);
  });

  it("should never answer from before another process's change, not even for a moment", async () => {
    const first = await start({ yaml: YAML, now: NOW });
    const second = await start({ yaml: YAML, now: NOW, database: first.database });
    await expectViewsCurrent(first);

    const id = await bookedId(second, { contact_id: 'ada', start_iso: '2026-12-02T09:00:00Z' });
    expect(await statusOf(first, id)).toBe('active');
    await expectViewsCurrent(first, second);

    expect((await apiPost(second, `/bookings/${id}/move`, { start_iso: '2026-12-02T13:00:00Z' })).status).toBe(200);
    await expectViewsCurrent(first, second);

    expect((await apiPost(second, `/bookings/${id}/cancel`, {})).status).toBe(200);
    expect(await statusOf(first, id)).toBe('cancelled');
    await expectViewsCurrent(first, second);
  });

  it('should answer with the config in force after a reload', async () => {
    const holder = holdConfig(parseConfig(YAML, {}));
    const store = await openStore(freshDatabase(dialect), holder.current.databasePool);
    const app = buildApp({ config: holder, store, now: () => NOW, logger: false });
    app.addHook('onClose', () => store.close());
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      await app.inject({
        method: 'POST',
        url: '/calendars/physio/book',
        payload: { contact_id: 'ada', start_iso: '2026-12-02T09:00:00Z' },
      });
      const timezone = async () => {
        const answer = await fetch(`${url}/api/v1/bookings?calendar=physio`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return ((await answer.json()) as { bookings: { timezone: string }[] }).bookings.map((each) => each.timezone);
      };
      expect(await timezone()).toEqual(['Europe/Berlin']);
      expect(await timezone()).toEqual(['Europe/Berlin']);

      holder.replace(parseConfig(YAML.replace('Europe/Berlin', 'Europe/Vienna'), {}));
      expect(await timezone()).toEqual(['Europe/Vienna']);
    } finally {
      await app.close();
    }
  });
});
