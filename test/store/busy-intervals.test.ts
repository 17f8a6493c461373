import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { DIALECTS, dropTestDatabases, freshDatabase } from '../dialects.js';

afterAll(dropTestDatabases);

const HOUR = 3_600_000;
// Far past 2^31, as every epoch millisecond is: the statement must keep them whole.
const FROM = Date.parse('2027-01-04T08:00:00Z');
const source = { id: 'feed-1', calendarId: 'physio', resourceId: 'anna' };
/** The busy time read back, in start order (the query has none). */
const busyOf = async (store: Store) =>
  (await store.busy('physio', FROM, FROM + 5_000 * HOUR)).sort(
    (a, b) => a.start - b.start || (a.sourceId ?? '').localeCompare(b.sourceId ?? ''),
  );

/** The tag and reach of the source's last read. */
const readOf = async (store: Store) => {
  const [state] = await store.sourceStates();
  return { tag: state?.tag, lastRead: state?.lastRead };
};

describe.each(DIALECTS)('busy time of a source on %s', (dialect) => {
  it('should replace it whole: thousands of intervals, then none, then a few', async () => {
    const store = await openStore(freshDatabase(dialect), DEFAULT_POOL);
    try {
      const many = Array.from({ length: 5_000 }, (_, i) => ({
        start: FROM + i * HOUR,
        end: FROM + i * HOUR + HOUR / 2,
      }));
      const before = await store.changeMark('physio');
      const read = { until: FROM + 5_000 * HOUR, digest: 'digest-1', zone: 'UTC' };
      await store.replaceBusy(source, many, { tag: '"v1"', at: FROM, read });
      expect(await busyOf(store)).toEqual(
        many.map(({ start, end }) => ({ resourceId: 'anna', sourceId: source.id, start, end })),
      );
      expect(await store.changeMark('physio')).not.toBe(before);
      expect(await readOf(store)).toEqual({ tag: '"v1"', lastRead: read });
      // Found unchanged by its tag: the last read stays; read whole and found the same: it moves on.
      await store.recordSyncUnchanged(source.id, '"v1"', FROM + HOUR);
      expect(await readOf(store)).toEqual({ tag: '"v1"', lastRead: read });
      const later = { until: FROM + 5_001 * HOUR, digest: 'digest-1', zone: 'Europe/Berlin' };
      expect(await store.confirmBusy(source.id, null, FROM + 2 * HOUR, later)).toBe(true);
      expect(await readOf(store)).toEqual({ tag: null, lastRead: later });
      // Another busy time than the one written: nothing is recorded, and the sync writes it.
      expect(await store.confirmBusy(source.id, '"v2"', FROM + 3 * HOUR, { ...later, digest: 'digest-2' })).toBe(false);
      expect(await readOf(store)).toEqual({ tag: null, lastRead: later });

      // Busy time the source did not say (on_stale: block): no read reaches anywhere.
      await store.replaceBusy(source, []);
      expect(await busyOf(store)).toEqual([]);
      expect(await readOf(store)).toEqual({ tag: null, lastRead: null });

      const few = [
        { start: FROM, end: FROM + HOUR },
        { start: FROM + 2 * HOUR, end: FROM + 3 * HOUR },
      ];
      await store.replaceBusy(source, few);
      expect(await busyOf(store)).toEqual(
        few.map(({ start, end }) => ({ resourceId: 'anna', sourceId: source.id, start, end })),
      );

      // Only what changed is written: one interval kept, one gone, one that starts alike but ends
      // later, one new; another source's same interval stays as it is.
      const other = { ...source, id: 'feed-2' };
      await store.replaceBusy(other, [few[1]!]);
      const changed = [
        { start: FROM, end: FROM + 2 * HOUR },
        { start: FROM + 2 * HOUR, end: FROM + 3 * HOUR },
        { start: FROM + 4 * HOUR, end: FROM + 5 * HOUR },
      ];
      await store.replaceBusy(source, changed);
      expect(await busyOf(store)).toEqual(
        [...changed.map((interval) => ({ ...interval, sourceId: source.id })), { ...few[1]!, sourceId: other.id }]
          .map((interval) => ({ resourceId: 'anna', ...interval }))
          .sort((a, b) => a.start - b.start || a.sourceId.localeCompare(b.sourceId)),
      );
    } finally {
      await store.close();
    }
  });
});
