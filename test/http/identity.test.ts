import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { introspectingOnly } from '../../src/store/migrate.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { appsOn, calendarYaml } from './harness.js';
import { DIALECTS, freshDatabase, type Dialect } from '../dialects.js';

const NOW = Date.parse('2026-12-01T06:00:00Z');
const NINE = '2026-12-02T09:00:00.000Z';
const TEN = '2026-12-02T10:00:00.000Z';
const ELEVEN = '2026-12-02T11:00:00.000Z';

/** The last migration before contact keys named their kind. */
const BEFORE_KINDS = '0004-writebacks';

/** A database migrated only up to `migration`, with `rows` inserted as that schema's code wrote them. */
async function databaseAt(dialect: Dialect, migration: string, rows: Record<string, unknown>[]): Promise<string> {
  const url = freshDatabase(dialect);
  let db: Kysely<any>;
  let schema: string | undefined;
  if (dialect === 'sqlite') {
    db = new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.slice('sqlite:'.length)) }) });
  } else {
    const [connectionString, query] = url.split('?schema=');
    schema = query!;
    const pool = new pg.Pool({ connectionString, options: `-c search_path="${schema}",public` });
    db = new Kysely({ dialect: introspectingOnly(schema, new PostgresDialect({ pool })) });
    await sql`create schema ${sql.id(schema)}`.execute(db);
  }
  try {
    const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
    const { error } = await migrator.migrateTo(migration);
    if (error) throw error;
    await db.insertInto('bookings').values(rows).execute();
  } finally {
    await db.destroy();
  }
  return url;
}

function oldRow(id: string, start: string, contact: { contact_id?: string; external_contact_id?: string }) {
  const at = Date.parse(start);
  return {
    id,
    calendar_id: 'main',
    resource_id: 'main',
    start_at: at,
    end_at: at + 30 * 60_000,
    blocked_start: at,
    blocked_end: at + 30 * 60_000,
    // Before the kinds, the key was the id itself, whichever kind it was.
    contact_key: contact.contact_id ?? contact.external_contact_id,
    contact_id: contact.contact_id ?? null,
    external_contact_id: contact.external_contact_id ?? null,
    contact_details: '{}',
    status: 'active',
    created_at: NOW - 60_000,
    cancelled_at: null,
  };
}

describe.each(DIALECTS)('on %s', (dialect) => {
  const open = appsOn(dialect);
  const active = async (app: { store: { bookings(calendar: string): Promise<any[]> } }) =>
    (await app.store.bookings('main'))
      .filter((booking) => booking.status === 'active')
      .map((booking) => new Date(booking.start).toISOString())
      .sort();

  describe('contact identity', () => {
    it('should keep a contact_id and the same external_contact_id apart', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      expect((await app.post('/book', { contact_id: 'ns-42', start_iso: NINE })).body).toEqual({ status: 'success' });
      expect((await app.post('/book', { external_contact_id: 'ns-42', start_iso: TEN })).body).toEqual({
        status: 'success',
      });
      expect(await active(app)).toEqual([NINE, TEN]);
      // Each is still its own contact: a retry creates nothing, another slot replaces only its own.
      expect((await app.post('/book', { contact_id: 'ns-42', start_iso: NINE })).body).toEqual({ status: 'success' });
      expect((await app.post('/book', { external_contact_id: 'ns-42', start_iso: ELEVEN })).body).toEqual({
        status: 'success',
      });
      expect(await active(app)).toEqual([NINE, ELEVEN]);
    });

    it('should refuse a contact id that is not well-formed Unicode, as it refuses control characters', async () => {
      const app = await open({ yaml: calendarYaml(), now: NOW });
      const answers = [];
      for (const [contactId, start] of [
        ['victim\ud800', NINE],
        ['victim\udbff', TEN],
        ['victim\ufffd', ELEVEN],
      ] as const) {
        answers.push((await app.post('/book', { contact_id: contactId, start_iso: start })).body);
      }
      expect(answers[0]).toEqual({ status: 'failed', reason: expect.stringContaining('who this appointment is for') });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual({ status: 'success' });
      expect(await active(app)).toEqual([ELEVEN]);
      // A malformed contact_id is no id: the external_contact_id names the contact, as with a control character.
      expect(
        (await app.post('/book', { contact_id: 'x\udc00', external_contact_id: 'crm-7', start_iso: NINE })).body,
      ).toEqual({ status: 'success' });
      const [booking] = (await app.store.bookings('main')).filter((row) => row.start === Date.parse(NINE));
      expect([booking!.contactId, booking!.externalContactId]).toEqual([null, 'crm-7']);
    });
  });

  describe('bookings made before contact keys named their kind', () => {
    it('should answer their retries with success, and keep the kinds apart from then on', async () => {
      const database = await databaseAt(dialect, BEFORE_KINDS, [
        oldRow('old-by-id', NINE, { contact_id: 'old-1' }),
        oldRow('old-by-external', TEN, { external_contact_id: 'old-2' }),
      ]);
      const app = await open({ yaml: calendarYaml(), now: NOW, database });
      expect((await app.post('/book', { contact_id: 'old-1', start_iso: NINE })).body).toEqual({ status: 'success' });
      expect((await app.post('/book', { external_contact_id: 'old-2', start_iso: TEN })).body).toEqual({
        status: 'success',
      });
      expect(await active(app)).toEqual([NINE, TEN]);
      // The same string of the other kind is another contact: it replaces neither booking.
      expect((await app.post('/book', { external_contact_id: 'old-1', start_iso: ELEVEN })).body).toEqual({
        status: 'success',
      });
      expect(await active(app)).toEqual([NINE, TEN, ELEVEN]);
      // And each old booking still belongs to its contact: booking another slot replaces it.
      expect((await app.post('/book', { contact_id: 'old-1', start_iso: '2026-12-03T09:00:00Z' })).body).toEqual({
        status: 'success',
      });
      expect(await active(app)).toEqual([TEN, ELEVEN, '2026-12-03T09:00:00.000Z']);
    });
  });
});
