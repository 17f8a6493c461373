import type { AuditAction } from './audit.table.js';
import type { BookingStatus } from './booking.table.js';

/**
 * The fields of a booking or a time off that a change may touch, as the API shows them. Contact details are
 * left out on purpose: personal data stays in the booking's own row.
 */
export interface AuditFields {
  readonly start_iso?: string;
  readonly end_iso?: string;
  /** For time off, null: the whole calendar. */
  readonly resource?: string | null;
  readonly status?: BookingStatus;
  readonly cancel_reason?: string | null;
  /** Time off's note. */
  readonly note?: string | null;
  /** booking.replaced: the booking that replaced it. */
  readonly replaced_by?: string;
}

export interface NewAuditEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: AuditAction;
  readonly calendarId: string;
  readonly bookingId: string | null;
  readonly timeOffId: string | null;
  readonly before: AuditFields | null;
  readonly after: AuditFields | null;
}

export interface AuditEntry extends NewAuditEntry {
  readonly seq: number;
}

/** Which entries to read, oldest first: `at` in [from, to), after the `seq` given, at most `limit` (1 or more). */
export interface AuditFilter {
  readonly from?: number;
  readonly to?: number;
  readonly bookingId?: string;
  readonly after?: number;
  readonly limit: number;
}

export interface AuditPage {
  readonly entries: AuditEntry[];
  /** The `after` of the next page; absent on the last page. */
  readonly next?: number;
}
