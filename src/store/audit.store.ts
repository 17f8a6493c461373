import type { AuditEntry, AuditFilter, AuditPage } from './audit.js';
import type { AuditQueries } from './audit.queries.js';
import { toAuditEntry } from './audit.row.js';
import type { Runner } from './runner.js';

/** The audit trail: read here, written only by the transactions that make the changes. */
export interface AuditStore {
  /** Entries oldest first, a page of at most `limit`, keyset on `seq`. */
  auditEntries(filter: AuditFilter): Promise<AuditPage>;
  /** Every entry of one booking, oldest first. */
  bookingHistory(bookingId: string): Promise<AuditEntry[]>;
}

export function auditStore(runner: Runner, queries: AuditQueries): AuditStore {
  return {
    auditEntries: async (filter) => {
      const rows = await runner.read(queries.entries(filter));
      const entries = rows.slice(0, filter.limit).map(toAuditEntry);
      const last = entries.at(-1);
      return rows.length > filter.limit && last ? { entries, next: last.seq } : { entries };
    },
    bookingHistory: async (bookingId) => (await runner.read(queries.history(bookingId))).map(toAuditEntry),
  };
}
