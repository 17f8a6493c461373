import { PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import { backfillPhoneNumbers, backfillSearchKeys } from './migration-backfills.js';

/** One list for every dialect; a migration branches on the dialect only where SQL differs. */
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
  '0010-webhooks': {
    async up(db: Kysely<unknown>) {
      // The audit trail is the outbox: an entry is fanned out (turned into the messages it
      // causes) once, after its commit. Entries written before this are history, not news.
      await db.schema.alterTable('audit_entries').addColumn('fanned_out_at', 'bigint').execute();
      await sql`update audit_entries set fanned_out_at = at`.execute(db);
      await db.schema
        .createIndex('audit_pending')
        .on('audit_entries')
        .column('seq')
        .where(sql.ref('fanned_out_at'), 'is', null)
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('endpoint', 'text', (column) => column.notNull())
        .addColumn('event_type', 'text', (column) => column.notNull())
        .addColumn('calendar_id', 'text', (column) => column.notNull())
        .addColumn('audit_seq', 'bigint', (column) => column.notNull())
        .addColumn('body', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('next_at', 'bigint', (column) => column.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_at'])
        .execute();
      // Listed newest first, by status, paged on (created_at, id).
      await db.schema
        .createIndex('webhook_deliveries_by_status')
        .on('webhook_deliveries')
        .columns(['status', 'created_at', 'id'])
        .execute();
    },
  },
  '0011-booking-phone-numbers': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('bookings').addColumn('phone_e164', 'text').execute();
      // telli's contact lookup asks, before a call connects, for the booking made last with a
      // number, and for the number's upcoming ones: one range of this index answers both.
      await db.schema
        .createIndex('bookings_by_phone')
        .on('bookings')
        .columns(['phone_e164', 'created_at', 'id'])
        .execute();
      await backfillPhoneNumbers(db as Kysely<Database>);
    },
  },
  '0012-email-deliveries': {
    async up(db: Kysely<unknown>) {
      // The e-mail channel of the outbox: one row per mail and recipient, rendered at fan-out.
      await db.schema
        .createTable('email_deliveries')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('booking_id', 'text', (column) => column.notNull())
        .addColumn('calendar_id', 'text', (column) => column.notNull())
        .addColumn('audit_seq', 'bigint', (column) => column.notNull())
        .addColumn('kind', 'text', (column) => column.notNull())
        .addColumn('recipient_role', 'text', (column) => column.notNull())
        .addColumn('message', 'text', (column) => column.notNull())
        .addColumn('remind_start', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('next_at', 'bigint', (column) => column.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('email_deliveries_due')
        .on('email_deliveries')
        .columns(['status', 'next_at'])
        .execute();
      // A cancel or move voids the booking's pending reminder.
      await db.schema.createIndex('email_deliveries_by_booking').on('email_deliveries').column('booking_id').execute();
    },
  },
  '0013-change-notify-and-longest-booking': {
    async up(db: Kysely<unknown>) {
      // The longest blocked range of a calendar's bookings ever written: a booking that overlaps
      // [from, to) ends before to + longest, so window reads are bounded on both sides.
      await db.schema
        .alterTable('booking_versions')
        .addColumn('longest_blocked', 'bigint', (column) => column.notNull().defaultTo(0))
        .execute();
      await sql`
        update booking_versions set longest_blocked = coalesce(
          (select max(blocked_end - blocked_start) from bookings where bookings.calendar_id = booking_versions.calendar_id),
          0)`.execute(db);
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      // Every commit that moves a change mark tells the listening processes, at commit, on a
      // channel of its own schema (postgres.marks.ts listens on the same name).
      await sql`
        create function slotline_mark_moved() returns trigger language plpgsql as $$
        begin
          perform pg_notify('slotline ' || md5(tg_table_schema), new.version || ' ' || new.calendar_id);
          return null;
        end $$`.execute(db);
      await sql`
        create trigger booking_versions_notify after insert or update of version on booking_versions
        for each row execute function slotline_mark_moved()`.execute(db);
    },
  },
  '0014-email-deliveries-by-status': {
    async up(db: Kysely<unknown>) {
      // Listed newest first, by status, paged on (created_at, id), as the webhook deliveries are:
      // without it, listing 50,000 sent mails held SQLite's only thread for 0.7 s.
      await db.schema
        .createIndex('email_deliveries_by_status')
        .on('email_deliveries')
        .columns(['status', 'created_at', 'id'])
        .execute();
    },
  },
  '0015-change-notify-after-commit': {
    async up(db: Kysely<unknown>) {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      // The store notifies after the commit instead (postgres.marks.ts): notifying inside
      // the transaction held PostgreSQL's database-wide notify lock across its WAL flush, so every
      // booking in the database committed one flush at a time.
      await sql`drop trigger booking_versions_notify on booking_versions`.execute(db);
      await sql`drop function slotline_mark_moved()`.execute(db);
    },
  },
  '0016-search-keys-by-key-only': {
    async up(db: Kysely<unknown>) {
      // Search keys are read by key and never by booking (nor deleted): the index by booking cost
      // every booking one more index entry per key (about six) and served no query.
      await db.schema.dropIndex('booking_search_keys_by_booking').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
