import { describe, expect, it } from 'vitest';
import type { Booking } from '../../src/store/booking.js';
import { DIALECTS } from '../dialects.js';
import { appsOn, calendarYaml, type Running } from './harness.js';

/**
 * Storms on one calendar day through two apps on one database. On PostgreSQL bookings take no
 * day lock: without a cap only the overlap guard decides between them, and under `max_per_day`
 * each is decided under the lock of the resource-day it books. Never more than the cap, never
 * an overlap, and every caller gets an answer.
 */
const NOW = Date.parse('2026-12-01T06:00:00Z');
const DAY = '2026-12-02';
/** The six half-hour starts of 09:00-12:00. */
const STARTS = Array.from({ length: 6 }, (_, index) => new Date(Date.parse(`${DAY}T09:00:00Z`) + index * 1_800_000));
const RESOURCES = '[{ id: r1 }, { id: r2 }, { id: r3 }]';

async function storm(apps: readonly Running[], callers: number) {
  const answers = await Promise.all(
    Array.from({ length: callers }, (_, index) =>
      apps[index % apps.length]!.post('/book', {
        contact_id: `caller-${index}`,
        start_iso: STARTS[index % STARTS.length]!.toISOString(),
      }),
    ),
  );
  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
  return answers.filter((answer) => answer.body.status === 'success').length;
}

function expectNoOverlap(bookings: readonly Booking[]) {
  for (const a of bookings)
    for (const b of bookings)
      if (a.id !== b.id && a.resourceId === b.resourceId)
        expect(a.blockedEnd <= b.blockedStart || b.blockedEnd <= a.blockedStart).toBe(true);
}

describe.each(DIALECTS)('booking storms on one day on %s', (dialect) => {
  const open = appsOn(dialect);
  const twoApps = async (fields: Record<string, string>) => {
    const first = await open({ yaml: calendarYaml({ resources: RESOURCES, ...fields }), now: NOW });
    const second = await open({
      yaml: calendarYaml({ resources: RESOURCES, ...fields }),
      now: NOW,
      database: first.database,
    });
    return [first, second];
  };

  it('should fill every free resource of every start without a cap, and never overlap', async () => {
    const apps = await twoApps({});
    const successes = await storm(apps, 48);
    const active = await apps[0]!.store.activeBookings('main', NOW);
    // 6 starts × 3 resources, each start asked 8 times.
    expect(successes).toBe(18);
    expect(active).toHaveLength(18);
    expectNoOverlap(active);
  });

  it('should never book a resource more than max_per_day times a day, and never overlap', async () => {
    const apps = await twoApps({ max_per_day: '2' });
    const successes = await storm(apps, 48);
    const active = await apps[0]!.store.activeBookings('main', NOW);
    expect(active).toHaveLength(successes);
    expect(successes).toBeGreaterThan(0);
    for (const resource of ['r1', 'r2', 'r3'])
      expect(active.filter((booking) => booking.resourceId === resource).length).toBeLessThanOrEqual(2);
    expectNoOverlap(active);
  });
});
