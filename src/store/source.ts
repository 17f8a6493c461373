import type { Interval } from '../engine/interval.js';

/** Time a resource is busy in a calendar elsewhere, or closed by the business's time off. */
export interface BusyRange {
  /** Null: every resource of the calendar (time off of the whole calendar). */
  readonly resourceId: string | null;
  /** The calendar elsewhere it was read from; null for time off. */
  readonly sourceId: string | null;
  readonly start: number;
  readonly end: number;
}

/**
 * What a sync's write of a source's busy time changed, so that what was read at `markBefore` can
 * be brought to `markAfter` without reading it again.
 */
export interface BusyChange {
  readonly source: SourceRef;
  /** The source's busy time from now on. */
  readonly intervals: readonly Interval[];
  readonly markBefore: string;
  readonly markAfter: string;
}

/** A calendar elsewhere, as the store knows it. */
export interface SourceRef {
  readonly id: string;
  readonly calendarId: string;
  readonly resourceId: string;
}

export interface SourceState {
  readonly sourceId: string;
  /** Last successful sync; null when it never succeeded. */
  readonly syncedAt: number | null;
  readonly attemptedAt: number | null;
  /** Failed attempts since the last success. */
  readonly failures: number;
  readonly error: string | null;
  readonly tag: string | null;
  /** What the last full read wrote; null when the busy time is no such read. */
  readonly lastRead: BusyRead | null;
}

/**
 * What a sync that read a source whole wrote: how far its busy time reaches, a digest of it, and
 * the zone it was read in (all-day events and floating times are days and times of that zone).
 */
export interface BusyRead {
  readonly until: number;
  readonly digest: string;
  readonly zone: string;
}
