import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import type { Store } from '../../src/store/store.js';
import type { Writeback } from '../../src/store/writeback.js';
import { DIALECTS, dropTestDatabases, freshDatabase, type Dialect } from '../dialects.js';
import { bookDirectly } from './book-directly.js';

/**
 * The leases that let several processes share one database: one process at a time syncs a
 * source, and one at a time carries out a write-back. Two stores on one database stand for two
 * processes.
 */
const NOW = Date.UTC(2026, 10, 30, 9);
const MINUTE = 60_000;

const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(dropTestDatabases);

/** Two stores on one fresh database. */
async function twoStores(dialect: Dialect): Promise<[Store, Store]> {
  const database = freshDatabase(dialect);
  const first = await openStore(database, DEFAULT_POOL);
  opened.push(first);
  const second = await openStore(database, DEFAULT_POOL);
  opened.push(second);
  return [first, second];
}

/** Books one slot and queues its write-back to each source, as the booking service does. */
async function bookWithWritebacks(store: Store, ...sourceIds: string[]): Promise<Writeback[]> {
  const writebacks = sourceIds.map((sourceId): Writeback => ({ bookingId: 'booking-1', sourceId, action: 'put' }));
  const booking = {
    id: 'booking-1',
    start: NOW + 60 * MINUTE,
    createdAt: NOW,
    contactId: 'contact-1',
    contactKey: 'contact-1',
  };
  await bookDirectly(store, booking, { writebacks });
  return writebacks;
}

/** Moves booking-1 an hour later and queues its write-backs, as the move service does. */
async function moveByAnHour(store: Store, now: number, writebacks: Writeback[]): Promise<void> {
  const start = NOW + 120 * MINUTE;
  const query = {
    bookingId: 'booking-1',
    calendarId: 'cal',
    contactKey: 'contact-1',
    start,
    window: { start, end: start + 30 * MINUTE },
    now,
    actor: 'front-desk',
  };
  const to = {
    resourceId: 'r1',
    start,
    end: start + 30 * MINUTE,
    blockedStart: start,
    blockedEnd: start + 30 * MINUTE,
  };
  const moved = await store.move(query, () => ({ to, writebacks, result: undefined }));
  expect(moved.booking).toMatchObject({ start, status: 'active' });
}

