import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics, timedStore } from '../../src/http/metrics.js';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import type { Store } from '../../src/store/store.js';
import { dropTestDatabases, freshDatabase } from '../dialects.js';

afterAll(dropTestDatabases);

describe('timedStore', () => {
  it('should time the database methods of a store that keeps its methods on its prototype', async () => {
    const store = await openStore(freshDatabase('sqlite'), DEFAULT_POOL);
    try {
      const metrics = createMetrics();
      // Object.create puts every method of the store on the prototype: none is an own property.
      const timed = timedStore(Object.create(store) as Store, metrics);
      expect(await timed.claimSync('feed', 0, 1)).toBe(true);
      expect(await timed.activeBookings('main', 0)).toEqual([]);
      // The change mark is read from memory, not from the database: it is not timed.
      expect(await timed.changeMark('main')).toBe('0');
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/slotline_database_duration_seconds_count\{operation="claim_sync"\} 1/);
      expect(text).toMatch(/slotline_database_duration_seconds_count\{operation="active_bookings"\} 1/);
      expect(text).not.toMatch(/operation="change_mark"/);
    } finally {
      await store.close();
    }
  });
});
