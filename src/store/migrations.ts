import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import { laterMigrations } from './later-migrations.js';
import { backfillSearchKeys } from './migration-backfills.js';

/**
 * One list for every dialect, continued in later-migrations.ts; a migration branches on the dialect
 * only where SQL differs.
 */
const migrations: Record<string, Migration> = {
  '0001-bookings': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('bookings')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('calendar_id', 'text', (column) => column.notNull())
        .addColumn('resource_id', 'text', (column) => column.notNull())
        .addColumn('start_at', 'bigint', (column) => column.notNull())
        .addColumn('end_at', 'bigint', (column) => column.notNull())
        .addColumn('blocked_start', 'bigint', (column) => column.notNull())
        .addColumn('blocked_end', 'bigint', (column) => column.notNull())
        .addColumn('contact_key', 'text', (column) => column.notNull())
        .addColumn('contact_id', 'text')
        .addColumn('external_contact_id', 'text')
        .addColumn('contact_details', 'text', (column) => column.notNull().defaultTo('{}'))
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('cancelled_at', 'bigint')
        .execute();
      // Availability reads the active bookings that end after now: past ones stay out of the scan,
      // and the index covers every column it reads, so the table itself is never visited.
      await db.schema
        .createIndex('bookings_active_by_end')
        .on('bookings')
        .columns(['calendar_id', 'status', 'blocked_end', 'blocked_start', 'resource_id', 'start_at', 'id'])
        .execute();
      await db.schema
        .createIndex('bookings_by_contact')
        .on('bookings')
        .columns(['calendar_id', 'contact_key', 'status'])
        .execute();
      // Round robin asks when each resource was last given a booking: one row per resource.
      await db.schema
        .createTable('resource_assignments')
        .addColumn('calendar_id', 'text', (column) => column.notNull())
        .addColumn('resource_id', 'text', (column) => column.notNull())
        .addColumn('assigned_at', 'bigint', (column) => column.notNull())
        .addPrimaryKeyConstraint('resource_assignments_key', ['calendar_id', 'resource_id'])
        .execute();
    },
  },
  '0002-change-marks-and-overlap-guard': {
    async up(db: Kysely<unknown>) {
      // One row per calendar, bumped by every booking commit: the change mark that caches check.
      await db.schema
        .createTable('booking_versions')
        .addColumn('calendar_id', 'text', (column) => column.primaryKey())
        .addColumn('version', 'bigint', (column) => column.notNull())
        .execute();
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      // Several processes book concurrently on PostgreSQL: the database itself refuses two active
      // bookings whose blocked ranges overlap on one resource. (SQLite serialises every booking.)
      await sql`create extension if not exists btree_gist with schema public`.execute(db);
      await sql`
        alter table bookings add constraint bookings_no_overlap exclude using gist (
          calendar_id with =,
          resource_id with =,
          int8range(blocked_start, blocked_end) with &&
        ) where (status = 'active')`.execute(db);
    },
  },
  '0003-busy-time': {
    async up(db: Kysely<unknown>) {
      // Busy time synced from each resource's calendars elsewhere; a sync replaces a source's rows.
      await db.schema
        .createTable('busy_intervals')
        .addColumn('source_id', 'text', (column) => column.notNull())
        .addColumn('calendar_id', 'text', (column) => column.notNull())
        .addColumn('resource_id', 'text', (column) => column.notNull())
        .addColumn('start_at', 'bigint', (column) => column.notNull())
        .addColumn('end_at', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('busy_by_end')
        .on('busy_intervals')
        .columns(['calendar_id', 'end_at', 'start_at', 'resource_id'])
        .execute();
      await db.schema.createIndex('busy_by_source').on('busy_intervals').column('source_id').execute();
      await db.schema
        .createTable('source_states')
        .addColumn('source_id', 'text', (column) => column.primaryKey())
        .addColumn('synced_at', 'bigint')
        .addColumn('attempted_at', 'bigint')
        .addColumn('failures', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('tag', 'text')
        .addColumn('lease_until', 'bigint', (column) => column.notNull().defaultTo(0))
        .execute();
    },
  },
  '0004-writebacks': {
    async up(db: Kysely<unknown>) {
      // Bookings to write to (put) or remove from (delete) CalDAV calendars: queued in the booking's
      // transaction, so a write is never lost, and retried until done.
      await db.schema
        .createTable('writebacks')
        .addColumn('booking_id', 'text', (column) => column.notNull())
        .addColumn('source_id', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('next_at', 'bigint', (column) => column.notNull())
        .addColumn('done_at', 'bigint')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('writebacks_key', ['booking_id', 'source_id', 'action'])
        .execute();
      await db.schema.createIndex('writebacks_due').on('writebacks').columns(['done_at', 'next_at']).execute();
    },
  },
  '0005-contact-key-kinds': {
    async up(db: Kysely<unknown>) {
      // contact_id and external_contact_id are separate namespaces: the key names its kind, so
      // "42" of one kind no longer finds (and replaces) the booking of "42" of the other. Keys
      // were the id itself; which kind it was, the row's own columns tell.
      await sql`
        update bookings
        set contact_key = case when contact_id is not null then 'contact_id:' else 'external_contact_id:' end
          || contact_key`.execute(db);
    },
  },
  '0006-business-side': {
    async up(db: Kysely<unknown>) {
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      // Bookings made before this migration all came through telli's /book.
      await db.schema
        .alterTable('bookings')
        .addColumn('created_by', 'text', (column) => column.notNull().defaultTo('telli'))
        .execute();
      await db.schema.alterTable('bookings').addColumn('cancel_reason', 'text').execute();
      // The business lists a calendar's bookings by start, in any status, paged on (start, id).
      await db.schema
        .createIndex('bookings_by_start')
        .on('bookings')
        .columns(['calendar_id', 'start_at', 'id'])
        .execute();
      await db.schema
        .createTable('audit_entries')
        .addColumn('seq', postgres ? 'bigint' : 'integer', (column) =>
          postgres ? column.primaryKey().generatedAlwaysAsIdentity() : column.primaryKey().autoIncrement(),
        )
        .addColumn('at', 'bigint', (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('action', 'text', (column) => column.notNull())
        .addColumn('calendar_id', 'text', (column) => column.notNull())
        .addColumn('booking_id', 'text')
        .addColumn('time_off_id', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .execute();
      await db.schema.createIndex('audit_by_time').on('audit_entries').columns(['at', 'seq']).execute();
      await db.schema.createIndex('audit_by_booking').on('audit_entries').columns(['booking_id', 'seq']).execute();
      await db.schema
        .createTable('time_off')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('calendar_id', 'text', (column) => column.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('start_at', 'bigint', (column) => column.notNull())
        .addColumn('end_at', 'bigint', (column) => column.notNull())
        .addColumn('note', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .execute();
      // Read like busy time: what ends after the start of a window and starts before its end.
      await db.schema
        .createIndex('time_off_by_end')
        .on('time_off')
        .columns(['calendar_id', 'end_at', 'start_at'])
        .execute();
    },
  },
  '0007-booking-search-keys': {
    async up(db: Kysely<unknown>) {
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      // Keys are compared by prefix range: byte order ("C") on PostgreSQL, as SQLite's BINARY does,
      // whatever the database's locale.
      await db.schema
        .createTable('booking_search_keys')
        .addColumn('booking_id', 'text', (column) => column.notNull())
        .addColumn('key', 'text', (column) =>
          postgres ? column.notNull().modifyFront(sql`collate "C"`) : column.notNull(),
        )
        .addPrimaryKeyConstraint('booking_search_keys_key', ['key', 'booking_id'])
        .execute();
      await db.schema
        .createIndex('booking_search_keys_by_booking')
        .on('booking_search_keys')
        .column('booking_id')
        .execute();
      await backfillSearchKeys(db as Kysely<Database>);
    },
  },
  '0008-writeback-generations': {
    async up(db: Kysely<unknown>) {
      // A booking moved again needs its event put again: the queue re-arms the row it already has,
      // and the generation tells a worker still holding the old lease that its put is outdated.
      await db.schema
        .alterTable('writebacks')
        .addColumn('generation', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
    },
  },
  ...laterMigrations,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
