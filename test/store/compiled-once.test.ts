import { Kysely, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/store/compiled-once.js';
import type { Database } from '../../src/store/database.js';

const COMPILERS: [string, Dialect][] = [
  ['sqlite', new SqliteDialect({ database: {} as never })],
  ['postgres', new PostgresDialect({ pool: {} as never })],
];

describe.each(COMPILERS)('compiledOnce on %s', (_, dialect) => {
  const db = new Kysely<Database>({ dialect });
  const sqlAndParameters = ({ sql, parameters }: { sql: string; parameters: readonly unknown[] }) => ({
    sql,
    parameters,
  });

  it('should give each call what compiling it anew gives', () => {
    const contactBookings = (calendarId: string, contactKey: string, now: number | null) =>
      db
        .selectFrom('bookings')
        .selectAll()
        .where('calendar_id', '=', calendarId)
        .where('contact_key', '=', contactKey)
        .where('end_at', '>', now)
        .where('status', '=', 'active')
        .compile();
    const once = compiledOnce(contactBookings);
    const calls: [string, string, number | null][] = [
      ['cal', 'contact_id:1', 5],
      ['other', 'contact_id:2', null],
    ];
    for (const args of calls) {
      expect(sqlAndParameters(once(...args))).toEqual(sqlAndParameters(contactBookings(...args)));
    }
  });

  it('should compile an insert once per number of rows, each row by its columns', () => {
    const insertKeys = (rows: readonly { booking_id: string; key: string }[]) =>
      db.insertInto('booking_search_keys').values(rows).compile();
    const once = compiledOnce(insertKeys);
    const calls = [
      [{ booking_id: 'b1', key: 'ada' }],
      [
        { booking_id: 'b2', key: 'ada' },
        { booking_id: 'b2', key: 'lovelace' },
      ],
      [{ booking_id: 'b3', key: 'grace' }],
    ];
    for (const rows of calls) expect(sqlAndParameters(once(rows))).toEqual(sqlAndParameters(insertKeys(rows)));
    // Columns given in another order still go each to its own.
    expect(sqlAndParameters(once([{ key: 'hopper', booking_id: 'b4' }]))).toEqual(
      sqlAndParameters(insertKeys([{ booking_id: 'b4', key: 'hopper' }])),
    );
  });

  it('should refuse a query that does not pass an argument through as a parameter', () => {
    const derived = compiledOnce((details: Record<string, unknown>) =>
      db.selectFrom('bookings').selectAll().where('contact_details', '=', JSON.stringify(details)).compile(),
    );
    expect(() => derived({ name: 'Ada' })).toThrow(/argument 0 is not passed as a parameter/);
  });
});
