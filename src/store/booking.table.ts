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
  /** `telli`, or the name of the admin token that made the booking. */
  created_by: Generated<string>;
  cancel_reason: string | null;
  /** The contact's phone number in E.164, read in the calendar's country at booking; what telli's contact lookup matches. */
  phone_e164: string | null;
}

/** What `q` finds a booking by (see search-keys.ts); written with the booking, never changed. */
export interface BookingSearchKeyTable {
  booking_id: string;
  key: string;
}

export type BookingStatus = 'active' | 'cancelled' | 'replaced';

/** Bumped by every booking commit of a calendar: its change mark. */
export interface BookingVersionTable {
  calendar_id: string;
  version: number;
}

export interface ResourceAssignmentTable {
  calendar_id: string;
  resource_id: string;
  /** When the resource last received a booking. */
  assigned_at: number;
}
