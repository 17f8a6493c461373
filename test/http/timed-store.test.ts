import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics, timedStore } from '../../src/http/metrics.js';
import { openStore } from '../../src/store/open-store.js';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import type { Store } from '../../src/store/store.js';
import { dropTestDatabases, freshDatabase } from '../dialects.js';

afterAll(dropTestDatabases);

describe('timedStore', () => {
  it('should time every method of a store that keeps its methods on its prototype', async () => {
    const store = await openStore(freshDatabase('sqlite'), DEFAULT_POOL);
    try {
      const metrics = createMetrics();
      // Object.create puts every method of the store on the prototype: none is an own property.
      const timed = timedStore(Object.create(store) as Store, metrics);
      expect(await timed.changeMark('main')).toBe('0');
      expect(await timed.claimSync('feed', 0, 1)).toBe(true);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/slotline_database_duration_seconds_count\{operation="change_mark"\} 1/);
      expect(text).toMatch(/slotline_database_duration_seconds_count\{operation="claim_sync"\} 1/);
    } finally {
      await store.close();
    }
  });
});
