import type { Generated } from 'kysely';

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
  /**
   * The end of the window over which the last full read wrote the source's busy time, a digest of
   * that busy time, and the zone it was read in; all null when the busy time is not such a read
   * (never read, or blocked by `on_stale: block`).
   */
  busy_until: number | null;
  busy_digest: string | null;
  busy_zone: string | null;
  /** Until when one process holds the right to sync this source. */
  lease_until: Generated<number>;
}
