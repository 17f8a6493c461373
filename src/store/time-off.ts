/** Time the business closed a resource, or with no resource the whole calendar. */
export interface TimeOff {
  readonly id: string;
  readonly calendarId: string;
  /** Null: every resource of the calendar. */
  readonly resourceId: string | null;
  readonly start: number;
  readonly end: number;
  readonly note: string | null;
  readonly createdAt: number;
  /** The name of the admin token that entered it. */
  readonly createdBy: string;
}

/** Time off to add, and the local dates whose bookings it may overlap (their locks, on PostgreSQL). */
export interface NewTimeOffQuery {
  readonly timeOff: TimeOff;
  readonly days: readonly string[];
}

/** Which time off to list: overlapping [from, to), in one calendar or all. */
export interface TimeOffFilter {
  readonly calendarId?: string;
  readonly from?: number;
  readonly to?: number;
}

/** A time off removed by `actor` at `now`. */
export interface TimeOffRemoval {
  readonly id: string;
  readonly actor: string;
  readonly now: number;
}
