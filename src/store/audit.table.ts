import type { Generated } from 'kysely';

export type AuditAction =
  | 'booking.created'
  | 'booking.replaced'
  | 'booking.cancelled'
  | 'booking.moved'
  | 'time_off.created'
  | 'time_off.deleted';

/** One change, written in the transaction that made it; never updated or deleted. */
export interface AuditEntryTable {
  /** Commit order within the database: what readers page on. */
  seq: Generated<number>;
  at: number;
  /** `telli`, or the name of the admin token that made the change. */
  actor: string;
  action: AuditAction;
  calendar_id: string;
  booking_id: string | null;
  time_off_id: string | null;
  /** JSON of the changed fields only (`AuditFields`), never contact details. */
  before: string | null;
  after: string | null;
  /** When the outbox fan-out turned it into its messages; null until then (index `audit_pending`). */
  fanned_out_at: number | null;
}
