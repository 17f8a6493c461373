import { Kysely, type Dialect, type Insertable } from 'kysely';
import type { AuditFilter, NewAuditEntry } from './audit.js';
import type { AuditEntryTable } from './audit.table.js';
import { compiledOnce } from './compiled-once.js';
import type { Database } from './database.js';

/** Queries of the audit trail. */
export function auditQueries(dialect: Dialect) {
  const db = new Kysely<Database>({ dialect });
  const insertEntries = compiledOnce((rows: readonly Insertable<AuditEntryTable>[]) =>
    db.insertInto('audit_entries').values(rows).compile(),
  );

  return {
    /** All entries of one change in one statement, in the order given (seq follows it). */
    record: (entries: readonly NewAuditEntry[]) =>
      insertEntries(
        entries.map((entry) => ({
          at: entry.at,
          actor: entry.actor,
          action: entry.action,
          calendar_id: entry.calendarId,
          booking_id: entry.bookingId,
          time_off_id: entry.timeOffId,
          before: entry.before && JSON.stringify(entry.before),
          after: entry.after && JSON.stringify(entry.after),
        })),
      ),

    /** One row more than the limit, to tell whether another page follows. */
    entries: (filter: AuditFilter) =>
      db
        .selectFrom('audit_entries')
        .selectAll()
        .$if(filter.from !== undefined, (query) => query.where('at', '>=', filter.from!))
        .$if(filter.to !== undefined, (query) => query.where('at', '<', filter.to!))
        .$if(filter.bookingId !== undefined, (query) => query.where('booking_id', '=', filter.bookingId!))
        .$if(filter.after !== undefined, (query) => query.where('seq', '>', filter.after!))
        .orderBy('seq')
        .limit(filter.limit + 1)
        .compile(),

    history: (bookingId: string) =>
      db.selectFrom('audit_entries').selectAll().where('booking_id', '=', bookingId).orderBy('seq').compile(),
  };
}

export type AuditQueries = ReturnType<typeof auditQueries>;
