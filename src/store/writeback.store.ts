import { claimDue } from './leased-queue.store.js';
import type { Runner } from './runner.js';
import type { ClaimedWriteback } from './writeback.js';
import type { WritebackQueries } from './writeback.queries.js';
import { toClaimedWriteback } from './writeback.row.js';

/** The write-back queue: bookings to put into, or delete from, calendars elsewhere. */
export interface WritebackStore {
  /**
   * Write-backs due now, each leased to this process until `leaseUntil` so that no other takes
   * it meanwhile.
   */
  claimWritebacks(now: number, leaseUntil: number, limit: number): Promise<ClaimedWriteback[]>;
  /** Marks the leased generation done; a row queued again since it was claimed stays due. */
  writebackDone(writeback: ClaimedWriteback, now: number): Promise<void>;
  writebackFailed(writeback: ClaimedWriteback, error: string, retryAt: number): Promise<void>;
}

export function writebackStore(runner: Runner, queries: WritebackQueries): WritebackStore {
  return {
    claimWritebacks: async (now, leaseUntil, limit) =>
      (await claimDue(runner, queries, now, leaseUntil, limit)).map(toClaimedWriteback),
    writebackDone: async (writeback, now) => {
      await runner.atomically([queries.done(writeback, now)]);
    },
    writebackFailed: async (writeback, error, retryAt) => {
      await runner.atomically([queries.failed(writeback, error, retryAt)]);
    },
  };
}
