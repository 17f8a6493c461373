import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import type { Booking } from '../../src/store/booking.js';
import { DIALECTS, dropTestDatabases, freshDatabase } from '../dialects.js';
import { PROCESS_TEST_TIMEOUT_MS, serve, stopAll, type SlotlineProcess } from '../slotline-process.js';

vi.setConfig({ testTimeout: PROCESS_TEST_TIMEOUT_MS, hookTimeout: PROCESS_TEST_TIMEOUT_MS });

/**
 * `kill -9` in the middle of a booking storm, round after round on one database: every booking
 * answered `success` survives, and no resource is ever booked twice.
 */
const ROUNDS = 4;
const LOOPS = 40;
const CONFIG = `calendars:
  - id: storm
    timezone: UTC
    duration: 15m
    min_notice: 1h
    horizon: 30d
    max_slots: 1000
    hours: { mon-sun: ["00:00-24:00"] }
    resources: [{ id: r1 }, { id: r2 }, { id: r3 }, { id: r4 }, { id: r5 }]
`;

const folder = mkdtempSync(join(tmpdir(), 'slotline-crash-'));
const config = join(folder, 'slotline.yaml');
writeFileSync(config, CONFIG);
afterEach(stopAll);
afterAll(async () => {
  await dropTestDatabases();
  rmSync(folder, { recursive: true, force: true });
});

interface Acknowledged {
  readonly contact: string;
  readonly start: string;
}

/**
 * Books random listed slots from `LOOPS` callers at once and kills the process with `kill -9` as
 * the `killAt`-th booking is acknowledged, while the other callers' bookings are in flight. Counted,
 * not timed: on a busy machine a timed kill may come before anything was booked.
 */
async function storm(
  slotline: SlotlineProcess,
  round: number,
  slots: readonly string[],
  killAt: number,
): Promise<{ acknowledged: Acknowledged[]; refused: number; unexpected: string[] }> {
  const acknowledged: Acknowledged[] = [];
  const unexpected: string[] = [];
  let refused = 0;
  let killed: Promise<void> | undefined;
  const loop = async (index: number) => {
    for (let call = 0; ; call++) {
      const contact = `round${round}-loop${index}-call${call}`;
      const start = slots[Math.floor(Math.random() * slots.length)]!;
      let answer;
      try {
        answer = await slotline.post('/book', { contact_id: contact, start_iso: start });
      } catch {
        return; // The process is gone.
      }
      if (answer.status !== 200) unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      else if (answer.body.status === 'success') {
        acknowledged.push({ contact, start });
        if (acknowledged.length === killAt) killed = slotline.kill();
      } else refused++;
    }
  };
  await Promise.all(Array.from({ length: LOOPS }, (_, index) => loop(index)));
  await killed;
  return { acknowledged, refused, unexpected };
}

function overlapsOnOneResource(active: readonly Booking[]): string[] {
  const sorted = [...active].sort(
    (x, y) => x.resourceId.localeCompare(y.resourceId) || x.blockedStart - y.blockedStart,
  );
  return sorted.flatMap((after, index) => {
    const before = sorted[index - 1];
    return before && before.resourceId === after.resourceId && after.blockedStart < before.blockedEnd
      ? [`${after.resourceId}: ${before.contactId} and ${after.contactId} overlap`]
      : [];
  });
}

describe.each(DIALECTS)('kill -9 during a booking storm on %s', (dialect) => {
  // Five process starts, where other process tests need one or two.
  it(
    `should keep every acknowledged booking and never double-book, over ${ROUNDS} crashes`,
    { timeout: 2 * PROCESS_TEST_TIMEOUT_MS },
    async ({ signal }) => {
      const database = freshDatabase(dialect);
      const acknowledged: Acknowledged[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const slotline = await serve(['--config', config, '--database', database], { signal });
        const listed = await slotline.post('/available', {});
        const slots = (listed.body.available as { start_iso: string }[]).map((slot) => slot.start_iso);
        expect(slots.length).toBeGreaterThan(100);

        const killAt = 1 + Math.floor(Math.random() * 2 * LOOPS);
        const stormed = await storm(slotline, round, slots, killAt);
        expect(stormed.unexpected).toEqual([]);
        expect(stormed.acknowledged.length).toBeGreaterThanOrEqual(killAt);
        acknowledged.push(...stormed.acknowledged);

        const store = await openStore(database, DEFAULT_POOL);
        try {
          const active = (await store.bookings('storm')).filter((booking) => booking.status === 'active');
          const present = new Set(
            active.map((booking) => `${booking.contactId} ${new Date(booking.start).toISOString()}`),
          );
          const lost = acknowledged.filter(({ contact, start }) => !present.has(`${contact} ${start}`));
          expect(lost, `acknowledged but missing after round ${round}`).toEqual([]);
          expect(overlapsOnOneResource(active)).toEqual([]);
        } finally {
          await store.close();
        }
      }

      // A restarted process answers retries of acknowledged bookings with success and writes nothing.
      const slotline = await serve(['--config', config, '--database', database], { signal });
      const store = await openStore(database, DEFAULT_POOL);
      try {
        const before = await store.bookings('storm');
        for (const { contact, start } of acknowledged.slice(-20)) {
          expect((await slotline.post('/book', { contact_id: contact, start_iso: start })).body).toEqual({
            status: 'success',
          });
        }
        expect(await store.bookings('storm')).toEqual(before);
      } finally {
        await store.close();
        await slotline.stop();
      }
    },
  );
});
