/** Time a resource (or, with no resource, the whole calendar) is closed, set by the business. */
export interface TimeOffTable {
  id: string;
  calendar_id: string;
  /** Null: every resource of the calendar. */
  resource_id: string | null;
  start_at: number;
  end_at: number;
  note: string | null;
  created_at: number;
  created_by: string;
}