describe.each(DIALECTS)('on %s', (dialect) => {
  describe('the sync lease', () => {
    it('should let one store claim a source until the lease passes, then the other', async () => {
      const [first, second] = await twoStores(dialect);
      expect(await first.claimSync('feed', NOW, NOW + MINUTE)).toBe(true);
      expect(await second.claimSync('feed', NOW + 1, NOW + MINUTE)).toBe(false);
      expect(await first.claimSync('feed', NOW + 1, NOW + MINUTE)).toBe(false);
      expect(await second.claimSync('other-feed', NOW + 1, NOW + MINUTE)).toBe(true);
      expect(await second.claimSync('feed', NOW + MINUTE, NOW + 2 * MINUTE)).toBe(true);
      expect(await first.claimSync('feed', NOW + MINUTE + 1, NOW + 3 * MINUTE)).toBe(false);
    });

    it('should give a source to exactly one of two stores claiming it at once', async () => {
      const [first, second] = await twoStores(dialect);
      const claims = await Promise.all([
        first.claimSync('feed', NOW, NOW + MINUTE),
        second.claimSync('feed', NOW, NOW + MINUTE),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('should keep a failed source leased until its retry is due, for every store', async () => {
      const [first, second] = await twoStores(dialect);
      expect(await first.claimSync('feed', NOW, NOW + MINUTE)).toBe(true);
      await first.recordSyncFailure('feed', 'feed answered 500', NOW + 1_000, NOW + 10 * MINUTE);
      // The claim's own lease has passed; the retry has not.
      expect(await second.claimSync('feed', NOW + 2 * MINUTE, NOW + 3 * MINUTE)).toBe(false);
      expect(await first.claimSync('feed', NOW + 10 * MINUTE - 1, NOW + 11 * MINUTE)).toBe(false);
      expect(await second.sourceStates()).toEqual([
        {
          sourceId: 'feed',
          syncedAt: null,
          attemptedAt: NOW + 1_000,
          failures: 1,
          error: 'feed answered 500',
          tag: null,
          lastRead: null,
        },
      ]);
      expect(await second.claimSync('feed', NOW + 10 * MINUTE, NOW + 11 * MINUTE)).toBe(true);
    });

    it('should record a sync that succeeds after failures, without giving up the lease', async () => {
      const [first, second] = await twoStores(dialect);
      expect(await first.claimSync('feed', NOW, NOW + MINUTE)).toBe(true);
      await first.recordSyncFailure('feed', 'timeout', NOW, NOW + MINUTE);
      expect(await first.claimSync('feed', NOW + MINUTE, NOW + 2 * MINUTE)).toBe(true);
      await first.recordSyncUnchanged('feed', 'etag-1', NOW + MINUTE + 1);
      expect(await second.claimSync('feed', NOW + MINUTE + 2, NOW + 3 * MINUTE)).toBe(false);
      expect(await second.sourceStates()).toEqual([
        {
          sourceId: 'feed',
          syncedAt: NOW + MINUTE + 1,
          attemptedAt: NOW + MINUTE + 1,
          failures: 0,
          error: null,
          tag: 'etag-1',
          lastRead: null,
        },
      ]);
    });
  });

  describe('the write-back lease', () => {
    it('should lease a due write-back to one store, and to the other only once the lease has passed', async () => {
      const [first, second] = await twoStores(dialect);
      const [writeback] = await bookWithWritebacks(first, 'caldav');
      expect(await first.claimWritebacks(NOW, NOW + MINUTE, 10)).toEqual([
        { ...writeback, attempts: 0, generation: 0 },
      ]);
      expect(await second.claimWritebacks(NOW + 1, NOW + MINUTE, 10)).toEqual([]);
      expect(await first.claimWritebacks(NOW + MINUTE - 1, NOW + 2 * MINUTE, 10)).toEqual([]);
      expect(await second.claimWritebacks(NOW + MINUTE, NOW + 2 * MINUTE, 10)).toEqual([
        { ...writeback, attempts: 0, generation: 0 },
      ]);
    });

    it('should give a write-back to exactly one of two stores claiming at once', async () => {
      const [first, second] = await twoStores(dialect);
      const [writeback] = await bookWithWritebacks(first, 'caldav');
      const claims = await Promise.all([
        first.claimWritebacks(NOW, NOW + MINUTE, 10),
        second.claimWritebacks(NOW, NOW + MINUTE, 10),
      ]);
      expect(claims.flat()).toEqual([{ ...writeback, attempts: 0, generation: 0 }]);
    });

    it('should offer a failed write-back again when its retry is due, counting the attempt', async () => {
      const [first, second] = await twoStores(dialect);
      const [writeback] = await bookWithWritebacks(first, 'caldav');
      const [claimed] = await first.claimWritebacks(NOW, NOW + MINUTE, 10);
      await first.writebackFailed(claimed!, 'calendar answered 503', NOW + 5 * MINUTE);
      expect(await second.claimWritebacks(NOW + 5 * MINUTE - 1, NOW + 6 * MINUTE, 10)).toEqual([]);
      expect(await second.claimWritebacks(NOW + 5 * MINUTE, NOW + 6 * MINUTE, 10)).toEqual([
        { ...writeback, attempts: 1, generation: 0 },
      ]);
    });

    it('should never offer a write-back again once it is done', async () => {
      const [first, second] = await twoStores(dialect);
      await bookWithWritebacks(first, 'caldav');
      const [claimed] = await first.claimWritebacks(NOW, NOW + MINUTE, 10);
      await first.writebackDone(claimed!, NOW + 1_000);
      expect(await second.claimWritebacks(NOW + 24 * 60 * MINUTE, NOW + 25 * 60 * MINUTE, 10)).toEqual([]);
    });

    it('should queue the put of a moved booking again, even after it was done', async () => {
      const [first, second] = await twoStores(dialect);
      const [writeback] = await bookWithWritebacks(first, 'caldav');
      const [claimed] = await first.claimWritebacks(NOW, NOW + MINUTE, 10);
      await first.writebackFailed(claimed!, 'calendar answered 503', NOW + MINUTE);
      const [retried] = await first.claimWritebacks(NOW + MINUTE, NOW + 2 * MINUTE, 10);
      await first.writebackDone(retried!, NOW + MINUTE);

      await moveByAnHour(second, NOW + 2 * MINUTE, [writeback!]);

      expect(await first.claimWritebacks(NOW + 2 * MINUTE, NOW + 3 * MINUTE, 10)).toEqual([
        { ...writeback, attempts: 0, generation: 1 },
      ]);
    });

    it('should keep a put queued again while a worker held the old one: its done does not count', async () => {
      const [first, second] = await twoStores(dialect);
      const [writeback] = await bookWithWritebacks(first, 'caldav');
      const [stale] = await first.claimWritebacks(NOW, NOW + MINUTE, 10);

      await moveByAnHour(second, NOW + 1_000, [writeback!]);
      await first.writebackDone(stale!, NOW + 2_000);
      await first.writebackFailed(stale!, 'too late', NOW + 60 * MINUTE);

      expect(await second.claimWritebacks(NOW + 2_000, NOW + MINUTE, 10)).toEqual([
        { ...writeback, attempts: 0, generation: 1 },
      ]);
    });

    it('should claim at most `limit` write-backs, leaving the rest to another store', async () => {
      const [first, second] = await twoStores(dialect);
      const queued = await bookWithWritebacks(first, 'caldav', 'other-caldav');
      const firstClaims = await first.claimWritebacks(NOW, NOW + MINUTE, 1);
      const secondClaims = await second.claimWritebacks(NOW, NOW + MINUTE, 10);
      expect(firstClaims).toHaveLength(1);
      expect(secondClaims).toHaveLength(1);
      expect([...firstClaims, ...secondClaims].map((claimed) => claimed.sourceId).sort()).toEqual(
        queued.map((writeback) => writeback.sourceId).sort(),
      );
    });
  });
});
