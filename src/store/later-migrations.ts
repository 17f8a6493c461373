import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import type { Database } from './database.js';
import { backfillPhoneNumbers } from './migration-backfills.js';

/**
 * The migrations from 0010 on (the outbox, notifications, the later sync state), in one list with
 * those of migrations.ts; a migration branches on the dialect only where SQL differs.
 */
export const laterMigrations: Record<string, Migration> = {
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
  '0017-source-last-read': {
    async up(db: Kysely<unknown>) {
      // What a source's last full read wrote: how far its busy time reaches (an ETag or ctag says the
      // feed is unchanged, not that the busy time read then still covers the horizon) and a digest
      // of it (a feed read again that says the same is not written again). Null, as for every
      // source here before, until a sync reads the source whole (sync.service.ts).
      await db.schema.alterTable('source_states').addColumn('busy_until', 'bigint').execute();
      await db.schema.alterTable('source_states').addColumn('busy_digest', 'text').execute();
    },
  },
  '0018-busy-indexes-with-source': {
    async up(db: Kysely<unknown>) {
      // A window's busy time is read with the source of each interval, so that a sync's new busy
      // time can replace its source's in memory (availability.service.ts): the index by end holds
      // the source too, and the window is still read from the index alone.
      await db.schema
        .createIndex('busy_by_end_and_source')
        .on('busy_intervals')
        .columns(['calendar_id', 'end_at', 'start_at', 'resource_id', 'source_id'])
        .execute();
      await db.schema.dropIndex('busy_by_end').execute();
      // A sync writes only the intervals a source gained and deletes those it lost, each found by
      // its source and times (source.queries.ts, replace).
      await db.schema
        .createIndex('busy_by_source_and_times')
        .on('busy_intervals')
        .columns(['source_id', 'start_at', 'end_at'])
        .execute();
      await db.schema.dropIndex('busy_by_source').execute();
    },
  },
  '0019-source-read-zone': {
    async up(db: Kysely<unknown>) {
      // The zone a source's last full read was made in: its all-day events are days of that zone, so
      // an unchanged feed is read whole again once its calendar has another zone. Null for every
      // read before, which is then read whole once (sync.service.ts, trustedTag).
      await db.schema.alterTable('source_states').addColumn('busy_zone', 'text').execute();
    },
  },
};
