import type { Interval } from '../engine/interval.js';
import type { KnownMarks } from './booking.store.js';
import type { Rebuildable, Runner, VersionBump } from './runner.js';
import type { BusyChange, BusyRange, BusyRead, SourceRef, SourceState } from './source.js';
import type { SourceQueries } from './source.queries.js';
import { toBusyRange, toSourceState } from './source.row.js';

/** Calendars elsewhere: their busy time, and the state and lease of each one's sync. */
export interface SourceStore {
  /** Busy time of a calendar's resources overlapping [from, to), time off included. */
  busy(calendarId: string, from: number, to: number): Promise<BusyRange[]>;
  /**
   * Replaces a source's busy time, in one transaction that also moves the calendar's change mark
   * and, given `synced`, records a successful sync and what its read wrote (`read`; absent: the
   * source was removed): then the write is rebuildable (runner.ts), as the sync's bookkeeping below
   * is. Without `synced`, the busy time is not what the source says, and its next sync reads it whole.
   * Returns what changed, for what this process holds in memory (undefined only if the runner
   * reports no version, which a write that bumps never does).
   */
  replaceBusy(
    source: SourceRef,
    intervals: readonly Interval[],
    synced?: { readonly tag: string | null; readonly at: number; readonly read?: BusyRead },
  ): Promise<BusyChange | undefined>;
  /** Records a successful sync that found the source unchanged by its tag; the last read stays. */
  recordSyncUnchanged(sourceId: string, tag: string | null, now: number): Promise<void>;
  /**
   * Records a successful sync whose read whole gave the busy time already written (the digest of
   * the last read's): then nothing is written and no change mark moves. False, recording nothing,
   * when the busy time written is another.
   */
  confirmBusy(sourceId: string, tag: string | null, now: number, read: BusyRead): Promise<boolean>;
  /**
   * Records a failed sync; the source keeps its last good busy time, and no process may claim it
   * before `retryAt`.
   */
  recordSyncFailure(sourceId: string, error: string, now: number, retryAt: number): Promise<void>;
  /** Whether this process may sync the source now: one process holds it until `until`. */
  claimSync(sourceId: string, now: number, until: number): Promise<boolean>;
  sourceStates(): Promise<SourceState[]>;
}

const REBUILDABLE: Rebuildable = { rebuildable: true };

/**
 * The source store on a dialect's runner. `bumpVersion` moves a calendar's change mark, since
 * new busy time changes its availability as a booking does.
 */
export function sourceStore(
  runner: Runner,
  queries: SourceQueries,
  bumpVersion: (calendarId: string) => VersionBump,
  marks?: KnownMarks,
): SourceStore {
  return {
    busy: async (calendarId, from, to) => (await runner.read(queries.busy(calendarId, from, to))).map(toBusyRange),
    replaceBusy: async (source, intervals, synced) => {
      // A transaction that reads nothing, so that the runner tells the other processes of the bump.
      const { version } = await runner.transact({
        // What a sync read, the next sync reads again; busy time it did not read stays durable.
        rebuildable: synced !== undefined,
        locks: [],
        reads: {},
        plan: () => ({
          writes: {
            writes: [
              ...queries.replace(source, intervals),
              synced
                ? queries.synced(source.id, synced.tag, synced.at, synced.read ?? null)
                : queries.unread(source.id),
            ],
            bumpVersion: bumpVersion(source.calendarId),
          },
          result: undefined,
        }),
      });
      if (version === undefined) return undefined;
      marks?.note(source.calendarId, version);
      return { source, intervals, markBefore: String(version - 1), markAfter: String(version) };
    },
    recordSyncUnchanged: async (sourceId, tag, now) => {
      await runner.atomically([queries.synced(sourceId, tag, now)], REBUILDABLE);
    },
    confirmBusy: async (sourceId, tag, now, read) => {
      const [confirmed] = await runner.atomically([queries.confirmed(sourceId, tag, now, read)], REBUILDABLE);
      return confirmed.length > 0;
    },
    recordSyncFailure: async (sourceId, error, now, retryAt) => {
      await runner.atomically([queries.failed(sourceId, error, now, retryAt)], REBUILDABLE);
    },
    claimSync: async (sourceId, now, until) => {
      const [claimed] = await runner.atomically([queries.claim(sourceId, now, until)], REBUILDABLE);
      return claimed.length > 0;
    },
    sourceStates: async () => (await runner.read(queries.states())).map(toSourceState),
  };
}
