import type { KnownMarks } from './booking.store.js';

/** What the marks need of the SQLite connection, each read synchronous. */
export interface MarkReads {
  /** `PRAGMA data_version`: moves when another connection (another process) committed, never for this one's commits. */
  readonly dataVersion: () => number;
  /** Every calendar's change mark. */
  readonly everyMark: () => readonly { readonly calendar_id: string; readonly version: number }[];
}

/**
 * The calendars' change marks held in memory on SQLite, so that /available reads no row to learn
 * whether the bookings changed. A `read` asks the connection's data version: unmoved, no other
 * connection committed since the marks were read, and this process's own commits were noted as
 * they committed (`note`, by the stores), so the marks in memory are the file's. Moved, the marks
 * are read again. The data version is read before the marks: a commit in between is in the rows
 * and moves the version again, so the marks are never older than the data read after them.
 *
 * Reading the data version is a read transaction (two lock calls to the kernel), nearly what
 * reading the mark itself costs, so the requests of one turn of the event loop share one check:
 * the first read of a turn asks, the rest until the next turn trust it. Another process's commit
 * is then seen by every request of the next turn, a moment later, which is harmless for the
 * reason PostgreSQL's notifications are (docs/ARCHITECTURE.md, "How cached availability stays
 * exact"); this process's own commits are in the marks at once.
 */
export function sqliteMarks({ dataVersion, everyMark }: MarkReads): KnownMarks {
  let seen: number | undefined;
  let versions = new Map<string, number>();
  let checkedThisTurn = false;
  const nextTurn = () => {
    checkedThisTurn = false;
  };
  return {
    read: (calendarId) => {
      if (!checkedThisTurn) {
        checkedThisTurn = true;
        setImmediate(nextTurn);
        const current = dataVersion();
        if (current !== seen) {
          seen = current;
          versions = new Map(everyMark().map((row) => [row.calendar_id, row.version]));
        }
      }
      return String(versions.get(calendarId) ?? 0);
    },
    note: (calendarId, version) => {
      if (version > (versions.get(calendarId) ?? 0)) versions.set(calendarId, version);
    },
  };
}
