import { execFile } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { dropTestDatabases, freshDatabase } from '../dialects.js';

/**
 * A sync's writes are rebuildable (store/runner.ts): SQLite commits them without an fsync. Only a
 * power failure may undo them; a killed process may not, and a booking in the same commit stays
 * as durable as ever.
 */
const FROM = Date.parse('2027-01-04T08:00:00Z');
const HOUR = 3_600_000;
const source = { id: 'feed-1', calendarId: 'physio', resourceId: 'anna' };
const busy = [{ start: FROM, end: FROM + HOUR }];
/** The compiled store (`npm test` builds it first): the child process runs plain JavaScript. */
const OPEN_STORE = new URL('../../dist/store/open-store.js', import.meta.url).href;

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
afterAll(dropTestDatabases);

/** Runs `script` in a child process that has `store` open on `url` and kills itself with SIGKILL after it. */
function thenKill(url: string, script: string): Promise<NodeJS.Signals | null> {
  const program = `
    const { openStore } = await import(${JSON.stringify(OPEN_STORE)});
    const store = await openStore(${JSON.stringify(url)}, ${JSON.stringify(DEFAULT_POOL)});
    ${script}
    process.kill(process.pid, 'SIGKILL');`;
  return new Promise((resolve) =>
    execFile(process.execPath, ['--input-type=module', '-e', program], (error) =>
      resolve((error as { signal?: NodeJS.Signals } | null)?.signal ?? null),
    ),
  );
}

describe("a sync's writes on sqlite", () => {
  it('should keep them after the process is killed', async () => {
    const url = freshDatabase('sqlite');
    const signal = await thenKill(
      url,
      `await store.replaceBusy(${JSON.stringify(source)}, ${JSON.stringify(busy)}, { tag: '"v1"', at: ${FROM} });
       await store.recordSyncFailure('feed-2', 'the feed answered HTTP 500', ${FROM}, ${FROM + HOUR});`,
    );
    expect(signal).toBe('SIGKILL');
    const store = await openStore(url, DEFAULT_POOL);
    stores.push(store);
    expect(await store.busy('physio', FROM, FROM + HOUR)).toEqual([
      { resourceId: 'anna', sourceId: source.id, ...busy[0] },
    ]);
    const states = await store.sourceStates();
    expect(states.find((state) => state.sourceId === 'feed-1')).toMatchObject({ syncedAt: FROM, tag: '"v1"' });
    expect(states.find((state) => state.sourceId === 'feed-2')).toMatchObject({ failures: 1 });
  });

  it("should commit a booking and a sync's write asked for at once, and keep both after a kill", async () => {
    const url = freshDatabase('sqlite');
    const signal = await thenKill(
      url,
      `const booking = {
         id: 'booking-a', calendarId: 'physio', resourceId: 'ben', start: ${FROM}, end: ${FROM + HOUR},
         blockedStart: ${FROM}, blockedEnd: ${FROM + HOUR}, contactKey: 'contact_id:a', contactId: 'a',
         externalContactId: null, contactDetails: {}, createdAt: ${FROM - HOUR},
       };
       const query = {
         calendarId: 'physio', start: ${FROM}, contactKey: 'contact_id:a',
         window: { start: ${FROM}, end: ${FROM + HOUR} }, now: ${FROM - HOUR}, country: undefined,
       };
       await Promise.all([
         store.replaceBusy(${JSON.stringify(source)}, ${JSON.stringify(busy)}, { tag: '"v1"', at: ${FROM} }),
         store.book(query, () => ({ insert: booking, result: 'booked' })),
       ]);`,
    );
    expect(signal).toBe('SIGKILL');
    const store = await openStore(url, DEFAULT_POOL);
    stores.push(store);
    expect((await store.activeBookings('physio', FROM - HOUR)).map((booking) => booking.id)).toEqual(['booking-a']);
    expect(await store.busy('physio', FROM, FROM + HOUR)).toEqual([
      { resourceId: 'anna', sourceId: source.id, ...busy[0] },
    ]);
  });
});
