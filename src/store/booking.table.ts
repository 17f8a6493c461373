import type { Generated } from 'kysely';

/** Times are epoch milliseconds, so both dialects compare plain integers. */
export interface BookingTable {
  id: string;
  calendar_id: string;
  resource_id: string;
  start_at: number;
  end_at: number;
  /** The slot with the buffers of the moment it was booked; what it keeps others from. */
  blocked_start: number;
  blocked_end: number;
  /** `contact_id`, else `external_contact_id`: who the booking belongs to. */
  contact_key: string;
  contact_id: string | null;
  external_contact_id: string | null;
  contact_details: string;
  status: BookingStatus;
  created_at: number;
  cancelled_at: number | null;
}

export type BookingStatus = 'active' | 'cancelled' | 'replaced';

/** Bumped by every booking commit of a calendar: its change mark. */
export interface BookingVersionTable {
  calendar_id: string;
  version: number;
}

export interface BusyIntervalTable {
  source_id: string;
  calendar_id: string;
  resource_id: string;
  start_at: number;
  end_at: number;
}

export interface SourceStateTable {
  source_id: string;
  /** Last successful sync. */
  synced_at: number | null;
  attempted_at: number | null;
  /** Failed attempts since the last success. */
  failures: Generated<number>;
  error: string | null;
  /** ETag or ctag of the last successful read, to skip unchanged calendars. */
  tag: string | null;
  /** Until when one process holds the right to sync this source. */
  lease_until: Generated<number>;
}

export type WritebackAction = 'put' | 'delete';

export interface WritebackTable {
  booking_id: string;
  source_id: string;
  action: WritebackAction;
  attempts: Generated<number>;
  /** When the next attempt is due; also a short lease while one process works on it. */
  next_at: number;
  done_at: number | null;
  error: string | null;
}

export interface ResourceAssignmentTable {
  calendar_id: string;
  resource_id: string;
  /** When the resource last received a booking. */
  assigned_at: number;
}

export interface Database {
  bookings: BookingTable;
  resource_assignments: ResourceAssignmentTable;
  booking_versions: BookingVersionTable;
  busy_intervals: BusyIntervalTable;
  source_states: SourceStateTable;
  writebacks: WritebackTable;
}
