import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POOL } from '../../src/config/config.defaults.js';
import { bookingQueries } from '../../src/store/booking.queries.js';
import { openStore } from '../../src/store/open-store.js';
import { ANALYZE_EVERY } from '../../src/store/postgres.statistics.js';
import type { Store } from '../../src/store/store.js';
import { DIALECTS, dropTestDatabases, freshDatabase, POSTGRES_URL } from '../dialects.js';
import { bookDirectly } from './book-directly.js';

/**
 * A calendar that was empty at the last ANALYZE: the planner thinks it holds no bookings and
 * used to read its window through an index on the calendar alone (the exclusion constraint's
 * GiST), every booking of it. The store runs ANALYZE after a bulk of changes (postgres.statistics.ts).
 */
const HOUR = 3_600_000;
const BOOKINGS = ANALYZE_EVERY;
const NOW = Date.parse('2026-12-01T06:00:00Z');

const stores: Store[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  await Promise.all([...stores.splice(0).map((store) => store.close()), ...clients.splice(0).map((c) => c.end())]);
});
afterAll(dropTestDatabases);

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

/** Booking `index` of the new calendar, an hour after the one before, as /book writes it. */
async function book(store: Store, index: number): Promise<void> {
  const start = (index + 1) * HOUR;
  const booking = { id: `new${index}`, start, end: start + HOUR / 2, createdAt: NOW, calendarId: 'new' };
  await bookDirectly(store, { ...booking, resourceId: `r${index % 10}`, contactDetails: {} });
}

describe.runIf(DIALECTS.includes('postgres'))('the window read on postgres', () => {
  it('should read only the window of a calendar filled after the last ANALYZE', async () => {
    const url = freshDatabase('postgres');
    const store = await openStore(url, DEFAULT_POOL);
    stores.push(store);
    const schema = new URL(url).searchParams.get('schema')!;
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path="${schema}",public` });
    clients.push(client);
    await client.connect();
    // Another calendar's history, analyzed; then a new calendar filled through the store.
    await client.query(
      `insert into bookings (id, calendar_id, resource_id, start_at, end_at, blocked_start, blocked_end,
         contact_key, contact_details, status, created_at)
       select 'old' || g, 'old', 'r' || (g % 10), g * $1::bigint, g * $1::bigint + $1 / 2, g * $1::bigint,
         g * $1::bigint + $1 / 2, 'c' || g, '{}', 'active', 0
       from generate_series(1, 5000) g`,
      [HOUR],
    );
    await client.query('analyze bookings');
    for (let at = 0; at < BOOKINGS; at += 25)
      await Promise.all(Array.from({ length: 25 }, (_, index) => book(store, at + index)));

    const from = 200 * HOUR;
    const query = bookingQueries(new PostgresDialect({ pool: new pg.Pool() })).activeBlocked(
      'new',
      from,
      from + 72 * HOUR,
    );
    const filtered = async (
      explain = `explain (analyze, format json) ${query.sql}`,
      values = [...query.parameters],
    ) => {
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(explain, values);
      const plan = nodes(rows[0]!['QUERY PLAN'][0].Plan);
      expect(plan.find((node) => node['Node Type'] !== 'Result')?.['Actual Rows']).toBe(72);
      return plan.reduce(
        (sum, node) => sum + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0),
        0,
      );
    };
    // The store's own ANALYZE, after its 500th booking, covers the calendar column.
    const calendars = async () => {
      const { rows } = await client.query<{ vals: string | null }>(
        `select most_common_vals::text as vals from pg_stats
         where schemaname = $1 and tablename = 'bookings' and attname = 'calendar_id'`,
        [schema],
      );
      return rows[0]?.vals;
    };
    await vi.waitFor(async () => expect(await calendars()).toMatch(/\bnew\b/), { timeout: 10_000, interval: 50 });
    // 72 bookings in the window; a plan on the calendar alone would filter out the other 428.
    await vi.waitFor(async () => expect(await filtered()).toBeLessThan(10), { timeout: 10_000, interval: 50 });
    await expect(store.activeBlocked('new', from, from + 72 * HOUR)).resolves.toHaveLength(72);
    // The store prepares its statements, and PostgreSQL may then plan them once for any values.
    await client.query('set plan_cache_mode = force_generic_plan');
    await client.query(`prepare window_read as ${query.sql}`);
    const values = query.parameters.map((value) => client.escapeLiteral(String(value))).join(', ');
    expect(await filtered(`explain (analyze, format json) execute window_read(${values})`, [])).toBeLessThan(10);
  });
});
